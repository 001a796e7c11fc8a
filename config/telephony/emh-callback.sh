#!/bin/sh
# Records a callback the caller confirmed in the IVR: POST /api/v1/tickets, kind "callback".
#
#   emh-callback KEY NUMBER COUNTY DECISION      (COUNTY, DECISION: "-" when unknown)
#
# KEY is the Idempotency-Key (Asterisk: ${UNIQUEID}): running this again for the same call returns the
# ticket already stored instead of recording a second callback. EMH_URLS lists the service instances
# to try in turn (default http://127.0.0.1:8115); EMH_CURL_CONFIG names a curl config file holding
# `header = "Authorization: Bearer sc_…"` of a user with the role pbx (default /etc/asterisk/emh-api.curl),
# so the token is neither on the command line nor in a log. Exit 0 once the service has stored the
# callback, 1 if no instance did, 2 for unusable arguments.
set -eu

[ "$#" -eq 4 ] || exit 2
key=$1 number=$2 county=$3 decision=$4
case "$key" in '' | *[!A-Za-z0-9._-]*) exit 2 ;; esac
case "$number" in '' | *[!0-9+]*) exit 2 ;; esac
case "$county" in -) county=null ;; [0-9][0-9][0-9][0-9][0-9]) county="\"$county\"" ;; *) exit 2 ;; esac
case "$decision" in -) decision=null ;; '' | *[!0-9a-f]*) exit 2 ;; *) decision="\"$decision\"" ;; esac

body=$(printf '{"kind":"callback","county":%s,"decision_id":%s,"summary":"%s","contact":{"phone":"%s","channel":"phone"},"consent":true}' \
  "$county" "$decision" "Rückrufwunsch über das Sprachmenü der 115" "$number")

for url in ${EMH_URLS:-http://127.0.0.1:8115}; do
  if curl -sf -o /dev/null -m 5 -K "${EMH_CURL_CONFIG:-/etc/asterisk/emh-api.curl}" \
      -H 'Content-Type: application/json' -H "Idempotency-Key: $key" \
      --data-binary "$body" "$url/api/v1/tickets"; then
    exit 0
  fi
done
exit 1
