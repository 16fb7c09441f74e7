// The path attributes of a RIS Live UPDATE (`data` of a ris_message) -> RouteAttributes.
// RIS Live JSON fields: path [asn, ..., [set members]], origin "igp"|"egp"|"incomplete"
// (seen upper-case too), med, community [[asn, value], ...], aggregator "asn:address",
// large communities [[global, local1, local2], ...] when the server sends them.
//
// Problems follow RFC 7606's actions, because a RIS peer's UPDATE is a BGP UPDATE:
// a bad AS_PATH, ORIGIN, MED or (large) community means the announcement cannot be
// trusted, so its prefixes are treated as withdrawn (7606 section 7.1-7.4, 7.8, RFC 8092
// section 6); a bad AGGREGATOR is only informational, so it is discarded (7606 7.7).
import { type Address, parseAddress } from '../../model/address.ts';
import type { AsPath, OriginName, RouteAttributes } from '../../model/route-event.ts';

export type AttrsResult =
  | { readonly ok: true; readonly attrs: RouteAttributes; readonly discarded?: AttrProblem }
  | { readonly ok: false; readonly problem: AttrProblem };

export interface AttrProblem {
  readonly code: string;
  readonly message: string;
}

const U32 = 0xffff_ffff;

export function isUint(v: unknown, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}

/** An ASN given as a number or, as RIS Live does for peer_asn, as a decimal string. */
export function parseAsn(v: unknown): number | undefined {
  if (isUint(v, U32)) return v;
  if (typeof v === 'string' && /^\d{1,10}$/.test(v)) {
    const n = Number(v);
    return n <= U32 ? n : undefined;
  }
  return undefined;
}

function parsePath(v: unknown): AsPath | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: (number | readonly number[])[] = [];
  for (const el of v) {
    if (isUint(el, U32)) out.push(el);
    else if (Array.isArray(el) && el.length > 0 && el.every((a) => isUint(a, U32))) out.push(el.slice() as number[]);
    else return undefined;
  }
  return out;
}

/** Arrays of `width` unsigned integers each below `max`, joined with ":". */
function parseTuples(v: unknown, width: number, max: number): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: string[] = [];
  for (const t of v) {
    if (!Array.isArray(t) || t.length !== width || !t.every((x) => isUint(x, max))) return undefined;
    out.push(t.join(':'));
  }
  return out;
}

function parseAggregator(v: unknown): { asn: number; address: Address } | undefined {
  if (typeof v !== 'string') return undefined;
  const colon = v.indexOf(':');
  if (colon <= 0) return undefined;
  const asn = parseAsn(v.slice(0, colon));
  const address = parseAddress(v.slice(colon + 1));
  return asn === undefined || address === undefined ? undefined : { asn, address };
}

function bad(code: string, message: string): AttrsResult {
  return { ok: false, problem: { code, message } };
}

/** The attributes shared by every announcement of one UPDATE (next hops are per announcement). */
export function decodeRisAttributes(d: Record<string, unknown>): AttrsResult {
  // AS_PATH is mandatory for an announcement (RFC 4271 5.1.2); its absence is missing-field.
  if (d.path === undefined) return bad('missing-field', 'announcement without "path"');
  const asPath = parsePath(d.path);
  if (!asPath) return bad('bad-path', '"path" is not an array of ASNs and AS_SET arrays');
  let origin: OriginName | undefined;
  if (d.origin !== undefined) {
    const o = typeof d.origin === 'string' ? d.origin.toLowerCase() : '';
    if (o !== 'igp' && o !== 'egp' && o !== 'incomplete') return bad('bad-origin', '"origin" is not igp, egp or incomplete');
    origin = o;
  }
  if (d.med !== undefined && !isUint(d.med, U32)) return bad('bad-med', '"med" is not a 32-bit unsigned integer');
  let communities: string[] = [];
  if (d.community !== undefined) {
    const c = parseTuples(d.community, 2, 0xffff);
    if (!c) return bad('bad-community', '"community" is not an array of [asn16, value16] pairs');
    communities = c;
  }
  let largeCommunities: string[] = [];
  // No fixture carries large communities, so the field name is unverified; both plausible
  // spellings are accepted rather than silently dropping them.
  const large = d.large_community ?? d.large_communities;
  if (large !== undefined) {
    const l = parseTuples(large, 3, U32);
    if (!l) return bad('bad-large-community', 'large communities are not [global, local1, local2] triples');
    largeCommunities = l;
  }
  const attrs: { -readonly [K in keyof RouteAttributes]: RouteAttributes[K] } = { asPath, communities, largeCommunities };
  if (origin !== undefined) attrs.origin = origin;
  if (d.med !== undefined) attrs.med = d.med as number;
  if (d.aggregator !== undefined) {
    const agg = parseAggregator(d.aggregator);
    if (!agg) return { ok: true, attrs, discarded: { code: 'bad-aggregator', message: '"aggregator" is not "asn:address"; discarded' } };
    attrs.aggregator = agg;
  }
  return { ok: true, attrs };
}

function isLinkLocal(a: Address): boolean {
  return a.family === 6 && a.bytes[0] === 0xfe && (a.bytes[1] & 0xc0) === 0x80;
}

/**
 * A next hop: one address, or "global,link-local" as some RIS Live versions print the
 * 32-byte MP_REACH next hop. The global one is the route's next hop. Undefined if any part
 * is not an address.
 */
export function parseNextHop(v: unknown): { address: Address; linkLocal: boolean } | undefined {
  if (typeof v !== 'string') return undefined;
  let chosen: Address | undefined;
  for (const part of v.split(',')) {
    const a = parseAddress(part.trim());
    if (!a) return undefined;
    if (!chosen || (isLinkLocal(chosen) && !isLinkLocal(a))) chosen = a;
  }
  return chosen ? { address: chosen, linkLocal: isLinkLocal(chosen) } : undefined;
}
