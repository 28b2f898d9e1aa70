#!/bin/sh
# notify-sendmail.sh - a trygg notify command: the notification as an e-mail.
#
# trygg-escalation runs it for a contact whose channel names it
# (trygg.yaml(5), "notify"), with the notification as JSON on standard input
# and the contact in the environment (docs/notify.md):
#
#   TRYGG_CONTACT_ADDRESS  the recipient's e-mail address (required)
#   TRYGG_CONTACT_ID, TRYGG_CONTACT_NAME, TRYGG_ESCALATION, TRYGG_ATTEMPT
#
# It hands one message to the system's sendmail (sendmail -t -i: recipients
# from the headers; any MTA's sendmail works: Postfix, Exim, msmtp, ...).
# Settings, from the daemon's environment:
#
#   TRYGG_MAIL_FROM   the From: address (default: trygg@ the host's name)
#   SENDMAIL          the sendmail program (default: sendmail in PATH, then
#                     /usr/sbin/sendmail)
#
# Exits 0 when sendmail accepted the message, non-zero otherwise (trygg
# records the failure and tries again). It needs only POSIX sh, awk and
# base64 (coreutils); jq is used when it is installed.
#
# Test it by hand:
#   printf '%s' '{"type":"escalation","escalation":17,"incident":"INC-2026-000042",
#     "kind":"external","team":"omradesteam-1","district":"Skäggetorp",
#     "category":"brand","severity":5,"summary":"Brand i soprum","step":1,
#     "attempt":1,"ack_by":"2026-11-22T20:30:03Z"}' |
#   TRYGG_CONTACT_ADDRESS=you@example.org sh notify-sendmail.sh
set -u

die() {
	printf 'notify-sendmail: %s\n' "$*" >&2
	exit 1
}

# jq when it is there (TRYGG_NO_JQ=1: the awk below, as on a bare system)
jq=
if [ -z "${TRYGG_NO_JQ:-}" ] && command -v jq >/dev/null 2>&1; then
	jq=jq
fi

# json_get KEY: the value of KEY in the object in $json ("" when absent or
# null); strings unescaped. Notifications are flat objects of strings and
# numbers.
json_get() {
	if [ -n "$jq" ]; then
		printf '%s' "$json" | jq -r --arg k "$1" \
		    'if type == "object" then (.[$k] // empty) else empty end'
		return
	fi
	printf '%s' "$json" | LC_ALL=C awk -v key="$1" '
	function hex(s,   i, v) {
		v = 0
		for (i = 1; i <= 4; i++)
			v = v * 16 + index("0123456789abcdef",
			    tolower(substr(s, i, 1))) - 1
		return v
	}
	function utf8(c) {
		if (c < 128) return sprintf("%c", c)
		if (c < 2048) return sprintf("%c%c", 192 + int(c / 64), 128 + c % 64)
		if (c < 65536) return sprintf("%c%c%c", 224 + int(c / 4096),
		    128 + int(c / 64) % 64, 128 + c % 64)
		return sprintf("%c%c%c%c", 240 + int(c / 262144),
		    128 + int(c / 4096) % 64, 128 + int(c / 64) % 64, 128 + c % 64)
	}
	# the JSON string that starts at s[i] (a quote); sets pos past it
	function str(s, i,   out, c, e, u, lo) {
		out = ""
		for (i++; i <= length(s); i++) {
			c = substr(s, i, 1)
			if (c == "\"") { pos = i + 1; return out }
			if (c != "\\") { out = out c; continue }
			e = substr(s, ++i, 1)
			if (e == "n") out = out "\n"
			else if (e == "t") out = out "\t"
			else if (e == "r") out = out "\r"
			else if (e == "b" || e == "f") out = out " "
			else if (e == "u") {
				u = hex(substr(s, i + 1, 4)); i += 4
				if (u >= 55296 && u < 56320 && substr(s, i + 1, 2) == "\\u") {
					lo = hex(substr(s, i + 3, 4))
					if (lo >= 56320 && lo < 57344) {
						u = 65536 + (u - 55296) * 1024 + lo - 56320
						i += 6
					}
				}
				out = out utf8(u)
			} else out = out e      # \" \\ \/
		}
		pos = i
		return out
	}
	{ s = s $0 "\n" }
	END {
		n = length(s)
		for (i = 1; i <= n; i++) {
			c = substr(s, i, 1)
			if (c != "\"") continue
			k = str(s, i); i = pos
			while (substr(s, i, 1) ~ /[ \t\r\n]/) i++
			if (substr(s, i, 1) != ":") { i--; continue }
			for (i++; substr(s, i, 1) ~ /[ \t\r\n]/; i++) ;
			if (substr(s, i, 1) == "\"") {
				v = str(s, i); i = pos - 1
				if (k == key) { printf "%s", v; exit }
				continue
			}
			v = ""
			while (i <= n && substr(s, i, 1) !~ /[,}\] \t\r\n]/) {
				v = v substr(s, i, 1); i++
			}
			i--
			if (k == key) { if (v != "null") printf "%s", v; exit }
		}
	}'
}

# one line: control characters (CR, LF, tab) become spaces
oneline() {
	printf '%s' "$1" | tr '\r\n\t' '   '
}

# header VALUE: RFC 2047 encoded words when VALUE is not plain ASCII,
# cut on character boundaries so that each word stays under 76 bytes
header() {
	v=$(oneline "$1")
	if printf '%s' "$v" | LC_ALL=C grep -q '[^ -~]'; then
		printf '%s' "$v" | LC_ALL=C awk '
		{ s = s $0 }
		END {
			n = length(s); chunk = ""
			for (i = 1; i <= n; i++) {
				c = substr(s, i, 1)
				# a lead byte (not 10xxxxxx) may start a new chunk
				if (length(chunk) >= 40 && (c < "\200" || c > "\277")) {
					print chunk; chunk = ""
				}
				chunk = chunk c
			}
			if (chunk != "") print chunk
		}' | {
			sep=""
			while IFS= read -r part; do
				printf '%s=?UTF-8?B?%s?=' "$sep" \
				    "$(printf '%s' "$part" | base64 | tr -d '\n')"
				sep='
 '
			done
		}
	else
		printf '%s' "$v"
	fi
}

to=$(oneline "${TRYGG_CONTACT_ADDRESS:-}")
[ -n "$to" ] || die "TRYGG_CONTACT_ADDRESS is empty: give the contact an 'address'"
case $to in
*@*) ;;
*) die "TRYGG_CONTACT_ADDRESS is not an e-mail address" ;;
esac
from=$(oneline "${TRYGG_MAIL_FROM:-trygg@$(uname -n)}")

if [ -n "${SENDMAIL:-}" ]; then
	sendmail=$SENDMAIL
elif command -v sendmail >/dev/null 2>&1; then
	sendmail=sendmail
elif [ -x /usr/sbin/sendmail ]; then
	sendmail=/usr/sbin/sendmail
else
	die "no sendmail: install an MTA (e.g. msmtp-mta, postfix) or set SENDMAIL"
fi

json=$(cat) || die "cannot read the notification"
[ -n "$json" ] || die "no notification on standard input"
if [ -n "$jq" ]; then
	printf '%s' "$json" | jq -e 'type == "object"' >/dev/null 2>&1 ||
	    die "the notification is not a JSON object"
fi

escalation=$(json_get escalation)
incident=$(json_get incident)
kind=$(json_get kind)
team=$(json_get team)
district=$(json_get district)
category=$(json_get category)
severity=$(json_get severity)
summary=$(json_get summary)
step=$(json_get step)
attempt=$(json_get attempt)
ack_by=$(json_get ack_by)
ack_url=$(json_get ack_url)
if [ -z "$escalation" ] || [ -z "$incident" ]; then
	die "the notification lacks 'escalation' or 'incident'"
fi

case $kind in
reinforcement) what="Förstärkning" ;;
*) what="Eskalering" ;;
esac
subject="[trygg] $what: $incident, $category $severity, $district - $summary"

{
	printf 'To: %s\n' "$to"
	printf 'From: %s\n' "$(header "trygg") <$from>"
	printf 'Subject: %s\n' "$(header "$subject")"
	printf 'Date: %s\n' "$(LC_ALL=C date '+%a, %d %b %Y %H:%M:%S %z')"
	printf 'MIME-Version: 1.0\n'
	printf 'Content-Type: text/plain; charset=UTF-8\n'
	printf 'Content-Transfer-Encoding: 8bit\n'
	printf 'Auto-Submitted: auto-generated\n'
	printf 'X-Trygg-Escalation: %s\n' "$(oneline "$escalation")"
	printf '\n'
	printf '%s %s: %s\n\n' "$what" "$(oneline "$escalation")" \
	    "$(oneline "$summary")"
	printf 'Händelse:   %s\n' "$incident"
	printf 'Område:     %s (%s)\n' "$district" "$team"
	printf 'Kategori:   %s\n' "$category"
	printf 'Allvar:     %s av 5\n' "$severity"
	printf 'Steg:       %s, avisering %s\n' "$step" "$attempt"
	printf 'Kvittera senast %s\n' "$ack_by"
	if [ -n "$ack_url" ]; then
		printf '  %s\n' "$ack_url"
		printf 'eller: '
	else
		printf '  '
	fi
	printf 'trygg ack %s --by %s\n' "$escalation" \
	    "$(oneline "${TRYGG_CONTACT_ID:-KONTAKT}")"
	printf '\n-- \ntrygg, Linköpings kommun. Svara inte på detta brev.\n'
} | "$sendmail" -t -i || die "$sendmail failed (exit $?)"
exit 0
