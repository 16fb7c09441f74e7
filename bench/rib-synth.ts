// Synthetic routes for the RIB benchmarks: `prefixes` prefixes (90% IPv4 of /16-/24, 10%
// IPv6 /32-/48) seen from `peers` peers of one RIS-like collector. Each prefix has an
// origin AS (about 13 prefixes per origin, as in the real table); each peer reaches each
// origin over its own AS path of 3-8 ASNs with 0-4 communities and sometimes a MED, so an
// attribute set repeats for the prefixes of one origin seen from one peer, as in a real
// RIB. `uniqueShare` of the routes also carry a per-prefix community, which makes their
// attribute set unique (a pessimistic table: per-prefix tagging defeats interning).
import type { Address } from '../src/model/address.ts';
import type { PeerRef, RouteAttributes, RouteEvent } from '../src/model/route-event.ts';

function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

export interface Synth {
  readonly peers: PeerRef[];
  /** A fresh announce of prefix i from peer p (new objects each call, as a decoder makes them). */
  announce(p: number, i: number, time: number, variant?: number): RouteEvent;
  withdraw(p: number, i: number, time: number): RouteEvent;
  /** The attributes announce(p, i, _, variant) would carry (a fresh object). */
  attrs(p: number, i: number, variant?: number): RouteAttributes;
  /** An announce of prefix i from peer p carrying `attrs` as given (shared, as one UPDATE's prefixes share it). */
  announceWith(p: number, i: number, time: number, attrs: RouteAttributes): RouteEvent;
  /**
   * Prefixes i and j from peer p carry the same attributes (same origin AS, no per-prefix
   * community), so a router could pack them into one UPDATE.
   */
  sameAttrs(p: number, i: number, j: number): boolean;
}

export function synth(prefixes: number, peers: number, uniqueShare = 0): Synth {
  const origins = Math.max(1, Math.floor(prefixes / 13));
  const peerRefs: PeerRef[] = [];
  for (let p = 0; p < peers; p++) {
    const address: Address = { family: 4, bytes: new Uint8Array([192, 0, 2 + (p >> 8), p & 255]) };
    peerRefs.push({ address, asn: 64500 + p, bgpId: address });
  }
  const prefixOf = (i: number) => {
    const h = mix(i);
    if (i % 10 === 9) {
      const bytes = new Uint8Array(16);
      bytes[0] = 0x20;
      bytes[1] = 0x01;
      bytes[2] = (i >>> 16) & 0xff;
      bytes[3] = (i >>> 8) & 0xff;
      bytes[4] = i & 0xff;
      bytes[5] = h & 0xff;
      return { family: 6 as const, len: 48, bytes };
    }
    // Distinct /24s (an odd multiplier is a bijection mod 2^24), 1 in 16 shortened to /20-/23.
    const n = Math.floor(i / 10) * 9 + (i % 10);
    const len = h % 16 === 0 ? 20 + (h % 4) : 24;
    const v = (Math.imul(n, 0x9e3779b1) & 0xffffff) * 256;
    const mask = (0xffffffff << (32 - len)) >>> 0;
    const a = (v & mask) >>> 0;
    const bytes = new Uint8Array([a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255]);
    return { family: 4 as const, len: len === 24 ? 24 : len, bytes };
  };
  const originOf = (i: number) => 1000 + (mix(i >>> 4) % origins);
  const unique = (p: number, i: number) => uniqueShare > 0 && mix(i * 31 + p) % 1000 < uniqueShare * 1000;
  const attrsOf = (p: number, i: number, variant: number): RouteAttributes => {
    const origin = originOf(i);
    const h = mix(origin * 131 + p + variant * 7919);
    const len = 3 + (h % 6);
    const asPath: number[] = [peerRefs[p].asn];
    for (let k = 1; k < len - 1; k++) asPath.push(h % (k + 3) === 0 ? 174 + ((h >>> k) % 20) : 1000 + (mix(h + k) % 400000));
    asPath.push(origin);
    const communities: string[] = [];
    for (let k = 0; k < (h >>> 8) % 5; k++) communities.push(`${asPath[1]}:${(h >>> (k * 3)) % 1000}`);
    if (unique(p, i)) communities.push(`65535:${i % 65536}`, `65534:${i >>> 16}`);
    const a: { -readonly [K in keyof RouteAttributes]: RouteAttributes[K] } = {
      asPath,
      nextHop: { family: 4, bytes: peerRefs[p].address.bytes.slice() },
      origin: (h >>> 20) % 10 === 0 ? 'incomplete' : 'igp',
      communities,
      largeCommunities: [],
    };
    if ((h >>> 24) % 3 === 0) a.med = (h >>> 4) % 1000;
    return a;
  };
  const base = (p: number, i: number, time: number) => {
    const prefix = prefixOf(i);
    return {
      source: 'ris-live' as const,
      router: 'rrc00',
      peer: peerRefs[p],
      table: 'adj-rib-in-pre' as const,
      prefix: { family: prefix.family, len: prefix.len, bytes: prefix.bytes },
      time,
      received: time,
    };
  };
  return {
    peers: peerRefs,
    announce: (p, i, time, variant = 0) => ({ kind: 'announce', ...base(p, i, time), attrs: attrsOf(p, i, variant) }),
    withdraw: (p, i, time) => ({ kind: 'withdraw', ...base(p, i, time) }),
    attrs: (p, i, variant = 0) => attrsOf(p, i, variant),
    announceWith: (p, i, time, attrs) => ({ kind: 'announce', ...base(p, i, time), attrs }),
    sameAttrs: (p, i, j) => originOf(i) === originOf(j) && !unique(p, i) && !unique(p, j),
  };
}
