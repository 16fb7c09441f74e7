#!/usr/bin/python3
"""pinger.py - ICMP/ICMPv6 echo with a JSON summary, Python standard library only.

The lab needs a ping that is there on every machine the lab runs on (iputils-ping is
not always installed) and whose output a test can read without parsing prose:

    ip netns exec st-probe pinger.py [-c COUNT] [-i INTERVAL_S] [-W TIMEOUT_S] DST
    -> {"dst": "198.51.100.1", "sent": 5, "received": 5, "loss_pct": 0.0,
        "rtt_ms": [5.61, ...], "min": .., "avg": .., "max": .., "errors": ["..."]}

Raw sockets (run as root). Echo replies are matched on identifier and sequence number;
ICMP errors about our probes (unreachable, time exceeded) are listed in "errors".
Exit status 0 when at least one reply came back, 1 otherwise, 2 on a usage error.
"""
import argparse
import ipaddress
import json
import os
import select
import socket
import struct
import sys
import time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def main():
    ap = argparse.ArgumentParser(description="ICMP echo with JSON output")
    ap.add_argument("-c", "--count", type=int, default=3)
    ap.add_argument("-i", "--interval", type=float, default=0.2, help="seconds between probes")
    ap.add_argument("-W", "--timeout", type=float, default=1.0, help="seconds to wait after the last probe")
    ap.add_argument("-s", "--size", type=int, default=56, help="payload bytes")
    ap.add_argument("dst")
    a = ap.parse_args()
    try:
        dst = ipaddress.ip_address(a.dst)
    except ValueError:
        print("pinger: %r is not an IP address" % a.dst, file=sys.stderr)
        return 2
    v6 = dst.version == 6
    if v6:
        sock = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        echo_req, echo_rep = 128, 129
        errors = {1: "unreachable", 2: "packet too big", 3: "time exceeded", 4: "parameter problem"}
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        echo_req, echo_rep = 8, 0
        errors = {3: "unreachable", 11: "time exceeded", 12: "parameter problem"}
    ident = os.getpid() & 0xFFFF
    payload = bytes(range(256)) * (a.size // 256 + 1)
    payload = payload[: a.size]
    sent_at = {}
    rtts = {}
    errs = []

    def send(seq):
        hdr = struct.pack("!BBHHH", echo_req, 0, 0, ident, seq)
        # the kernel fills in the ICMPv6 checksum (it needs the pseudo-header)
        csum = 0 if v6 else checksum(hdr + payload)
        pkt = struct.pack("!BBHHH", echo_req, 0, csum, ident, seq) + payload
        sent_at[seq] = time.monotonic()
        try:
            sock.sendto(pkt, (str(dst), 0))
        except OSError as e:
            errs.append("send seq %d: %s" % (seq, e.strerror))

    def receive(until, until_all_answered=False):
        while True:
            if until_all_answered and len(rtts) == len(sent_at):
                return
            left = until - time.monotonic()
            if left <= 0:
                return
            r, _, _ = select.select([sock], [], [], left)
            if not r:
                return
            data, src = sock.recvfrom(65535)
            now = time.monotonic()
            if not v6:
                data = data[(data[0] & 0x0F) * 4:]  # raw IPv4 sockets hand over the IP header
            if len(data) < 8:
                continue
            typ, code = data[0], data[1]
            if typ == echo_rep:
                rid, seq = struct.unpack("!HH", data[4:8])
                if rid == ident and seq in sent_at and seq not in rtts:
                    rtts[seq] = (now - sent_at[seq]) * 1000.0
            elif typ in errors:
                # the quoted packet: IP header of our probe, then its first 8 ICMP bytes
                inner = data[8:]
                if not v6 and inner:
                    inner = inner[(inner[0] & 0x0F) * 4:]
                elif v6:
                    inner = inner[40:]
                if len(inner) >= 8 and inner[0] == echo_req and struct.unpack("!H", inner[4:6])[0] == ident:
                    seq = struct.unpack("!H", inner[6:8])[0]
                    errs.append("seq %d: %s code %d from %s" % (seq, errors[typ], code, src[0]))

    start = time.monotonic()
    for seq in range(1, a.count + 1):
        send(seq)
        receive(start + seq * a.interval if seq < a.count else time.monotonic())
    deadline = time.monotonic() + a.timeout
    receive(deadline, until_all_answered=True)
    vals = [round(rtts[s], 3) for s in sorted(rtts)]
    out = {
        "dst": str(dst),
        "sent": len(sent_at),
        "received": len(vals),
        "loss_pct": round(100.0 * (1 - len(vals) / len(sent_at)), 1) if sent_at else 100.0,
        "rtt_ms": vals,
        "min": min(vals) if vals else None,
        "avg": round(sum(vals) / len(vals), 3) if vals else None,
        "max": max(vals) if vals else None,
        "errors": errs,
    }
    print(json.dumps(out))
    return 0 if vals else 1


if __name__ == "__main__":
    sys.exit(main())
