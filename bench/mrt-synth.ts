// Writes a synthetic TABLE_DUMP_V2 RIB dump for the benchmark: a PEER_INDEX_TABLE of 30
// peers (24 IPv4, 6 IPv6, mixed 2-/4-byte ASNs) and RIB_IPV4_UNICAST / RIB_IPV6_UNICAST
// records. Each prefix has an origin AS; each peer reaches each origin over its own AS
// path of 3-8 ASNs (deterministic), with 0-4 communities and sometimes a MED, so the same
// attribute block repeats for the prefixes of one origin seen from one peer, as in a real
// collector RIB. About 10% of the prefixes are IPv6 (abbreviated MP_REACH_NLRI next hop).
import { openSync, writeSync, closeSync } from 'node:fs';
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
