// Writes a synthetic TABLE_DUMP_V2 RIB dump for the benchmark: a PEER_INDEX_TABLE of 30
// peers (24 IPv4, 6 IPv6, mixed 2-/4-byte ASNs) and RIB_IPV4_UNICAST / RIB_IPV6_UNICAST
// records. Each prefix has an origin AS; each peer reaches each origin over its own AS
// path of 3-8 ASNs (deterministic), with 0-4 communities and sometimes a MED, so the same
// attribute block repeats for the prefixes of one origin seen from one peer, as in a real
// collector RIB. About 10% of the prefixes are IPv6 (abbreviated MP_REACH_NLRI next hop).
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Writer } from '../src/codec/cursor.ts';

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

interface Peer {
  v6: boolean;
  ip: Uint8Array;
  asn: number;
}

function attrBlock(peer: Peer, originAs: number, r: () => number, v6: boolean): Uint8Array {
  const w = new Writer(128);
  w.u8(0x40).u8(1).u8(1).u8(r() < 0.9 ? 0 : 2); // ORIGIN
  const len = 3 + Math.floor(r() * 6);
  const path = [peer.asn];
  for (let i = 1; i < len - 1; i++) path.push(r() < 0.3 ? 174 + Math.floor(r() * 20) : 1000 + Math.floor(r() * 400000));
  path.push(originAs);
  w.u8(0x50).u8(2).u16(2 + 4 * path.length).u8(2).u8(path.length); // AS_PATH, 4-byte ASNs
  for (const a of path) w.u32(a);
  if (v6) {
    w.u8(0x80).u8(14).u8(17).u8(16).bytes(peer.v6 ? peer.ip : new Uint8Array(16).fill(0x20, 0, 1)); // abbreviated MP_REACH
  } else {
    w.u8(0x40).u8(3).u8(4).bytes(peer.v6 ? new Uint8Array([192, 0, 2, peer.ip[15]]) : peer.ip); // NEXT_HOP
  }
  if (r() < 0.3) w.u8(0x80).u8(4).u8(4).u32(Math.floor(r() * 1000)); // MED
  const nc = Math.floor(r() * 5);
  if (nc > 0) {
    w.u8(0xc0).u8(8).u8(4 * nc);
    for (let i = 0; i < nc; i++) w.u32(((peer.asn & 0xffff) << 16) | Math.floor(r() * 65536));
  }
  return w.finish();
}

/** Writes the dump; returns the number of RIB entries. */
export function writeSyntheticRib(path: string, targetEntries = 1_050_000): number {
  const r = rng(42);
  const peers: Peer[] = [];
  for (let i = 0; i < 30; i++) {
    const v6 = i >= 24;
    const ip = v6 ? new Uint8Array([0x20, 0x01, 0x07, 0xf8, 0, 0x30, 0, 0, 0, 0, 0, 0, 0, 0, 0, i + 1]) : new Uint8Array([80, 81, 192, i + 1]);
    peers.push({ v6, ip, asn: i % 3 === 0 ? 4200000000 + i : 1000 + i * 37 });
  }
  const fd = openSync(path, 'w');
  const out = new Writer(1 << 22);
  const time = 1700000000;
  const record = (subtype: number, body: Uint8Array) => {
    out.u32(time).u16(13).u16(subtype).u32(body.length).bytes(body);
    if (out.length > 1 << 21) flush();
  };
  const flush = () => {
    const b = out.finish();
    writeSync(fd, b);
    out.length = 0;
  };
  const pit = new Writer(1024);
  pit.bytes(new Uint8Array([10, 0, 0, 1])).u16(5).bytes(new TextEncoder().encode('bench')).u16(peers.length);
  for (const p of peers) {
    pit.u8((p.v6 ? 1 : 0) | 2).bytes(new Uint8Array([p.ip[0], p.ip[1], p.ip[2], p.ip[15] || p.ip[3]])).bytes(p.ip).u32(p.asn);
  }
  record(1, pit.finish());
  const blocks = new Map<string, Uint8Array>();
  let entries = 0;
  let seq = 0;
  while (entries < targetEntries) {
    const v6 = r() < 0.1;
    const originAs = 2000 + Math.floor(r() * 5000);
    const w = new Writer(4096);
    w.u32(seq++);
    if (v6) {
      const len = 32 + Math.floor(r() * 17);
      const bytes = [0x2a, Math.floor(r() * 256), Math.floor(r() * 256), Math.floor(r() * 256), Math.floor(r() * 256), Math.floor(r() * 256)];
      const n = (len + 7) >>> 3;
      if (len & 7) bytes[n - 1] &= 0xff << (8 - (len & 7));
      w.u8(len);
      for (let i = 0; i < n; i++) w.u8(bytes[i]);
    } else {
      const len = 16 + Math.floor(r() * 9);
      const a = 1 + Math.floor(r() * 222);
      w.u8(len).u8(a).u8(Math.floor(r() * 256));
      if (len > 16) w.u8(Math.floor(r() * 256) & (0xff << (24 - len)));
    }
    const n = 15 + Math.floor(r() * 16);
    w.u16(n);
    for (let i = 0; i < n; i++) {
      const pi = (i * 7 + seq) % peers.length;
      const key = `${pi}/${originAs}/${v6}`;
      let b = blocks.get(key);
      if (!b) {
        b = attrBlock(peers[pi], originAs, r, v6);
        blocks.set(key, b);
      }
      w.u16(pi).u32(time - Math.floor(r() * 86400 * 30)).u16(b.length).bytes(b);
    }
    entries += n;
    record(v6 ? 4 : 2, w.finish());
  }
  flush();
  closeSync(fd);
  return entries;
}

// ---- BGP4MP updates --------------------------------------------------------------------

interface UpdPeer {
  v6: boolean;
  ip: Uint8Array;
  local: Uint8Array;
  asn: number;
}

const MARKER = new Uint8Array(16).fill(0xff);

/**
 * Writes a synthetic BGP4MP update file (what a collector's updates.*.gz holds), gzipped:
 * BGP4MP_MESSAGE_AS4 UPDATEs from 30 peers (24 IPv4 sessions with IPv4 NLRI, 6 IPv6
 * sessions with MP_REACH_NLRI / MP_UNREACH_NLRI for IPv6), mixed 2- and 4-byte ASNs.
 * Announcements carry 1-4 prefixes of one origin; about a fifth of the UPDATEs are
 * withdrawals (1-4 prefixes), a few carry both. Each peer keeps its current path per
 * origin, and that path changes now and then (so attribute blocks repeat, as in real
 * update files, with new ones all along); paths of 2-9 ASNs with prepending and the
 * odd AS_SET, 0-6 communities (some well-known), MED, ATOMIC_AGGREGATE + AGGREGATOR,
 * LARGE_COMMUNITY sometimes. Also a few STATE_CHANGE_AS4 records and KEEPALIVEs.
 * Returns the number of route lines bgpdump -m prints for it (A and W lines).
 */
export function writeSyntheticUpdates(path: string, targetLines = 1_050_000): number {
  const r = rng(7);
  const int = (n: number) => Math.floor(r() * n);
  const peers: UpdPeer[] = [];
  for (let i = 0; i < 30; i++) {
    const v6 = i >= 24;
    const ip = v6 ? new Uint8Array([0x20, 0x01, 0x07, 0xf8, 0, 0x04, 0, 0, 0, 0, 0, 0, 0, 0x1f, 0, i + 1]) : new Uint8Array([193, 0, 4, 10 + i]);
    const local = v6 ? new Uint8Array([0x20, 0x01, 0x07, 0xf8, 0, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfe]) : new Uint8Array([193, 0, 4, 28]);
    peers.push({ v6, ip, local, asn: i % 4 === 0 ? 196608 + i * 1117 : 1100 + i * 313 });
  }
  // Origins, each with a few prefixes; a skewed pick makes some of them flap a lot.
  const origins: { asn: number; v4: Uint8Array[]; v6: Uint8Array[] }[] = [];
  for (let o = 0; o < 40000; o++) {
    const asn = r() < 0.25 ? 131072 + int(270000) : 1000 + int(64000);
    const v4: Uint8Array[] = [];
    const v6: Uint8Array[] = [];
    const n = 1 + int(8);
    for (let k = 0; k < n; k++) {
      const len = 16 + int(9);
      const b = [1 + int(222), int(256), int(256), 0];
      if (len < 24) b[2] &= 0xff << (24 - len);
      v4.push(new Uint8Array([len, ...b.slice(0, (len + 7) >>> 3)]));
      const len6 = 29 + int(20);
      const b6 = [0x2a, int(256), int(256), int(256), int(256), int(256), int(256)];
      const n6 = (len6 + 7) >>> 3;
      if (len6 & 7) b6[n6 - 1] &= 0xff << (8 - (len6 & 7));
      v6.push(new Uint8Array([len6, ...b6.slice(0, n6)]));
    }
    origins.push({ asn, v4, v6 });
  }
  const transit = Array.from({ length: 60 }, (_, i) => (i < 40 ? [174, 701, 1299, 2914, 3257, 3356, 3491, 6453, 6461, 6762, 6939, 7018, 9002, 12956, 1273, 4637, 5511, 6830, 2828, 3320][i % 20] + (i >= 20 ? 20000 : 0) : 262144 + i * 977));
  const current = new Map<number, Uint8Array>();

  const attrBlock = (p: UpdPeer, pi: number, origin: number, v6: boolean): Uint8Array => {
    const w = new Writer(160);
    w.u8(0x40).u8(1).u8(1).u8(r() < 0.85 ? 0 : r() < 0.5 ? 1 : 2); // ORIGIN
    const path = [p.asn];
    const hops = 1 + int(7);
    for (let i = 0; i < hops; i++) path.push(r() < 0.6 ? transit[int(transit.length)] : 1000 + int(400000));
    if (r() < 0.1) for (let k = int(3); k >= 0; k--) path.push(origin); // prepending
    path.push(origin);
    const set = r() < 0.01 ? [origin + 1, origin + 2] : undefined;
    w.u8(0x50).u8(2).u16(2 + 4 * path.length + (set ? 2 + 4 * set.length : 0)).u8(2).u8(path.length); // AS_PATH
    for (const a of path) w.u32(a);
    if (set) {
      w.u8(1).u8(set.length);
      for (const a of set) w.u32(a);
    }
    if (!v6) w.u8(0x40).u8(3).u8(4).bytes(p.ip); // NEXT_HOP
    if (r() < 0.3) w.u8(0x80).u8(4).u8(4).u32(int(r() < 0.9 ? 1000 : 2 ** 32)); // MED
    if (r() < 0.03) {
      w.u8(0x40).u8(6).u8(0); // ATOMIC_AGGREGATE
      w.u8(0xc0).u8(7).u8(8).u32(origin).bytes(new Uint8Array([10, int(256), int(256), 1])); // AGGREGATOR
    }
    const nc = r() < 0.4 ? 0 : 1 + int(6);
    if (nc > 0) {
      w.u8(0xc0).u8(8).u8(4 * nc);
      for (let i = 0; i < nc; i++) {
        const x = r();
        w.u32(x < 0.03 ? 0xffffff01 + int(3) : ((path[int(path.length)] & 0xffff) << 16) | int(r() < 0.5 ? 1000 : 65536));
      }
    }
    if (r() < 0.1) {
      const nl = 1 + int(3);
      w.u8(0xc0).u8(32).u8(12 * nl);
      for (let i = 0; i < nl; i++) w.u32(p.asn).u32(int(1000)).u32(int(100));
    }
    if (v6) {
      // MP_REACH_NLRI, IPv6 unicast; NLRI appended by the caller. Next hop global (+ link-local).
      const ll = pi % 2 === 0;
      w.u8(0x90).u8(14).u16(0); // length patched by the caller
      w.u16(2).u8(1).u8(ll ? 32 : 16).bytes(p.ip);
      if (ll) w.bytes(new Uint8Array([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, pi]));
      w.u8(0);
    }
    return w.finish();
  };

  const out = new Writer(1 << 22);
  const chunks: Uint8Array[] = [];
  const flush = () => {
    chunks.push(out.finish().slice());
    out.length = 0;
  };
  const mrt = (time: number, subtype: number, p: UpdPeer, body: Uint8Array) => {
    const addr = p.v6 ? 32 : 8;
    out.u32(time).u16(16).u16(subtype).u32(12 + addr + body.length);
    out.u32(p.asn).u32(12654).u16(0).u16(p.v6 ? 2 : 1).bytes(p.ip).bytes(p.local).bytes(body);
    if (out.length > 1 << 21) flush();
  };
  const message = (time: number, p: UpdPeer, type: number, body: Uint8Array) => {
    const w = new Writer(body.length + 19);
    w.bytes(MARKER).u16(19 + body.length).u8(type).bytes(body);
    mrt(time, 4, p, w.finish());
  };

  let lines = 0;
  let records = 0;
  const t0 = 1700000000;
  while (lines < targetLines) {
    const time = t0 + Math.floor(records / 1200);
    records++;
    const pi = int(peers.length);
    const p = peers[pi];
    if (records % 97_001 === 0) {
      // A session flap: Established -> Idle -> ... -> Established.
      const states = [6, 1, 2, 3, 4, 5, 6];
      for (let s = 1; s < states.length; s++) {
        const body = new Writer(64);
        body.u32(p.asn).u32(12654).u16(0).u16(p.v6 ? 2 : 1).bytes(p.ip).bytes(p.local).u16(states[s - 1]).u16(states[s]);
        const b = body.finish();
        out.u32(time).u16(16).u16(5).u32(b.length).bytes(b);
      }
      continue;
    }
    if (records % 50_009 === 0) {
      message(time, p, 4, new Uint8Array(0)); // KEEPALIVE
      continue;
    }
    // Skewed origin choice: a small set of origins churns most.
    const oi = r() < 0.5 ? int(2000) : int(origins.length);
    const o = origins[oi];
    const pool = p.v6 ? o.v6 : o.v4;
    const n = Math.min(pool.length, r() < 0.55 ? 1 : 1 + int(4));
    const first = int(pool.length - n + 1);
    const pfx = pool.slice(first, first + n);
    const kind = r();
    const withdraw = kind < 0.2;
    const both = kind > 0.97;
    const body = new Writer(256);
    const wd = both && !p.v6 ? origins[int(origins.length)].v4.slice(0, 1 + int(2)) : withdraw && !p.v6 ? pfx : [];
    body.u16(wd.reduce((s, x) => s + x.length, 0));
    for (const x of wd) body.bytes(x);
    lines += wd.length;
    if (withdraw && p.v6) {
      // MP_UNREACH_NLRI, IPv6 unicast.
      const nl = pfx.reduce((s, x) => s + x.length, 0);
      body.u16(4 + 3 + nl).u8(0x90).u8(15).u16(3 + nl).u16(2).u8(1);
      for (const x of pfx) body.bytes(x);
      lines += pfx.length;
    } else if (withdraw) {
      body.u16(0);
    } else {
      const key = (pi * origins.length + oi) * 2;
      let block = current.get(key);
      if (!block || r() < 0.25) {
        block = attrBlock(p, pi, o.asn, p.v6);
        current.set(key, block);
      }
      if (p.v6) {
        const nl = pfx.reduce((s, x) => s + x.length, 0);
        const a = block.slice();
        // Patch the MP_REACH_NLRI length (it is the last attribute) and append the NLRI.
        let q = 0;
        while (a[q + 1] !== 14) q += a[q] & 0x10 ? 4 + ((a[q + 2] << 8) | a[q + 3]) : 3 + a[q + 2];
        const mpLen = a.length - q - 4 + nl;
        a[q + 2] = mpLen >>> 8;
        a[q + 3] = mpLen & 0xff;
        body.u16(a.length + nl).bytes(a);
        for (const x of pfx) body.bytes(x);
      } else {
        body.u16(block.length).bytes(block);
        for (const x of pfx) body.bytes(x);
      }
      lines += pfx.length;
    }
    message(time, p, 2, body.finish());
  }
  flush();
  const raw = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    raw.set(c, at);
    at += c.length;
  }
  writeFileSync(path, gzipSync(raw));
  return lines;
}
