// VerdictJson: the one shape GET /api/verdicts returns, the store keeps and the live
// stream publishes. Route changes are the items of GET /api/route-changes; AS paths are
// as in /api/routes (numbers, an AS_SET as a nested array).
//
// In model/ because the correlator builds it (live stream) and the store keeps it: both
// know model/, neither imports the other.
import { formatAddress } from './address.ts';
import { type AttributesJson, attributesJson } from './attributes-json.ts';
import type { CauseKind, TargetVerdict } from './cause.ts';
import { formatPrefix } from './prefix.ts';
import type { RouteChange } from './route-change.ts';
import type { AsPath } from './route-event.ts';
import type { TraceAsSequence, VerdictConfidence, VerdictKind } from './verdict.ts';

export interface RouteChangeJson {
  time: string;
  prefix: string;
  source: string;
  router: string;
  peer: { address: string; asn: number };
  table: string;
  pathId?: number;
  kind: string;
  cause: string;
  reason?: string;
  before: AttributesJson | null;
  after: AttributesJson | null;
}

export interface VerdictJson {
  id: number;
  targetId: string;
  targetName: string;
  address: string;
  prefix: string | null;
  causeId: string;
  causeKind: CauseKind;
  at: string;
  kind: VerdictKind;
  confidence: VerdictConfidence;
  findings: string[];
  reasons: string[];
  deltas: { rttMs: number | null; rttPct: number | null; hops: number | null; asHops: number | null; lossPts: number | null };
  bgp: { prefix: string | null; peer: { address: string; asn: number } | null; before: AsPath | null; after: AsPath | null };
  trace: { beforeAs: TraceAsSequence; afterAs: TraceAsSequence };
  routeChanges: RouteChangeJson[];
}

function iso(ms: number): string {
  const d = new Date(ms);
  return Number.isFinite(d.getTime()) ? d.toISOString() : new Date(0).toISOString();
}

export function routeChangeJson(c: RouteChange): RouteChangeJson {
  return {
    time: iso(c.time),
    prefix: formatPrefix(c.prefix),
    source: c.source,
    router: c.router,
    peer: { address: formatAddress(c.peer.address), asn: c.peer.asn },
    table: c.table,
    ...(c.pathId === undefined ? {} : { pathId: c.pathId }),
    kind: c.kind,
    cause: c.cause,
    ...(c.reason === undefined ? {} : { reason: c.reason }),
    before: c.before ? attributesJson(c.before) : null,
    after: c.after ? attributesJson(c.after) : null,
  };
}

/** Rounded to 0.1 (ms, %, points): figures for people, not float noise. */
function fig(v: number | null): number | null {
  return v === null || !Number.isFinite(v) ? null : Math.round(v * 10) / 10;
}

/** The JSON of one target's verdict in a cause; `id` is the stored id (0 when not stored). */
export function verdictJson(tv: TargetVerdict, cause: { readonly id: string; readonly kind: CauseKind }): VerdictJson {
  const v = tv.verdict;
  const d = v.deltas;
  return {
    id: tv.id ?? 0,
    targetId: tv.targetId,
    targetName: tv.targetName,
    address: tv.address,
    prefix: tv.prefix ?? null,
    causeId: cause.id,
    causeKind: cause.kind,
    at: iso(v.at),
    kind: v.kind,
    confidence: v.confidence,
    findings: [...v.findings],
    reasons: [...v.reasons],
    deltas: { rttMs: fig(d.rttMs), rttPct: fig(d.rttPct), hops: d.hops, asHops: d.asHops, lossPts: fig(d.lossPts) },
    bgp: {
      prefix: v.bgp.prefix ?? null,
      peer: v.bgp.peer ? { address: formatAddress(v.bgp.peer.address), asn: v.bgp.peer.asn } : null,
      before: v.bgp.before ?? null,
      after: v.bgp.after ?? null,
    },
    trace: { beforeAs: v.trace.beforeAs, afterAs: v.trace.afterAs },
    routeChanges: v.routeChanges.map(routeChangeJson),
  };
}
