#!/bin/bash
# test/lab/lab.sh - smoketrace's network lab: Linux network namespaces, FRR (zebra + bgpd
# with BMP) in every router namespace, user-space delay/loss links between routers.
#
#                 +---- r2 AS65002 ----+            fast path: 1.25 ms per link, one way
#   probe --- r1 AS65001               r4 AS65004 --- tgt
#             |   +-- r3 AS4200000003 -+            slow path: 10 ms per link; r3 prepends once
#             | mgmt veth (root ns <-> r1)
#   collector 10.77.255.1:$LAB_BMP_PORT  <-- BMP from r1 (and from gobgpd, `gobgp up`)
#
#   probe 192.0.2.10 / 2001:db8:1::10 (prefixes originated by r1)
#   targets on tgt: 198.51.100.1 203.0.113.1 2001:db8:100::1 2001:db8:200::1 (originated by r4)
#   README.md beside this file has every address, the commands and measured timings.
#
# Commands (all need root):
#   up                      build the lab (first removes leftovers of the same LAB_PREFIX)
#   down                    tear it down; works after any partial failure
#   status                  namespaces, BGP sessions, r1's FIB, link settings
#   flap prepend|session|link|localpref|blackhole
#                           move the best path to r1-r3-r4 in both directions and wait for it
#   restore                 undo every flap and wait for r1-r2-r4 again
#   impair LINK [delay MS] [jitter MS] [loss PCT] [down|up]   LINK: r1-r2 r1-r3 r2-r4 r3-r4
#   impair LINK reset | impair reset      back to the link's defaults (all links)
#                           data plane only: no BGP change (loss is in percent)
#   withdraw PREFIX | announce PREFIX     r4 stops/starts originating PREFIX; waits for r1
#   ecmp on [equal] | ecmp off            r1 load-shares per flow over r2 and r3 (v4 + v6)
#   ratelimit NODE on [MS] | ratelimit NODE off   ICMP error rate limit in one namespace
#   vtysh ROUTER CMD...     each CMD is one vtysh -c line, e.g. vtysh r1 'show bgp ipv4 unicast json'
#   exec NODE CMD...        run CMD inside NODE's namespace (probe r1 r2 r3 r4 tgt gobgp)
#   ping NODE DST [-c N] [-i S] [-W S]   ICMP echo from NODE, one JSON line (pinger.py)
#   gobgp up|down           gobgpd (AS65006) peering with r1, exporting Loc-RIB over BMP
#   gobgp cli ARGS...       run the gobgp client against that gobgpd
#   bgpd ROUTER kill|start  SIGKILL a router's bgpd (a crash: no NOTIFICATION, no BMP
#                           Termination) / start it again from its config of `up`
#
# Environment:
#   LAB_PREFIX   namespace/interface name prefix (default st-; at most 8 characters)
#   LAB_RUN      state directory (default /tmp/smoketrace-lab.$LAB_PREFIX)
#   LAB_BMP_PORT collector port (default 11019); LAB_BMP_ADDR is fixed at 10.77.255.1
#   LAB_GOBGP_BMP_PORT (default LAB_BMP_PORT), LAB_GOBGP_BMP_POLICY (default local-rib;
#                gobgpd also knows pre-policy, post-policy, both, all)
#   LAB_FAST_MS / LAB_SLOW_MS  one-way delay per link on the two paths (1.25 / 10)
#   LAB_ANNOUNCE_LINKS=1  link subnets originated by the router at their far end from the probe
#   LAB_ECMP_SEED  r1's multipath hash seed for `ecmp on` (default 1: same flow, same branch)
#   LAB_KEEP_ON_FAIL=1  leave a failed `up` standing for debugging
#
# One lab per machine at a time: the management subnet 10.77.255.0/30 in the root
# namespace is fixed. test/lab/lab.ts serialises its users with a lock file.
# Every process the lab starts is killed through its pid file (checked against this run
# directory) or because it sits in one of the lab's own namespaces; never by name.
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
P=${LAB_PREFIX:-st-}
RUN=${LAB_RUN:-/tmp/smoketrace-lab.$P}
BMP_ADDR=10.77.255.1
BMP_PORT=${LAB_BMP_PORT:-11019}
GOBGP_BMP_PORT=${LAB_GOBGP_BMP_PORT:-$BMP_PORT}
GOBGP_BMP_POLICY=${LAB_GOBGP_BMP_POLICY:-local-rib}
FAST_MS=${LAB_FAST_MS:-1.25}
SLOW_MS=${LAB_SLOW_MS:-10}
# LAB_ANNOUNCE_LINKS=1: each link subnet is also originated in BGP by the router at its
# far end from the probe (r1-r2 by r2, r1-r3 by r3, r2-r4, r3-r4 and r4-tgt by r4), so
# every traceroute hop address is covered by a route of the AS of the router that
# answers (hops answer from their inbound interface). Connected routes still forward.
# Off by default: the lab's other tests count routes. Templates mark the lines @LINKS@.
if [[ ${LAB_ANNOUNCE_LINKS:-0} == 1 ]]; then LINKS_MARK=''; else LINKS_MARK='! '; fi
ECMP_SEED=${LAB_ECMP_SEED:-1}
FRR=/usr/lib/frr
PY=/usr/bin/python3
ROUTERS="r1 r2 r3 r4"
NODES="probe r1 r2 r3 r4 tgt"
declare -A ASN=([r1]=65001 [r2]=65002 [r3]=4200000003 [r4]=65004 [gobgp]=65006)
# delay links: name  router-a if-a  router-b if-b  default one-way delay (ms)
LINKS=(
  "r1-r2 r1 to-r2 r2 to-r1 $FAST_MS"
  "r1-r3 r1 to-r3 r3 to-r1 $SLOW_MS"
  "r2-r4 r2 to-r4 r4 to-r2 $FAST_MS"
  "r3-r4 r3 to-r4 r4 to-r3 $SLOW_MS"
)
MGMT_IF=${P}mgmt      # root-namespace end of r1's management veth
GMGMT_IF=${P}gmgmt    # root-namespace end of gobgp's management veth

say() { echo "[lab $(date +%T.%3N)] $*" >&2; }
die() { echo "lab.sh: $*" >&2; exit 1; }
ns() { echo "$P$1"; }
inns() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }
ms_now() { date +%s%3N; }

check_prefix() {
  [[ $P =~ ^[a-z][a-z0-9-]{0,7}$ ]] || die "LAB_PREFIX must be 1-8 characters [a-z0-9-] starting with a letter (got '$P')"
}

vty() { # router cmd...  (one -c per cmd)
  local r=$1; shift
  local args=() c
  for c in "$@"; do args+=(-c "$c"); done
  vtysh --vty_socket "$RUN/$r" "${args[@]}"
}

wait_until() { # timeout_s what cmd...
  local t=$1 what=$2; shift 2
  local end=$(( $(ms_now) + t * 1000 ))
  until "$@" >/dev/null 2>&1; do
    [ "$(ms_now)" -lt "$end" ] || { say "timed out after ${t}s waiting for: $what"; return 1; }
    sleep 0.05
  done
}

preflight() {
  [ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
  local miss=() b
  for b in ip vtysh "$FRR/zebra" "$FRR/bgpd" "$PY"; do command -v "$b" >/dev/null || miss+=("$b"); done
  compgen -G "/usr/lib/*/frr/modules/bgpd_bmp.so" >/dev/null || miss+=("bgpd_bmp.so (frr)")
  [ -c /dev/net/tun ] || miss+=(/dev/net/tun)
  [ ${#miss[@]} -eq 0 ] || die "missing: ${miss[*]} (apt-get install frr iproute2 python3)"
}

# ------------------------------------------------------------------ teardown
# Is pid alive and one of ours? Ours = its command line names our run directory (every
# daemon and link is started with a path inside $RUN), so a recycled pid is never killed.
ours() {
  local pid=$1
  [[ $pid =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$RUN/"
}

# Running (not a zombie)? The lab's daemons are re-parented to pid 1, which on these
# machines reaps only every ~2 s; `kill -0` would count the zombie as alive.
running() {
  local st
  st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }
  [ "${st%% *}" != Z ]
}

stop_pids() { # pid... : TERM, wait up to 5 s, then KILL
  local pid alive end=$(( $(ms_now) + 5000 ))
  [ $# -gt 0 ] || return 0
  kill "$@" 2>/dev/null || true
  while :; do
    alive=(); for pid in "$@"; do running "$pid" && alive+=("$pid"); done
    [ ${#alive[@]} -gt 0 ] || return 0
    if [ "$(ms_now)" -ge "$end" ]; then say "killing stuck pids ${alive[*]}"; kill -9 "${alive[@]}" 2>/dev/null || true; return 0; fi
    sleep 0.02
  done
}

stop_pidfiles() { # pidfile...
  local f pid pids=()
  for f in "$@"; do
    [ -f "$f" ] || continue
    pid=$(head -c 20 "$f" 2>/dev/null | tr -dc 0-9) || true
    if [ -n "$pid" ] && ours "$pid"; then pids+=("$pid"); fi
    rm -f "$f"
  done
  stop_pids "${pids[@]}"
}

lab_namespaces() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${P}(probe|r[1-4]|tgt|gobgp)\$" || true; }

cmd_down() {
  check_prefix
  local t0 n pid left
  t0=$(ms_now)
  # bgp speakers first (they send CEASE and leave zebra), then zebra, then the links
  local tb tz tl
  stop_pidfiles "$RUN"/r?/bgpd.pid "$RUN"/gobgp/gobgpd.pid; tb=$(ms_now)
  stop_pidfiles "$RUN"/r?/zebra.pid; tz=$(ms_now)
  stop_pidfiles "$RUN"/links/*.pid; tl=$(ms_now)
  # anything still inside our own namespaces (a daemon that died before writing its pid
  # file, a probe a test left running) was started by the lab or its user: stop it too
  for n in $(lab_namespaces); do
    left=$(ip netns pids "$n" 2>/dev/null | tr '\n' ' ') || true
    if [ -n "${left// /}" ]; then
      say "stopping leftover processes in $n: $left"
      # shellcheck disable=SC2086
      stop_pids $left
    fi
  done
  ip link del "$MGMT_IF" 2>/dev/null || true
  ip link del "$GMGMT_IF" 2>/dev/null || true
  for n in $(lab_namespaces); do ip netns del "$n" 2>/dev/null || say "could not delete namespace $n"; done
  # keep the last run's logs and MRT dump for a post-mortem
  if [ -d "$RUN" ]; then rm -rf "$RUN.prev"; mv "$RUN" "$RUN.prev"; fi
  left=$(lab_namespaces | tr '\n' ' ')
  [ -z "$left" ] || die "namespaces left behind: $left"
  say "down in $(( $(ms_now) - t0 )) ms (bgp speakers $((tb - t0)), zebra $((tz - tb)), links $((tl - tz)), namespaces $(( $(ms_now) - tl )))"
}

# ------------------------------------------------------------------ building
addr() { # node dev ipv4/len [ipv6/len]
  inns "$1" ip addr add "$3" dev "$2"
  [ -z "${4:-}" ] || inns "$1" ip -6 addr add "$4" dev "$2" nodad
  inns "$1" ip link set "$2" up
}

# `ethtool -K DEV tx off` without ethtool (not installed): SIOCETHTOOL + ETHTOOL_STXCSUM.
# Needed on the probe's veth: with tx checksum offload on, UDP probes reach r1 with the
# checksum unfinished, r1 quotes them so in ICMP errors, and scamper's IPv6 udp-paris
# (which matches replies on that checksum) loses hop 1.
tx_checksum_off() { # node dev
  inns "$1" "$PY" - "$2" <<'PYEOF'
import ctypes, fcntl, socket, struct, sys
SIOCETHTOOL, ETHTOOL_STXCSUM = 0x8946, 0x17
val = ctypes.create_string_buffer(struct.pack("II", ETHTOOL_STXCSUM, 0), 8)
ifreq = struct.pack("16sP", sys.argv[1].encode(), ctypes.addressof(val)).ljust(40, b"\0")
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
fcntl.ioctl(sock.fileno(), SIOCETHTOOL, ifreq)
PYEOF
}

render() { # template -> stdout, @RUN@ @BMP_ADDR@ @BMP_PORT@ @BMP_POLICY@ filled in
  sed -e "s|@RUN@|$RUN|g" -e "s|@BMP_ADDR@|$BMP_ADDR|g" -e "s|@BMP_PORT@|${2:-$BMP_PORT}|g" \
      -e "s|@BMP_POLICY@|$GOBGP_BMP_POLICY|g" -e "s|@LINKS@|$LINKS_MARK|g" "$1"
}

link_ctl() { # name delay jitter loss down -> control file
  printf '{"delay_ms": %s, "jitter_ms": %s, "loss_pct": %s, "down": %s}\n' "$2" "$3" "$4" "$5" >"$RUN/links/$1.json"
}

start_link() { # name ra ifa rb ifb delay
  local name=$1
  link_ctl "$name" "$6" 0 0 false
  "$PY" "$HERE/delaylink.py" --name "$name" --a "$(ns "$2"):$3" --b "$(ns "$4"):$5" \
    --delay-ms "$6" --ctl "$RUN/links/$name.json" --pidfile "$RUN/links/$name.pid" </dev/null >>"$RUN/links/$name.log" 2>&1 &
  echo $! >"$RUN/links/$name.pid"
}

start_frr() { # router
  local r=$1 d=$RUN/$1
  echo "hostname $r" >"$d/zebra.conf"
  render "$HERE/frr/$r.bgpd.conf" >"$d/bgpd.conf"
  chown -R frr:frr "$d"
  # One zebra + one bgpd per namespace, every path private to $d. FRR refuses to run as
  # root (root is not in group frrvty): the daemons drop to user frr, hence the chown.
  inns "$r" "$FRR/zebra" -d -f "$d/zebra.conf" -i "$d/zebra.pid" -z "$d/zserv.api" \
    --vty_socket "$d" -P 0 --log "file:$d/zebra.log" --log-level info </dev/null >>"$d/startup.log" 2>&1
  start_bgpd "$r"
}

start_bgpd() { # router (its zebra runs; bgpd.conf was rendered by start_frr)
  local r=$1 d=$RUN/$1
  inns "$r" "$FRR/bgpd" -d -M bmp -f "$d/bgpd.conf" -i "$d/bgpd.pid" -z "$d/zserv.api" \
    --vty_socket "$d" -P 0 --log "file:$d/bgpd.log" --log-level info </dev/null >>"$d/startup.log" 2>&1
}

# The FIB of r1 (forward) and r4 (return), v4 and v6, uses transit router $2 (r2|r3).
# IPv6 BGP next hops are link-local (fe80::), so the check is on the outgoing device.
paths_via() { # r2|r3
  ip -n "$(ns r1)" -4 route show 198.51.100.0/24 | grep -q "dev to-$1" &&
  ip -n "$(ns r1)" -6 route show 2001:db8:100::/48 | grep -q "dev to-$1" &&
  ip -n "$(ns r4)" -4 route show 192.0.2.0/24 | grep -q "dev to-$1" &&
  ip -n "$(ns r4)" -6 route show 2001:db8:1::/64 | grep -q "dev to-$1"
}
wait_paths() { wait_until "$1" "best paths via $2 on r1 and r4, v4 and v6" paths_via "$2"; }

cmd_up() {
  check_prefix; preflight
  local t0 n r l
  t0=$(ms_now)
  if [ -n "$(lab_namespaces)" ] || [ -d "$RUN" ] || ip link show "$MGMT_IF" >/dev/null 2>&1; then
    say "leftovers of lab '$P' found: tearing them down first"; cmd_down
  fi
  if ip -4 -o addr show | grep -q " inet $BMP_ADDR/"; then
    die "$BMP_ADDR is already on $(ip -4 -o addr show | awk -v a="$BMP_ADDR/" 'index($4, a) == 1 {print $2}') - another lab is up (one per machine)"
  fi
  trap 'rc=$?; say "up FAILED (rc $rc), logs in $RUN"; [ "${LAB_KEEP_ON_FAIL:-0}" = 1 ] || cmd_down || true; exit $rc' ERR
  mkdir -p "$RUN/links"
  for n in $NODES; do
    ip netns add "$(ns "$n")"
    inns "$n" ip link set lo up
    # ICMP errors unlimited (mtr/traceroute see every hop), IPv6 addresses usable at
    # once and kept when a link goes down (flap link), no reverse-path filtering.
    inns "$n" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 \
      net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
      net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
      net.ipv6.conf.all.keep_addr_on_down=1 net.ipv6.conf.default.keep_addr_on_down=1
  done
  for r in $ROUTERS; do
    inns "$r" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
      net.ipv4.icmp_errors_use_inbound_ifaddr=1
    mkdir -p "$RUN/$r"
  done
  mkdir -p "$RUN/r1/mrt"
  # veth pairs, created straight inside the namespaces (only the mgmt end is in the root ns)
  ip link add eth0 netns "$(ns probe)" type veth peer name to-probe netns "$(ns r1)"
  tx_checksum_off probe eth0
  ip link add to-tgt netns "$(ns r4)" type veth peer name eth0 netns "$(ns tgt)"
  ip link add "$MGMT_IF" type veth peer name mgmt netns "$(ns r1)"
  # router-to-router links: TUN pairs bridged by delaylink.py
  for l in "${LINKS[@]}"; do
    # shellcheck disable=SC2086
    start_link $l
  done
  for l in "${LINKS[@]}"; do
    # shellcheck disable=SC2086
    set -- $l
    wait_until 10 "link $1" ip -n "$(ns "$2")" link show "$3"
    wait_until 10 "link $1" ip -n "$(ns "$4")" link show "$5"
  done
  addr probe eth0 192.0.2.10/24 2001:db8:1::10/64
  addr r1 to-probe 192.0.2.1/24 2001:db8:1::1/64
  addr r1 mgmt 10.77.255.2/30 fd77:ff::2/64
  ip addr add "$BMP_ADDR/30" dev "$MGMT_IF"
  ip -6 addr add fd77:ff::1/64 dev "$MGMT_IF" nodad
  ip link set "$MGMT_IF" up
  addr r1 to-r2 10.77.12.1/30 fd77:12::1/64;  addr r2 to-r1 10.77.12.2/30 fd77:12::2/64
  addr r1 to-r3 10.77.13.1/30 fd77:13::1/64;  addr r3 to-r1 10.77.13.2/30 fd77:13::2/64
  addr r2 to-r4 10.77.24.1/30 fd77:24::1/64;  addr r4 to-r2 10.77.24.2/30 fd77:24::2/64
  addr r3 to-r4 10.77.34.1/30 fd77:34::1/64;  addr r4 to-r3 10.77.34.2/30 fd77:34::2/64
  addr r4 to-tgt 10.77.40.1/30 fd77:40::1/64; addr tgt eth0 10.77.40.2/30 fd77:40::2/64
  inns tgt ip addr add 198.51.100.1/32 dev lo
  inns tgt ip addr add 203.0.113.1/32 dev lo
  inns tgt ip -6 addr add 2001:db8:100::1/128 dev lo
  inns tgt ip -6 addr add 2001:db8:200::1/128 dev lo
  inns probe ip route add default via 192.0.2.1
  inns probe ip -6 route add default via 2001:db8:1::1
  inns tgt ip route add default via 10.77.40.1
  inns tgt ip -6 route add default via fd77:40::1
  inns r4 ip route add 198.51.100.0/24 via 10.77.40.2
  inns r4 ip route add 203.0.113.0/24 via 10.77.40.2
  inns r4 ip -6 route add 2001:db8:100::/48 via fd77:40::2
  inns r4 ip -6 route add 2001:db8:200::/48 via fd77:40::2
  for r in $ROUTERS; do start_frr "$r"; done
  say "namespaces, links and daemons up after $(( $(ms_now) - t0 )) ms; waiting for BGP"
  wait_paths 60 r2
  wait_until 20 "probe -> 198.51.100.1" inns probe "$PY" "$HERE/pinger.py" -c 1 -W 1 198.51.100.1
  wait_until 20 "probe -> 2001:db8:100::1" inns probe "$PY" "$HERE/pinger.py" -c 1 -W 1 2001:db8:100::1
  trap - ERR
  say "up in $(( $(ms_now) - t0 )) ms (run dir $RUN)"
}

cmd_status() {
  check_prefix
  [ -n "$(lab_namespaces)" ] || { echo "lab '$P' is not up"; return 0; }
  echo "namespaces: $(lab_namespaces | tr '\n' ' ')"
  local r f
  for r in $ROUTERS; do
    echo "== $r (AS ${ASN[$r]})"
    vty "$r" "show bgp summary" 2>&1 | grep -E '^(Neighbor|10\.|fd77)' || true
  done
  echo "== r1 FIB"; ip -n "$(ns r1)" -4 route; ip -n "$(ns r1)" -6 route | grep -v '^fe80' || true
  echo "== links"; for f in "$RUN"/links/*.json; do echo "$(basename "$f" .json): $(cat "$f")"; done
}

# ------------------------------------------------------------------ flaps
soft() { # router in|out neighbor...
  local r=$1 dir=$2 n; shift 2
  for n in "$@"; do vty "$r" "clear bgp $n soft $dir" >/dev/null; done
}

cmd_flap() {
  local mode=${1:-}
  case $mode in
  prepend)    # both ends of r1-r2 prepend 3x: AS_PATH via r2 becomes longer than via r3
    vty r4 "configure terminal" "route-map TO-R2 permit 10" "set as-path prepend 65004 65004 65004" "end"
    vty r1 "configure terminal" "route-map TO-R2 permit 10" "set as-path prepend 65001 65001 65001" "end"
    soft r4 out 10.77.24.1 fd77:24::1; soft r1 out 10.77.12.2 fd77:12::2 ;;
  localpref)  # r1 and r4 prefer what r3 sends them (local-pref 200 beats the shorter path)
    vty r1 "configure terminal" "route-map FROM-R3 permit 10" "set local-preference 200" "end"
    vty r4 "configure terminal" "route-map FROM-R3 permit 10" "set local-preference 200" "end"
    soft r1 in 10.77.13.2 fd77:13::2; soft r4 in 10.77.34.1 fd77:34::1 ;;
  session)    # r1 shuts its sessions to r2 (BMP Peer Down)
    vty r1 "configure terminal" "router bgp 65001" "neighbor 10.77.12.2 shutdown" "neighbor fd77:12::2 shutdown" "end" ;;
  link)       # r1-r2 interfaces admin-down on both ends: carrier loss, sessions drop at once
    inns r1 ip link set to-r2 down; inns r2 ip link set to-r1 down ;;
  blackhole)  # r1-r2 silently drops everything: sessions die when the 9 s hold timer expires
    cmd_impair r1-r2 down ;;
  *) die "flap prepend|session|link|localpref|blackhole" ;;
  esac
  wait_paths 30 r3
  say "flap $mode: best path r1-r3-r4 both ways"
}

cmd_restore() {
  vty r4 "configure terminal" "route-map TO-R2 permit 10" "no set as-path prepend" "exit" \
    "route-map FROM-R3 permit 10" "no set local-preference" "end" >/dev/null 2>&1 || true
  vty r1 "configure terminal" "route-map TO-R2 permit 10" "no set as-path prepend" "exit" \
    "route-map FROM-R3 permit 10" "no set local-preference" "exit" \
    "router bgp 65001" "no neighbor 10.77.12.2 shutdown" "no neighbor fd77:12::2 shutdown" "end" >/dev/null
  inns r1 ip link set to-r2 up; inns r2 ip link set to-r1 up
  if grep -q '"down": true' "$RUN/links/r1-r2.json" 2>/dev/null; then cmd_impair r1-r2 up; fi
  soft r4 out 10.77.24.1 fd77:24::1 2>/dev/null || true
  soft r1 out 10.77.12.2 fd77:12::2 2>/dev/null || true
  soft r1 in 10.77.13.2 fd77:13::2 2>/dev/null || true
  soft r4 in 10.77.34.1 fd77:34::1 2>/dev/null || true
  wait_paths 60 r2
  say "restored: best path r1-r2-r4 both ways"
}

# ------------------------------------------------------------------ data plane
cmd_impair() { # LINK [delay MS] [jitter MS] [loss PCT] [down|up] | LINK reset | reset
  local link=${1:-} x name def
  [ -n "$link" ] || die "impair LINK [delay MS] [jitter MS] [loss PCT] [down|up] | impair LINK reset | impair reset"
  shift
  if [ "$link" = reset ]; then
    for x in "${LINKS[@]}"; do cmd_impair "${x%% *}" reset; done; return 0
  fi
  def=""
  for x in "${LINKS[@]}"; do read -r name _ _ _ _ d <<<"$x"; [ "$name" = "$link" ] && def=$d; done
  [ -n "$def" ] || die "no link '$link' (r1-r2 r1-r3 r2-r4 r3-r4)"
  local ctl=$RUN/links/$link.json pidf=$RUN/links/$link.pid
  [ -f "$ctl" ] && [ -f "$pidf" ] || die "link $link is not running (lab up?)"
  local d j l dn
  read -r d j l dn < <("$PY" -c 'import json, sys
c = json.load(open(sys.argv[1]))
print(c["delay_ms"], c.get("jitter_ms", 0), c.get("loss_pct", 0), "true" if c.get("down") else "false")' "$ctl")
  num() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "impair: '$1' is not a number"; echo "$1"; }
  while [ $# -gt 0 ]; do
    case $1 in
      delay) d=$(num "${2:-}"); shift 2 ;;
      jitter) j=$(num "${2:-}"); shift 2 ;;
      loss) l=$(num "${2%\%}"); shift 2 ;;
      down) dn=true; shift ;;
      up) dn=false; shift ;;
      reset) d=$def; j=0; l=0; dn=false; shift ;;
      *) die "impair: unknown argument '$1'" ;;
    esac
  done
  "$PY" -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= 100 else 1)' "$l" || die "impair: loss is a percentage 0..100"
  link_ctl "$link" "$d" "$j" "$l" "$dn"
  kill -HUP "$(cat "$pidf")"
  say "impair $link: $(cat "$ctl")"
}

# ------------------------------------------------------------------ routing knobs
ecmp_state() { # multi|single: r1's v4 and v6 target routes have 2 / no nexthop lines
  local n4 n6
  n4=$(ip -n "$(ns r1)" -4 route show 198.51.100.0/24 | grep -cE 'nexthop via .* dev to-r[23]' || true)
  n6=$(ip -n "$(ns r1)" -6 route show 2001:db8:100::/48 | grep -cE 'nexthop via .* dev to-r[23]' || true)
  if [ "$1" = multi ]; then [ "$n4" -eq 2 ] && [ "$n6" -eq 2 ]; else [ "$n4" -eq 0 ] && [ "$n6" -eq 0 ]; fi
}

cmd_ecmp() { # on [equal] | off
  case ${1:-} in
  on)
    [ -z "${2:-}" ] || [ "$2" = equal ] || die "ecmp on [equal] | ecmp off"
    # Hash policy 3 (custom fields 0x37: src/dst address, protocol, src/dst port) for v4
    # and v6, fixed seed: one 5-tuple keeps one branch, on every `up`. ICMP has no ports,
    # so all ICMP between one address pair takes one branch. (Policy 1 would reuse the
    # socket hash the probe's veth hands over, and hash the IPv6 flow label.)
    inns r1 sysctl -qw net.ipv4.fib_multipath_hash_policy=3 net.ipv6.fib_multipath_hash_policy=3 \
      net.ipv4.fib_multipath_hash_fields=0x0037 net.ipv6.fib_multipath_hash_fields=0x0037 \
      net.ipv4.fib_multipath_hash_seed="$ECMP_SEED"
    vty r1 "configure terminal" "router bgp 65001" "bgp bestpath as-path multipath-relax" \
      "address-family ipv4 unicast" "maximum-paths 2" "exit-address-family" \
      "address-family ipv6 unicast" "maximum-paths 2" "end"
    # equal AS_PATH lengths towards r1 only: r3 stops prepending to r1 (r4 still returns via r2)
    vty r3 "configure terminal" "router bgp ${ASN[r3]}" \
      "address-family ipv4 unicast" "no neighbor 10.77.13.1 route-map PREPEND out" "exit-address-family" \
      "address-family ipv6 unicast" "no neighbor fd77:13::1 route-map PREPEND out" "end"
    soft r3 out 10.77.13.1 fd77:13::1
    if [ "${2:-}" = equal ]; then
      cmd_impair r1-r3 delay "$FAST_MS"; cmd_impair r3-r4 delay "$FAST_MS"; touch "$RUN/ecmp-equal"
    fi
    wait_until 30 "r1 multipath over r2 and r3" ecmp_state multi
    say "ecmp on${2:+ ($2)}: r1 load-shares per flow over r2 and r3 (seed $ECMP_SEED)" ;;
  off)
    vty r1 "configure terminal" "router bgp 65001" "no bgp bestpath as-path multipath-relax" \
      "address-family ipv4 unicast" "no maximum-paths 2" "exit-address-family" \
      "address-family ipv6 unicast" "no maximum-paths 2" "end"
    vty r3 "configure terminal" "router bgp ${ASN[r3]}" \
      "address-family ipv4 unicast" "neighbor 10.77.13.1 route-map PREPEND out" "exit-address-family" \
      "address-family ipv6 unicast" "neighbor fd77:13::1 route-map PREPEND out" "end"
    soft r3 out 10.77.13.1 fd77:13::1
    inns r1 sysctl -qw net.ipv4.fib_multipath_hash_policy=0 net.ipv6.fib_multipath_hash_policy=0 \
      net.ipv4.fib_multipath_hash_fields=0x0007 net.ipv6.fib_multipath_hash_fields=0x0007 \
      net.ipv4.fib_multipath_hash_seed=0
    if [ -f "$RUN/ecmp-equal" ]; then
      cmd_impair r1-r3 delay "$SLOW_MS"; cmd_impair r3-r4 delay "$SLOW_MS"; rm -f "$RUN/ecmp-equal"
    fi
    wait_until 30 "r1 single path" ecmp_state single
    wait_paths 30 r2
    say "ecmp off" ;;
  *) die "ecmp on [equal] | ecmp off" ;;
  esac
}

cmd_ratelimit() { # NODE on [MS] | NODE off
  local n=${1:-} what=${2:-} ms=${3:-1000}
  case " $NODES " in *" $n "*) ;; *) die "ratelimit NODE on [MS] | ratelimit NODE off (NODE: $NODES)" ;; esac
  case $what in on) ;; off) ms=0 ;; *) die "ratelimit NODE on [MS] | ratelimit NODE off" ;; esac
  [[ $ms =~ ^[0-9]+$ ]] || die "ratelimit: MS must be a whole number of milliseconds"
  # kernel token bucket per destination: one ICMP error per MS, bursts of 6; applies to
  # the types in icmp_ratemask (3, 4, 11, 12) and icmp.ratemask (v6), not to echo replies
  inns "$n" sysctl -qw net.ipv4.icmp_ratelimit="$ms" net.ipv6.icmp.ratelimit="$ms"
  say "ratelimit $n: $ms ms"
}

cmd_origin() { # withdraw|announce PREFIX
  local act=$1 pfx=${2:-} af=ipv4 fam=-4 no=""
  [[ $pfx =~ ^[0-9a-fA-F.:]+/[0-9]+$ ]] || die "$act PREFIX (e.g. 203.0.113.0/24 or 2001:db8:200::/48)"
  [[ $pfx == *:* ]] && { af=ipv6; fam=-6; }
  [ "$act" = withdraw ] && no="no "
  vty r4 "configure terminal" "router bgp 65004" "address-family $af unicast" "${no}network $pfx" "end"
  r1_has() { ip -n "$(ns r1)" "$fam" route show "$pfx" | grep -q 'proto bgp'; }
  if [ "$act" = withdraw ]; then
    wait_until 30 "r1 to lose $pfx" sh -c "! ip -n '$(ns r1)' $fam route show '$pfx' | grep -q 'proto bgp'"
  else
    wait_until 30 "r1 to learn $pfx" r1_has
  fi
  say "$act $pfx: done (seen at r1)"
}

# ------------------------------------------------------------------ gobgpd (Loc-RIB over BMP)
gobgp_cli() { inns gobgp gobgp -u 127.0.0.1 -p 50051 "$@"; }

r1_gobgp_neighbor() { # r1 peers with gobgpd (v4 and v6)
  vty r1 "configure terminal" "router bgp 65001" \
    "neighbor 10.77.16.2 remote-as 65006" "neighbor fd77:16::2 remote-as 65006" \
    "neighbor 10.77.16.2 advertisement-interval 0" "neighbor fd77:16::2 advertisement-interval 0" \
    "neighbor 10.77.16.2 timers connect 2" "neighbor fd77:16::2 timers connect 2" \
    "address-family ipv4 unicast" "neighbor 10.77.16.2 activate" "exit-address-family" \
    "address-family ipv6 unicast" "neighbor fd77:16::2 activate" "end"
}

cmd_gobgp() {
  local d=$RUN/gobgp
  case ${1:-} in
  up)
    [ -n "$(lab_namespaces | grep -x "$(ns r1)")" ] || die "lab is not up"
    command -v gobgpd >/dev/null || die "gobgpd is not installed (apt-get install gobgpd)"
    cmd_gobgp down >/dev/null 2>&1 || true
    local t0; t0=$(ms_now)
    mkdir -p "$d"
    ip netns add "$(ns gobgp)"
    inns gobgp ip link set lo up
    inns gobgp sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
    ip link add to-gobgp netns "$(ns r1)" type veth peer name eth0 netns "$(ns gobgp)"
    addr r1 to-gobgp 10.77.16.1/30 fd77:16::1/64
    addr gobgp eth0 10.77.16.2/30 fd77:16::2/64
    # its own management veth to the root namespace: the collector address is reachable
    # without any route in the root namespace (reply goes out on the connected /30)
    ip link add "$GMGMT_IF" type veth peer name mgmt netns "$(ns gobgp)"
    ip addr add 10.77.255.5/30 dev "$GMGMT_IF"; ip link set "$GMGMT_IF" up
    addr gobgp mgmt 10.77.255.6/30
    inns gobgp ip route add "$BMP_ADDR/32" via 10.77.255.5
    render "$HERE/frr/gobgpd.toml" "$GOBGP_BMP_PORT" >"$d/gobgpd.toml"
    r1_gobgp_neighbor
    # r1 knows the neighbour before gobgpd first connects: a connection r1 refuses sends
    # gobgpd's peer to IDLE for seconds
    ip netns exec "$(ns gobgp)" gobgpd -f "$d/gobgpd.toml" -t toml -p --api-hosts 127.0.0.1:50051 \
      --pprof-disable </dev/null >>"$d/gobgpd.log" 2>&1 &
    echo $! >"$d/gobgpd.pid"
    wait_until 30 "gobgpd to learn 198.51.100.0/24 and 2001:db8:100::/48 from r1" sh -c \
      "ip netns exec '$(ns gobgp)' gobgp -u 127.0.0.1 global rib -a ipv4 198.51.100.0/24 | grep -q 65001 &&
       ip netns exec '$(ns gobgp)' gobgp -u 127.0.0.1 global rib -a ipv6 2001:db8:100::/48 | grep -q 65001"
    say "gobgp up in $(( $(ms_now) - t0 )) ms: AS65006 peers with r1, BMP ($GOBGP_BMP_POLICY) to $BMP_ADDR:$GOBGP_BMP_PORT" ;;
  down)
    stop_pidfiles "$d/gobgpd.pid"
    if [ -n "$(lab_namespaces | grep -x "$(ns gobgp)")" ]; then
      local left; left=$(ip netns pids "$(ns gobgp)" | tr '\n' ' ')
      # shellcheck disable=SC2086
      [ -z "${left// /}" ] || stop_pids $left
      ip netns del "$(ns gobgp)"
    fi
    ip link del "$GMGMT_IF" 2>/dev/null || true
    [ -S "$RUN/r1/bgpd.vty" ] && vty r1 "configure terminal" "router bgp 65001" \
      "no neighbor 10.77.16.2" "no neighbor fd77:16::2" "end" >/dev/null 2>&1 || true
    say "gobgp down" ;;
  cli) shift; gobgp_cli "$@" ;;
  *) die "gobgp up|down|cli ARGS..." ;;
  esac
}

# ------------------------------------------------------------------ one bgpd
bgpd_pid() { # router -> pid of its running bgpd (ours, not a zombie), or nothing
  local pid
  pid=$(head -c 20 "$RUN/$1/bgpd.pid" 2>/dev/null | tr -dc 0-9) || true
  if [ -n "$pid" ] && ours "$pid" && running "$pid"; then echo "$pid"; fi
}

all_established() { # router: every neighbour in `show bgp summary json` is Established
  vty "$1" "show bgp summary json" | "$PY" -c 'import json, sys
d = json.load(sys.stdin)
peers = [p for af in d.values() if isinstance(af, dict) for p in af.get("peers", {}).values()]
sys.exit(0 if peers and all(p.get("state") == "Established" for p in peers) else 1)'
}

cmd_bgpd() { # ROUTER kill|start
  local r=${1:-} pid
  [[ " $ROUTERS " == *" ${r:-x} "* ]] || die "bgpd ROUTER kill|start (ROUTER: $ROUTERS)"
  [ -d "$RUN/$r" ] && [ -n "$(lab_namespaces | grep -x "$(ns "$r")")" ] || die "lab is not up"
  case ${2:-} in
  kill) # SIGKILL by pid file, as a crash: the kernel closes its sockets (BGP and BMP peers
        # see the TCP connection end without NOTIFICATION or Termination); zebra drops its routes
    pid=$(bgpd_pid "$r")
    [ -n "$pid" ] || die "bgpd of $r is not running (pid file $RUN/$r/bgpd.pid)"
    kill -9 "$pid"
    local end=$(( $(ms_now) + 10000 ))
    while running "$pid"; do
      [ "$(ms_now)" -lt "$end" ] || die "bgpd of $r (pid $pid) still running 10 s after SIGKILL"
      sleep 0.02
    done
    rm -f "$RUN/$r/bgpd.pid"
    say "bgpd of $r killed (pid $pid)" ;;
  start) # from the config rendered at `up` (runtime changes such as flaps are not in it;
         # r1 gets its gobgpd neighbour back when gobgp is up); waits until every session is up
    [ -z "$(bgpd_pid "$r")" ] || die "bgpd of $r is already running (pid $(bgpd_pid "$r"))"
    local t0; t0=$(ms_now)
    start_bgpd "$r"
    wait_until 20 "bgpd of $r to answer on its vty" vty "$r" "show bgp summary"
    if [ "$r" = r1 ] && [ -n "$(lab_namespaces | grep -x "$(ns gobgp)")" ]; then r1_gobgp_neighbor; fi
    wait_until 60 "every BGP session of $r to be Established" all_established "$r"
    say "bgpd of $r started (pid $(bgpd_pid "$r")), sessions up after $(( $(ms_now) - t0 )) ms" ;;
  *) die "bgpd ROUTER kill|start" ;;
  esac
}

main() {
  check_prefix
  local c=${1:-}; shift || true
  case $c in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    flap) cmd_flap "$@" ;;
    restore) cmd_restore ;;
    impair) cmd_impair "$@" ;;
    withdraw|announce) cmd_origin "$c" "$@" ;;
    ecmp) cmd_ecmp "$@" ;;
    ratelimit) cmd_ratelimit "$@" ;;
    vtysh) [ $# -ge 1 ] || die "vtysh ROUTER [CMD...]"
      local r=$1; shift
      [[ " $ROUTERS " == *" $r "* ]] || die "no router '$r' ($ROUTERS)"
      if [ $# -eq 0 ]; then exec vtysh --vty_socket "$RUN/$r"; else vty "$r" "$@"; fi ;;
    exec) [ $# -ge 2 ] || die "exec NODE CMD..."
      local n=$1; shift
      [ -n "$(lab_namespaces | grep -x "$(ns "$n")")" ] || die "no namespace $(ns "$n")"
      exec ip netns exec "$(ns "$n")" "$@" ;;
    ping) [ $# -ge 2 ] || die "ping NODE DST [-c N] [-i S] [-W S]"
      local n=$1; shift
      exec ip netns exec "$(ns "$n")" "$PY" "$HERE/pinger.py" "$@" ;;
    gobgp) cmd_gobgp "$@" ;;
    bgpd) cmd_bgpd "$@" ;;
    *) sed -n '2,/^set -Eeuo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
}
main "$@"
