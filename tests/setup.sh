#!/usr/bin/env bash
# Installs what the test suite needs and is not on a fresh Debian 12 machine:
# libpcap (capture through FFI), libnftables1 (nftables doors, through FFI) and the real peers the tests compare against
# (tcpdump, knockd/knock, nftables, iproute2, hping3, nmap), and what `deno task package` and its tests use
# (gcc and libc6-dev for the single-file launcher, dpkg-dev, lintian, mandoc, systemd for systemd-analyze),
# and prometheus for promtool (the metrics page is checked with it), fwknop-client and fwknop-server (the fwknop
# door is tested against the real client and daemon).
# Idempotent and quiet when all is present.
# Without root it installs nothing: tests that need these say so and are skipped.
set -euo pipefail

need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in libpcap0.8 tcpdump knockd nftables libnftables1 iproute2 libcap2-bin hping3 nmap \
  gcc libc6-dev dpkg-dev lintian mandoc systemd prometheus fwknop-client fwknop-server; do
  have_pkg "$pkg" || need+=("$pkg")
done
# SPA: Python's cryptography checks the test vectors independently and sends the e2e datagrams; fwknopd (with
# iptables, which it needs) is bench/spa.ts's anchor.
for pkg in python3 python3-cryptography iptables; do
  have_pkg "$pkg" || need+=("$pkg")
done

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "tests/setup.sh: not root, not installing: ${need[*]} (tests that need them will be skipped)" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "tests/setup.sh: no apt-get, not installing: ${need[*]} (tests that need them will be skipped)" >&2
  exit 0
fi
echo "tests/setup.sh: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
