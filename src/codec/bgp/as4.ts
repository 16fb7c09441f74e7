// Reconstructing the AS path and aggregator from an OLD (2-octet) speaker's UPDATE:
// RFC 6793 section 4.2.3, with the AS4_PATH cleanup rules of section 6.
//
// - Between NEW speakers (AS_PATH decoded with 4-octet ASNs) AS4_PATH and AS4_AGGREGATOR
//   are ignored (section 4.1: a NEW speaker discards them).
// - If both AGGREGATOR and AS4_AGGREGATOR are present and AGGREGATOR's AS is not AS_TRANS,
//   AS4_AGGREGATOR and AS4_PATH are ignored; otherwise AS4_AGGREGATOR is the aggregator.
// - If AS_PATH counts fewer ASes than AS4_PATH, AS4_PATH is ignored. Otherwise the leading
//   (count(AS_PATH) - count(AS4_PATH)) ASes of AS_PATH are prepended to AS4_PATH. An AS_SET
//   counts 1 and confederation segments 0; a leading confederation segment, or one next to
//   a prepended segment, is carried along.
// - AS_CONFED_* segments inside AS4_PATH are dropped (section 6).
import type { Address } from '../../model/address.ts';
import type { AsPathSegment, AttrOf, PathAttribute } from './types.ts';

export const AS_TRANS = 23456;

function isConfed(s: AsPathSegment): boolean {
  return s.kind === 'confed-sequence' || s.kind === 'confed-set';
}

/** AS count for path comparison: AS_SEQUENCE its length, AS_SET 1, confederation segments 0. */
export function asPathCount(segments: readonly AsPathSegment[]): number {
  let n = 0;
  for (const s of segments) {
    if (s.kind === 'sequence') n += s.asns.length;
    else if (s.kind === 'set') n += 1;
  }
  return n;
}

export function mergeAs4Path(asPath: readonly AsPathSegment[], as4Path: readonly AsPathSegment[]): AsPathSegment[] {
  const tail = as4Path.filter((s) => !isConfed(s));
  let budget = asPathCount(asPath) - asPathCount(tail);
  if (budget < 0) return asPath.slice();
  const out: AsPathSegment[] = [];
  for (const seg of asPath) {
    if (isConfed(seg)) {
      out.push(seg);
      continue;
    }
    if (budget <= 0) break;
    if (seg.kind === 'set') {
      out.push(seg);
      budget -= 1;
    } else {
      const take = Math.min(budget, seg.asns.length);
      out.push(take === seg.asns.length ? seg : { kind: 'sequence', asns: seg.asns.slice(0, take) });
      budget -= take;
    }
  }
  for (let i = 0; i < tail.length; i++) {
    const seg = tail[i];
    const last = out.length > 0 ? out[out.length - 1] : undefined;
    // Join the cut AS_SEQUENCE and the AS4_PATH's first AS_SEQUENCE: one path, one segment.
    if (i === 0 && last !== undefined && last.kind === 'sequence' && seg.kind === 'sequence') {
      out[out.length - 1] = { kind: 'sequence', asns: [...last.asns, ...seg.asns] };
    } else {
      out.push(seg);
    }
  }
  return out;
}

interface As4Parts {
  asPath?: AttrOf<'as-path'>;
  as4Path?: AttrOf<'as4-path'>;
  aggregator?: AttrOf<'aggregator'>;
  as4Aggregator?: AttrOf<'as4-aggregator'>;
}

function collect(attributes: readonly PathAttribute[]): As4Parts {
  const p: As4Parts = {};
  for (const a of attributes) {
    if (a.kind === 'as-path') p.asPath = a;
    else if (a.kind === 'as4-path') p.as4Path = a;
    else if (a.kind === 'aggregator') p.aggregator = a;
    else if (a.kind === 'as4-aggregator') p.as4Aggregator = a;
  }
  return p;
}

/** AS4_* attributes are to be ignored (NEW-to-NEW session, or the AGGREGATOR rule). */
function ignoreAs4(p: As4Parts): boolean {
  if (p.asPath?.as4 === true || p.aggregator?.as4 === true) return true;
  return p.aggregator !== undefined && p.as4Aggregator !== undefined && p.aggregator.asn !== AS_TRANS;
}

/** The AS path to use: AS_PATH, merged with AS4_PATH where RFC 6793 4.2.3 says so. Empty if absent. */
export function effectiveAsPath(attributes: readonly PathAttribute[]): readonly AsPathSegment[] {
  const p = collect(attributes);
  if (p.asPath === undefined) return [];
  if (p.as4Path === undefined || ignoreAs4(p)) return p.asPath.segments;
  return mergeAs4Path(p.asPath.segments, p.as4Path.segments);
}

/** The aggregator to use: AGGREGATOR, or AS4_AGGREGATOR when AGGREGATOR says AS_TRANS. */
export function effectiveAggregator(attributes: readonly PathAttribute[]): { asn: number; address: Address } | undefined {
  const p = collect(attributes);
  if (p.aggregator === undefined) return undefined;
  if (p.as4Aggregator !== undefined && !ignoreAs4(p)) return { asn: p.as4Aggregator.asn, address: p.as4Aggregator.address };
  return { asn: p.aggregator.asn, address: p.aggregator.address };
}
