#!/bin/sh
# notify-sms-curl.sh - a trygg notify command: the notification as a text
# message, posted to an SMS gateway's HTTP API with curl.
#
# trygg-escalation runs it for a contact whose channel names it
# (trygg.yaml(5), "notify"), with the notification as JSON on standard input
# and the contact in the environment (docs/notify.md):
#
#   TRYGG_CONTACT_ADDRESS  the phone number, e.g. +46701234567 (required)
#   TRYGG_CONTACT_ID, TRYGG_ESCALATION, TRYGG_ATTEMPT
#
# Settings, from the daemon's environment (keep the token out of
# trygg.yaml, which many people read):
#
#   TRYGG_SMS_URL       the gateway's endpoint (required), e.g.
#                       https://api.46elks.com/a1/sms
#   TRYGG_SMS_TOKEN     sent as "Authorization: Bearer TOKEN", or
#   TRYGG_SMS_USER      with TRYGG_SMS_PASSWORD: HTTP basic authentication
#   TRYGG_SMS_FROM      the sender shown on the phone (default: trygg)
#   TRYGG_SMS_MAX_TIME  seconds curl may take (default 8, under the
#                       default escalation.notify_timeout of 10s)
#
# It POSTs the form fields from, to and message (46elks's API; for another
# gateway change the field names below). Everything curl is told, the token
# and the message included, goes through its standard input (curl -K -),
# never its command line, where any local user could read it in ps.
#
# Exits 0 when the gateway answered 2xx, non-zero otherwise (trygg records
# the failure and tries again). Needs POSIX sh, awk and curl; jq is used
# when it is installed.
set -u

die() {
	printf 'notify-sms-curl: %s\n' "$*" >&2
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

# A curl config line: name = "value", with \ and " escaped (curl -K syntax).
option() {
	printf '%s = "%s"\n' "$1" "$(printf '%s' "$2" | tr '\r\n\t' '   ' |
	    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
}

to=$(oneline "${TRYGG_CONTACT_ADDRESS:-}")
[ -n "$to" ] || die "TRYGG_CONTACT_ADDRESS is empty: give the contact an 'address'"
case $to in
*[!0-9+\ -]*) die "TRYGG_CONTACT_ADDRESS is not a phone number" ;;
esac
to=$(printf '%s' "$to" | tr -d ' -')
url=${TRYGG_SMS_URL:-}
[ -n "$url" ] || die "TRYGG_SMS_URL is not set"
command -v curl >/dev/null 2>&1 || die "curl is not installed"

json=$(cat) || die "cannot read the notification"
[ -n "$json" ] || die "no notification on standard input"
if [ -n "$jq" ]; then
	printf '%s' "$json" | jq -e 'type == "object"' >/dev/null 2>&1 ||
	    die "the notification is not a JSON object"
fi

escalation=$(json_get escalation)
incident=$(json_get incident)
kind=$(json_get kind)
district=$(json_get district)
category=$(json_get category)
severity=$(json_get severity)
summary=$(json_get summary)
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
case $attempt in
''|1) again="" ;;
*) again=" (påminnelse $attempt)" ;;
esac
message="trygg $what$again: $incident $category, allvar $severity, $district: $summary. Kvittera senast $ack_by"
if [ -n "$ack_url" ]; then
	message="$message: $ack_url"
else
	message="$message: trygg ack $escalation --by ${TRYGG_CONTACT_ID:-KONTAKT}"
fi

{
	option url "$url"
	option request POST
	option proto "=https,http"
	option max-time "${TRYGG_SMS_MAX_TIME:-8}"
	printf 'fail\nsilent\nshow-error\n'
	if [ -n "${TRYGG_SMS_TOKEN:-}" ]; then
		option header "Authorization: Bearer $TRYGG_SMS_TOKEN"
	elif [ -n "${TRYGG_SMS_USER:-}" ]; then
		option user "$TRYGG_SMS_USER:${TRYGG_SMS_PASSWORD:-}"
	fi
	option data-urlencode "from=${TRYGG_SMS_FROM:-trygg}"
	option data-urlencode "to=$to"
	option data-urlencode "message=$message"
	option output /dev/null
} | curl -K - || die "curl failed (exit $?) posting to the gateway"
exit 0
