#!/bin/sh
# Runs every test program given and prints the one summary line of make check:
#   tests: P passed, F failed
# A program that dies without printing its tally counts as one failure.
bin="$1"; shift
export TRYGG_BIN="$(cd "$bin" && pwd)"
passed=0; failed=0
for t in "$@"; do
	name=$(basename "$t")
	# a program that hangs is ended and counted as failed, never blocks CI
	out=$(timeout -k 10 "${TEST_TIMEOUT:-600}" "$t" 2>&1); rc=$?
	[ "$rc" -eq 124 ] && out="$out
# $name: timed out after ${TEST_TIMEOUT:-600} s"
	tally=$(printf '%s\n' "$out" | grep -E "^# $name: [0-9]+ passed, [0-9]+ failed$" | tail -n 1)
	if [ -z "$tally" ]; then
		printf '%s\n' "$out" | tail -n 30
		echo "# $name: died (exit $rc) before its tally"
		failed=$((failed + 1))
		continue
	fi
	p=$(echo "$tally" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1/')
	f=$(echo "$tally" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\2/')
	if [ "$f" -ne 0 ] || [ "$rc" -ne 0 ]; then
		printf '%s\n' "$out" | grep -v '^# ' | tail -n 40
		[ "$f" -eq 0 ] && f=1
	fi
	echo "$tally" | sed 's/^# /  /; s/ passed,/ ok,/; s/ failed$/ failing/'
	passed=$((passed + p)); failed=$((failed + f))
done
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
