// Cause ids and one-line summaries. An id is derived from what the BGP event IS (kind,
// source, router, peer, prefix) and the feed's time of its first change, so the same
// event always gets the same id — in a replay, and after a restart (the store keeps
// verdicts by cause id and target, once).
import { createHash } from 'node:crypto';
import { formatAddress } from '../model/address.ts';
import type { CauseKind } from '../model/cause.ts';
import { formatPrefix } from '../model/prefix.ts';
import type { RouteChange } from '../model/route-change.ts';
import { peerKey } from '../rib/tables.ts';
import { formatBgpPath } from '../model/bgp-path.ts';

/** What groups RouteChanges into one cause (before the time is added). */
export function causeKey(kind: CauseKind, c: RouteChange): string {
  if (kind === 'peer-down') {
    return c.cause === 'router-down' ? `router-down|${c.source}|${c.router}` : `peer-down|${c.source}|${c.router}|${peerKey(c.peer)}`;
  }
  return `route-change|${c.source}|${c.router}|${peerKey(c.peer)}|${formatPrefix(c.prefix)}`;
}

const SHORT: Record<CauseKind, string> = { 'route-change': 'rc', 'peer-down': 'pd', 'path-change': 'pc' };

/** "rc-" + 16 hex digits of SHA-256 over key and time: short, URL-safe, stable. */
export function causeId(kind: CauseKind, key: string, time: number): string {
  return `${SHORT[kind]}-${createHash('sha256').update(`${key}|${time}`).digest('hex').slice(0, 16)}`;
}

function peerText(c: RouteChange): string {
  return `${formatAddress(c.peer.address)} AS${c.peer.asn}`;
}

/** "203.0.113.0/24 from 10.0.0.2 AS65002: 65002 65004 -> 65003 65004". */
export function routeChangeSummary(c: RouteChange, targets: number): string {
  const from = c.before ? formatBgpPath(c.before.asPath) : undefined;
  const to = c.after ? formatBgpPath(c.after.asPath) : undefined;
  const what = c.kind === 'withdraw' ? `withdrawn${from ? ` (was ${from})` : ''}` : c.kind === 'new' ? `announced ${to}` : `${from} -> ${to}`;
  return `${formatPrefix(c.prefix)} from ${peerText(c)}: ${what}${targets > 1 ? ` (${targets} targets)` : ''}`;
}

/** "peer 10.0.0.2 AS65002 on r1 went down (reason): 3 targets moved". */
export function peerDownSummary(c: RouteChange, targets: number): string {
  const who = c.cause === 'router-down' ? `router ${c.router} was lost` : `peer ${peerText(c)} on ${c.router} went down`;
  return `${who}${c.reason ? ` (${c.reason})` : ''}: ${targets} target${targets === 1 ? '' : 's'} moved`;
}

/** Cause ids given out, so a second cause of the same key and time gets "#2", "#3" (bounded memory). */
export class CauseIds {
  private readonly used = new Set<string>();

  next(kind: CauseKind, key: string, time: number): string {
    let id = causeId(kind, key, time);
    for (let n = 2; this.used.has(id); n++) id = causeId(kind, `${key}#${n}`, time);
    this.used.add(id);
    if (this.used.size > 10_000) this.used.delete(this.used.values().next().value!);
    return id;
  }
}
