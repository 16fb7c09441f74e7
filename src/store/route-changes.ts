// Route changes of monitored prefixes (schema/002_routes.sql). Written in batches by the
// ingest (store/ingest-writes.ts), read by GET /api/route-changes and the correlator.
import type { Kysely, Selectable } from 'kysely';
import type { RouteChange } from '../model/route-change.ts';
import { formatAddress } from '../model/address.ts';
import { formatPrefix } from '../model/prefix.ts';
import { type AttributesJson, attributesJson } from './attributes-json.ts';
import type { Database, RouteChangesTable } from './db.ts';

/** A stored change, as the API shows it. */
export interface StoredRouteChange {
  readonly id: number;
  readonly prefix: string;
  /** The feed's time of the change, ms. */
  readonly time: number;
  readonly source: string;
  readonly router: string;
  readonly peer: { readonly address: string; readonly asn: number };
  readonly table: string;
  readonly pathId?: number;
  readonly kind: string;
  readonly cause: string;
  readonly reason?: string;
  readonly before: AttributesJson | null;
  readonly after: AttributesJson | null;
}

export interface RouteChangeFilter {
  /** Exact prefix (canonical text). */
  readonly prefix?: string;
  /** Feed time, ms, inclusive. */
  readonly since?: number;
  readonly until?: number;
  readonly limit?: number;
  /** 'desc': newest first, so a limit keeps the newest (default oldest first). */
  readonly order?: 'asc' | 'desc';
}

/** The row for one RouteChange (attributes serialised once per interned set). */
export function routeChangeRow(c: RouteChange, storedAt: number): Omit<RouteChangesTable, 'id'> {
  return {
    prefix: formatPrefix(c.prefix),
    time: c.time,
    source: c.source,
    router: c.router,
    peer_address: formatAddress(c.peer.address),
    peer_asn: c.peer.asn,
    route_table: c.table,
    path_id: c.pathId ?? null,
    kind: c.kind,
    cause: c.cause,
    reason: c.reason ?? null,
    before_attrs: c.before ? jsonText(c.before) : null,
    after_attrs: c.after ? jsonText(c.after) : null,
    stored_at: storedAt,
  };
}

const textCache = new WeakMap<object, string>();
function jsonText(a: NonNullable<RouteChange['before']>): string {
  let s = textCache.get(a);
  if (s === undefined) {
    s = JSON.stringify(attributesJson(a));
    textCache.set(a, s);
  }
  return s;
}

function toChange(r: Selectable<RouteChangesTable>): StoredRouteChange {
  return {
    id: r.id,
    prefix: r.prefix,
    time: r.time,
    source: r.source,
    router: r.router,
    peer: { address: r.peer_address, asn: r.peer_asn },
    table: r.route_table,
    ...(r.path_id === null ? {} : { pathId: r.path_id }),
    kind: r.kind,
    cause: r.cause,
    ...(r.reason === null ? {} : { reason: r.reason }),
    before: r.before_attrs === null ? null : (JSON.parse(r.before_attrs) as AttributesJson),
    after: r.after_attrs === null ? null : (JSON.parse(r.after_attrs) as AttributesJson),
  };
}

export class RouteChangeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Changes oldest first (by feed time, then as stored), or newest first with order 'desc'. */
  async list(f: RouteChangeFilter = {}): Promise<StoredRouteChange[]> {
    let q = this.db.selectFrom('route_changes').selectAll();
    if (f.prefix !== undefined) q = q.where('prefix', '=', f.prefix);
    if (f.since !== undefined) q = q.where('time', '>=', f.since);
    if (f.until !== undefined) q = q.where('time', '<=', f.until);
    const dir = f.order ?? 'asc';
    const rows = await q.orderBy('time', dir).orderBy('id', dir).limit(f.limit ?? 1000).execute();
    return rows.map(toChange);
  }

  async count(prefix?: string): Promise<number> {
    let q = this.db.selectFrom('route_changes').select((eb) => eb.fn.countAll<number>().as('n'));
    if (prefix !== undefined) q = q.where('prefix', '=', prefix);
    const r = await q.executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
