#!/usr/bin/env bash
# Installs the Debian packages that smoketrace's tests and lab use.
# Called by `npm test` (scripts/ensure-system-deps.mjs) when running as root on
# Debian/Ubuntu and something is missing; safe to run by hand, and idempotent.
set -euo pipefail
packages=(
  bgpdump          # reference MRT decoder for differential tests
  bzip2            # streaming .bz2 MRT files
  iproute2         # network namespaces for the lab
  frr              # routers exporting BMP in the lab
  mtr-tiny scamper traceroute tcptraceroute   # traceroute backends
  gobgpd           # Loc-RIB BMP exporter
  chromium         # console tests (playwright-core drives it)
  python3 procps   # lab helpers (delay links, ping), sysctl
)
if [ "$(id -u)" != 0 ]; then
  echo "system-deps: not root; install these with apt-get: ${packages[*]}" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "system-deps: no apt-get here; install these by hand: ${packages[*]}" >&2
  exit 1
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The packaged frr service must not run in the root namespace: the lab starts its own daemons.
if command -v systemctl >/dev/null && systemctl is-active --quiet frr 2>/dev/null; then systemctl stop frr || true; fi
