#!/bin/sh
# make run: starts every daemon that is built on one configuration, in the
# foreground, says "running" once each of them answers ping, and stops them
# all on Ctrl-C (exit 0) or when one of them ends (exit 1).
bin="$1"; cfg="$2"
pids=""
stopping=0
stop() {
	stopping=1
	trap - INT TERM EXIT
	[ -n "$pids" ] && kill $pids 2>/dev/null
	wait 2>/dev/null
	echo "trygg: stopped"
}
trap 'stop; exit 0' INT TERM
trap stop EXIT
for d in trygg-intake trygg-escalation trygg-reporting trygg-web; do
	[ -x "$bin/$d" ] || continue
	"$bin/$d" -n -c "$cfg" >/dev/null || { "$bin/$d" -n -c "$cfg"; exit 78; }
done
started=""
for d in trygg-intake trygg-escalation trygg-reporting trygg-web; do
	[ -x "$bin/$d" ] || continue
	"$bin/$d" -c "$cfg" &
	pids="$pids $!"
	started="$started ${d#trygg-}"
done
# a daemon that cannot start ends the run; each ping waits up to 15 s
# (trygg-web speaks HTTP, not ZeroMQ: it is watched like the others below)
for s in $started; do
	[ "$s" = web ] && continue
	"$bin/trygg" -c "$cfg" --timeout 15 ping --wait "$s" >/dev/null || {
		[ "$stopping" = 1 ] && exit 0
		echo "trygg: $s does not answer ping"; exit 1; }
done
echo "trygg: running$pids on $cfg; Ctrl-C stops them"
# wait for any daemon to end; then stop the others
while :; do
	for p in $pids; do
		kill -0 "$p" 2>/dev/null && continue
		# a daemon exits 0 only when told to stop (Ctrl-C reaches it first)
		wait "$p"; rc=$?
		[ "$stopping" = 1 ] || [ "$rc" = 0 ] && { stop; exit 0; }
		echo "trygg: process $p ended with status $rc"; exit 1
	done
	sleep 1
done
