#!/bin/bash
# Regenerates the captured fwknop client packets of this folder (run as root; Debian fwknop-client 2.6.10,
# tcpdump). The real client sends to 127.0.0.1:62201 (nothing listens), tcpdump on lo captures the datagrams
# into capture.pcap, and each run's `-v` output (the client's own view of the fields) goes to client-N.txt.
# The keys are test keys made with `fwknop --key-gen` (keys.txt), used nowhere else.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp
# shellcheck source=/dev/null
. ./keys.txt
tcpdump -i lo -U -w capture.pcap udp port 62201 2>/dev/null &
dump=$!
sleep 1.5
run() {
  local n=$1
  shift
  fwknop --rc-file "$tmp/rc" --no-save-args -D 127.0.0.1 -v "$@" >"client-$n.txt" 2>&1
  sleep 0.2
}
run 1 -A tcp/22 -a 10.1.2.3 --key-base64-rijndael "$KEY_BASE64" --key-base64-hmac "$HMAC_KEY_BASE64" --use-hmac
run 2 -A tcp/22,udp/53 -s --key-base64-rijndael "$KEY_BASE64" --key-base64-hmac "$HMAC_KEY_BASE64" --use-hmac
run 3 -A tcp/2222 -a 192.0.2.7 -f 45 --key-base64-rijndael "$KEY_BASE64" --key-base64-hmac "$HMAC_KEY_BASE64" --use-hmac
run 4 -A tcp/22 -a 10.1.2.3 -U alice --key-base64-rijndael "$KEY_BASE64" --key-base64-hmac "$HMAC_KEY_BASE64" \
  --use-hmac --hmac-digest-type sha512 -m sha512
run 5 -A tcp/22 -a 10.1.2.3 --key-rijndael "$KEY_TEXT" --key-base64-hmac "$HMAC_KEY_BASE64" --use-hmac
run 6 -A tcp/22 -a 10.1.2.3 --key-base64-rijndael "$KEY_BASE64" --key-base64-hmac "$HMAC_KEY_BASE64" --use-hmac \
  --time-offset-minus 300s
sleep 1
kill "$dump"
wait "$dump" || true
