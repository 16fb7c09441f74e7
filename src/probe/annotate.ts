// Per hop, the origin AS from OUR routing table, filled into a Trace after it ran.
// No DNS and no network lookups: the answer comes from an injected, synchronous `asOf`
// (service.ts wires the live RIB's longest-prefix match into it; the CLI a table it
// fetched from a running service before printing). probe/ never imports rib/.
//
// Precedence for one address:
// 1. inside a configured IXP peering LAN (probe.ixp): { ixp: name }. The LAN may well be
//    announced by the IXP's AS, but a hop there is the next network's router, so the
//    IXP's AS would be a lie.
// 2. a covering route in the RIB: { asn, prefix } (the first origin of a MOAS). This wins
//    even for RFC 1918 space: operators announce private ranges internally.
// 3. no covering route: 'private' for non-global space (RFC 1918, CGN, loopback,
//    link-local, ULA ...), else 'unannounced'.
// Trace.asn carries the number, or null for 2's absence (private/unannounced/IXP).
import { type Address, parseAddress } from '../model/address.ts';
import { type Prefix, formatPrefix, parsePrefix, prefixContains } from '../model/prefix.ts';
import type { Responder, Trace } from '../model/trace.ts';
import type { AsLookup } from './baseline.ts';

export type AsAnswer = { readonly asn: number; readonly prefix: string } | 'private' | 'unannounced' | { readonly ixp: string };

export interface AsSource {
  asOf(address: string): AsAnswer;
}

/** What the RIB says about an address: the covering prefix and its origin AS(es). */
export type RouteLookup = (address: Address) => { readonly prefix: string; readonly origins: readonly number[] } | undefined;

export interface IxpLan {
  readonly prefix: Prefix;
  readonly name?: string;
}

// Space that is never globally routed: without a covering route of our own it is 'private'.
const NON_GLOBAL = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '::1/128',
  '::/128',
  'fc00::/7',
  'fe80::/10',
].map((p) => parsePrefix(p)!);

export function isNonGlobal(a: Address): boolean {
  return NON_GLOBAL.some((p) => prefixContains(p, a));
}

/** An AsSource over a route lookup and the configured IXP LANs. Unparsable text is 'unannounced'. */
export function asSource(route: RouteLookup, ixp: readonly IxpLan[] = []): AsSource {
  return {
    asOf(text: string): AsAnswer {
      const a = parseAddress(text);
      if (!a) return 'unannounced';
      const lan = ixp.find((l) => prefixContains(l.prefix, a));
      if (lan) return { ixp: lan.name ?? formatPrefix(lan.prefix) };
      const r = route(a);
      if (r && r.origins.length > 0) return { asn: r.origins[0], prefix: r.prefix };
      return isNonGlobal(a) ? 'private' : 'unannounced';
    },
  };
}

/** The AS number of an answer, or null (private, unannounced, IXP). */
export function asnOf(answer: AsAnswer): number | null {
  return typeof answer === 'object' && 'asn' in answer ? answer.asn : null;
}

/** How an operator reads an answer in a column: "AS65002", "private", "IXP:NAME", "unann.". */
export function asLabel(answer: AsAnswer | undefined): string {
  if (answer === undefined) return 'AS?';
  if (answer === 'private') return 'private';
  if (answer === 'unannounced') return 'unann.';
  if ('ixp' in answer) return `IXP:${answer.ixp}`;
  return `AS${answer.asn}`;
}

/** The trace with every responder's `asn` filled from `source` (one lookup per distinct address). */
export function annotateTrace(trace: Trace, source: AsSource): Trace {
  const seen = new Map<string, number | null>();
  const asn = (address: string) => {
    let v = seen.get(address);
    if (v === undefined && !seen.has(address)) {
      v = asnOf(source.asOf(address));
      seen.set(address, v);
    }
    return v ?? null;
  };
  return {
    ...trace,
    hops: trace.hops.map((h) => ({
      ...h,
      responders: h.responders.map((r): Responder => (r.flags?.includes('name') ? { ...r, asn: null } : { ...r, asn: asn(r.address) })),
    })),
  };
}

/** The AsLookup pathdiff wants: the asn a responder was annotated with, else from `source`. */
export function pathAsLookup(source: AsSource): AsLookup {
  return (address) => asnOf(source.asOf(address));
}
