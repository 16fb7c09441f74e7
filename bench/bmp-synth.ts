// A synthetic TABLE_DUMP_V2 RIB dump (RFC 6396 4.3) of `prefixes` prefixes seen from
// `peers` peers, for the BMP ingest benchmark (bench/bmp-ingest.ts): the same routes as
// the RIB benchmarks (bench/rib-synth.ts: 90 % IPv4 /20-/24, 10 % IPv6 /48, ~13 prefixes
// per origin AS, each peer with its own AS path of 3-8 ASNs per origin, 0-4 communities, a
// MED on a third), so bytes per route compare with BENCHMARKS.md's "RIB memory". Every
// prefix has one RIB entry per peer. The prefixes rib-synth makes twice (its /20-/23
// shortening lands on an existing prefix now and then) are written once, so entries ==
// routes the RIB ends with. Records go in rib-synth's (pseudo-random) prefix order.
//
// Attributes as a collector's dump has them: ORIGIN, AS_PATH (4-octet AS_SEQUENCE),
// NEXT_HOP for IPv4; for IPv6 the abbreviated MP_REACH_NLRI (next-hop length + next hop
// only, RFC 6396 4.3.4) with next hop 2001:db8::a.b.c.d (the peer's IPv4 address);
// MULTI_EXIT_DISC; COMMUNITIES. Identical attribute sets are encoded once and their
// bytes reused.
import { closeSync, openSync, writeSync } from 'node:fs';
import { Writer } from '../src/codec/cursor.ts';
import type { RouteAttributes } from '../src/model/route-event.ts';
import { synth } from './rib-synth.ts';

const MRT_TABLE_DUMP_V2 = 13;
const PEER_INDEX_TABLE = 1;
const RIB_IPV4_UNICAST = 2;
const RIB_IPV6_UNICAST = 4;

export interface SynthRibFile {
  readonly path: string;
  readonly prefixes: number;
  readonly peers: number;
  /** RIB entries written = routes a RIB holds after the replay. */
  readonly routes: number;
  readonly bytes: number;
  readonly attributeSets: number;
}

function encodeAttrs(a: RouteAttributes, v6: boolean): Uint8Array {
  const w = new Writer(96);
  w.u8(0x40).u8(1).u8(1).u8(a.origin === 'igp' ? 0 : a.origin === 'egp' ? 1 : 2);
  const path = a.asPath as number[];
  w.u8(0x50).u8(2).u16(2 + 4 * path.length).u8(2).u8(path.length); // extended length, AS_SEQUENCE
  for (const asn of path) w.u32(asn);
  const nh = a.nextHop!.bytes;
  if (v6) {
    w.u8(0x80).u8(14).u8(17).u8(16); // abbreviated MP_REACH_NLRI: length of next hop, next hop
    w.u16(0x2001).u16(0x0db8).u32(0).u32(0).bytes(nh);
  } else {
    w.u8(0x40).u8(3).u8(4).bytes(nh);
  }
  if (a.med !== undefined) w.u8(0x80).u8(4).u8(4).u32(a.med);
  if (a.communities.length > 0) {
    w.u8(0xc0).u8(8).u8(4 * a.communities.length);
    for (const c of a.communities) {
      const [hi, lo] = c.split(':').map(Number);
      w.u16(hi & 0xffff).u16(lo & 0xffff);
    }
  }
  return w.finish().slice();
}

/** Writes the dump to `path`. */
export function writeSynthRib(path: string, prefixes: number, peers: number): SynthRibFile {
  const s = synth(prefixes, peers);
  const fd = openSync(path, 'w');
  const out = new Writer(1 << 22);
  let bytes = 0;
  const flush = () => {
    const b = out.finish();
    writeSync(fd, b);
    bytes += b.length;
    out.length = 0;
  };
  const record = (subtype: number, body: Uint8Array) => {
    out.u32(1_700_000_000).u16(MRT_TABLE_DUMP_V2).u16(subtype).u32(body.length).bytes(body);
    if (out.length > 1 << 21) flush();
  };

  const pit = new Writer(64 + peers * 16);
  pit.u8(10).u8(0).u8(0).u8(1).u16(5).bytes(new TextEncoder().encode('bench')).u16(peers);
  for (const p of s.peers) pit.u8(0x02).bytes((p.bgpId ?? p.address).bytes).bytes(p.address.bytes).u32(p.asn); // IPv4 peer, 4-octet AS
  record(PEER_INDEX_TABLE, pit.finish().slice());

  const cache = new Map<string, Uint8Array>();
  const seen = new Set<number | string>();
  const body = new Writer(1 << 16);
  let seq = 0;
  let routes = 0;
  for (let i = 0; i < prefixes; i++) {
    const first = s.announce(0, i, 0);
    if (first.kind !== 'announce') throw new Error('unreachable');
    const pfx = first.prefix;
    const v6 = pfx.family === 6;
    const key = v6 ? `${Buffer.from(pfx.bytes).toString('hex')}/${pfx.len}` : pfx.len * 2 ** 32 + ((pfx.bytes[0] << 24) >>> 0) + (pfx.bytes[1] << 16) + (pfx.bytes[2] << 8) + pfx.bytes[3];
    if (seen.has(key)) continue;
    seen.add(key);
    body.length = 0;
    body.u32(seq++).u8(pfx.len).bytes(pfx.bytes.subarray(0, (pfx.len + 7) >> 3)).u16(peers);
    for (let p = 0; p < peers; p++) {
      const ev = p === 0 ? first : s.announce(p, i, 0);
      if (ev.kind !== 'announce') throw new Error('unreachable');
      const a = ev.attrs;
      const k = `${p} ${v6 ? 6 : 4} ${a.origin} ${a.med ?? ''} ${(a.asPath as number[]).join(' ')} ${a.communities.join(' ')}`;
      let enc = cache.get(k);
      if (enc === undefined) {
        enc = encodeAttrs(a, v6);
        cache.set(k, enc);
      }
      body.u16(p).u32(1_700_000_000).u16(enc.length).bytes(enc);
      routes++;
    }
    record(v6 ? RIB_IPV6_UNICAST : RIB_IPV4_UNICAST, body.finish());
  }
  flush();
  closeSync(fd);
  return { path, prefixes: seen.size, peers, routes, bytes, attributeSets: cache.size };
}
