#!/usr/bin/python3
"""delaylink.py - one point-to-point IP link of the smoketrace lab, with delay, jitter
and loss done in user space.

This machine's kernel has no netem (`tc qdisc add ... netem` -> "Specified qdisc kind
is unknown", and it cannot load modules). So a lab link between two routers is two TUN
devices, one in each router's namespace, and this process copies packets between them
after holding each one for the configured one-way delay.

    delaylink.py --a st-r1:to-r2 --b st-r2:to-r1 --ctl RUN/links/r1-r2.json

The TUN devices are created inside the namespaces (setns(2) through ctypes; nothing is
named in the root namespace) and are not persistent: when this process ends, both
interfaces vanish (carrier loss, so FRR drops the sessions at once).

Run-time changes: rewrite the --ctl file, e.g.
    {"delay_ms": 10, "jitter_ms": 0, "loss_pct": 0, "down": false}
and send SIGHUP. Missing keys keep their value. "down": true drops every packet silently
(a blackhole that keeps carrier: BGP only notices on hold-timer expiry).

Two details measured on the lab machine:
 * the wait uses select(2): its timeout is a timeval (microseconds). epoll and poll round
   a timeout up to whole milliseconds, which added ~1 ms to every crossing.
 * SIGTERM ends the process from the handler: Python restarts select() after a handler
   returns (PEP 475), so setting a flag would only be seen at the next packet.
Cost of one crossing with delay 0: ~0.15 ms.

Python standard library only.
"""
import argparse
import ctypes
import fcntl
import json
import os
import random
import selectors
import signal
import struct
import sys
import time
from collections import deque

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000
BATCH = 64  # packets read from one side per wake-up

_libc = ctypes.CDLL("libc.so.6", use_errno=True)


def _enter_netns(fd, what):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, "setns(%s): %s" % (what, os.strerror(err)))


def tun_in_namespace(netns, ifname):
    """Open a TUN device named `ifname` inside network namespace `netns`; return its fd.

    The interface belongs to the namespace the process is in when TUNSETIFF runs, so
    step into `netns`, create it, and step back."""
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    try:
        target = os.open("/var/run/netns/" + netns, os.O_RDONLY)
        try:
            _enter_netns(target, netns)
        finally:
            os.close(target)
        try:
            fd = os.open("/dev/net/tun", os.O_RDWR)
            fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", ifname.encode(), IFF_TUN | IFF_NO_PI))
        finally:
            _enter_netns(home, "back home")
    finally:
        os.close(home)
    os.set_blocking(fd, False)
    return fd


def endpoint(spec):
    netns, sep, ifname = spec.partition(":")
    if not sep or not netns or not ifname or len(ifname) > 15:
        raise argparse.ArgumentTypeError("expected NAMESPACE:IFNAME, got %r" % spec)
    return netns, ifname


class Settings:
    KEYS = ("delay_ms", "jitter_ms", "loss_pct", "down")

    def __init__(self, ctl, **initial):
        self.ctl = ctl
        self.delay_ms = float(initial.get("delay_ms", 0))
        self.jitter_ms = float(initial.get("jitter_ms", 0))
        self.loss_pct = float(initial.get("loss_pct", 0))
        self.down = bool(initial.get("down", False))

    def reload(self, *_):
        if self.ctl and os.path.exists(self.ctl):
            try:
                with open(self.ctl) as f:
                    new = json.load(f)
                for k in self.KEYS:
                    if k in new:
                        setattr(self, k, bool(new[k]) if k == "down" else float(new[k]))
            except (OSError, ValueError, TypeError) as e:
                log("ignoring bad control file %s: %s" % (self.ctl, e))
        log("settings %s" % json.dumps({k: getattr(self, k) for k in self.KEYS}))

    def hold_s(self):
        """How long to hold the next packet, or None to drop it."""
        if self.down or (self.loss_pct > 0 and random.random() * 100 < self.loss_pct):
            return None
        d = self.delay_ms
        if self.jitter_ms > 0:
            d += random.uniform(0, self.jitter_ms)
        return d / 1000.0


NAME = "delaylink"


def log(msg):
    sys.stderr.write("%s %s: %s\n" % (time.strftime("%H:%M:%S"), NAME, msg))
    sys.stderr.flush()


def bridge(fd_a, fd_b, settings):
    # One FIFO per direction: (due time, packet). `not_before` keeps the order of a
    # direction when the delay is lowered or jitter is on (a link never reorders).
    queue = {fd_a: deque(), fd_b: deque()}
    peer = {fd_a: fd_b, fd_b: fd_a}
    not_before = {fd_a: 0.0, fd_b: 0.0}
    sel = selectors.SelectSelector()
    sel.register(fd_a, selectors.EVENT_READ)
    sel.register(fd_b, selectors.EVENT_READ)
    while True:
        now = time.monotonic()
        next_due = None
        for src, q in queue.items():
            while q and q[0][0] <= now:
                pkt = q.popleft()[1]
                try:
                    os.write(peer[src], pkt)
                except OSError:
                    pass  # far interface down (EIO), no buffer space: the packet is lost
            if q and (next_due is None or q[0][0] < next_due):
                next_due = q[0][0]
        try:
            ready = sel.select(None if next_due is None else max(0.0, next_due - now))
        except InterruptedError:
            continue
        now = time.monotonic()
        for key, _ in ready:
            src = key.fd
            for _ in range(BATCH):
                try:
                    pkt = os.read(src, 65536)
                except (BlockingIOError, OSError):
                    break
                hold = settings.hold_s()
                if hold is None:
                    continue
                due = max(now + hold, not_before[src])
                not_before[src] = due
                queue[src].append((due, pkt))


def main():
    global NAME
    ap = argparse.ArgumentParser(description="TUN-pair link with user-space delay/jitter/loss")
    ap.add_argument("--a", type=endpoint, required=True, metavar="NS:IF")
    ap.add_argument("--b", type=endpoint, required=True, metavar="NS:IF")
    ap.add_argument("--delay-ms", type=float, default=0.0, help="one-way delay, each direction")
    ap.add_argument("--jitter-ms", type=float, default=0.0, help="extra 0..J ms per packet (no reordering)")
    ap.add_argument("--loss-pct", type=float, default=0.0, help="drop probability in percent, each direction")
    ap.add_argument("--ctl", help="JSON control file, re-read on SIGHUP")
    ap.add_argument("--name", default=None, help="name used in log lines")
    ap.add_argument("--pidfile", help="write our pid here (lab.sh writes it too, from $!)")
    args = ap.parse_args()
    NAME = "delaylink " + (args.name or "%s:%s<->%s:%s" % (args.a + args.b))

    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    # Own session: a Ctrl-C or SIGINT sent to the caller's process group does not cut links.
    try:
        os.setsid()
    except OSError:
        pass

    def stop(*_):
        raise SystemExit(0)

    settings = Settings(args.ctl, delay_ms=args.delay_ms, jitter_ms=args.jitter_ms, loss_pct=args.loss_pct)
    settings.reload()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGHUP, settings.reload)
    fd_a = tun_in_namespace(*args.a)
    fd_b = tun_in_namespace(*args.b)
    log("up")
    try:
        bridge(fd_a, fd_b, settings)
    finally:
        os.close(fd_a)
        os.close(fd_b)


if __name__ == "__main__":
    main()
