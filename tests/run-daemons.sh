#!/bin/sh
# make run: starts every daemon that is built on one configuration, in the
# foreground, and stops them all on Ctrl-C (or when one of them exits).
bin="$1"; cfg="$2"
pids=""
stop() {
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
for d in trygg-intake trygg-escalation trygg-reporting trygg-web; do
	[ -x "$bin/$d" ] || continue
	"$bin/$d" -c "$cfg" &
	pids="$pids $!"
done
echo "trygg: running$pids on $cfg; Ctrl-C stops them"
# wait for any daemon to end; then stop the others
while :; do
	for p in $pids; do
		kill -0 "$p" 2>/dev/null || { echo "trygg: process $p ended"; exit 1; }
	done
	sleep 1
done
