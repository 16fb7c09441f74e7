// The prober's tables (schema/003_probe.sql): API-made targets, traces, path changes
// and path-diff state. Traces, changes and states are written in batches, one
// transaction each (the prober's writer gathers them), so a crash leaves whole batches.
import { type Kysely, sql } from 'kysely';
import type { PathChange } from '../model/path-change.ts';
import type { Trace } from '../model/trace.ts';
import type { Database } from './db.ts';

export interface StoredTarget {
  readonly id: string;
  /** As given: an IP literal or a host name. */
  readonly address: string;
  readonly intervalMs?: number;
  readonly backend?: string;
  readonly createdAt: number;
}

export interface TraceWrite {
  readonly targetId: string;
  readonly trace: Trace;
  readonly reason: string;
}

export interface ChangeWrite {
  readonly targetId: string;
  readonly change: PathChange;
}

export interface StateWrite {
  readonly targetId: string;
  readonly address: string;
  /** Plain JSON (probe/pathdiff.ts PathState). */
  readonly state: unknown;
}

export interface ProbeBatch {
  readonly traces: readonly TraceWrite[];
  readonly changes: readonly ChangeWrite[];
  readonly states: readonly StateWrite[];
  /** When the batch is written (ms): stored_at / updated_at. */
  readonly now: number;
}

export interface StoredTrace {
  readonly id: number;
  readonly targetId: string;
  readonly reason: string;
  readonly trace: Trace;
}

export interface StoredPathChange {
  readonly id: number;
  readonly targetId: string;
  readonly change: PathChange;
}

/** Reads are oldest first unless asked for 'desc' (newest first: a limit then keeps the newest). */
export type Order = 'asc' | 'desc';

const ROWS_PER_INSERT = 200;

export class ProbeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  // ---------------------------------------------------------------- targets

  async targets(): Promise<StoredTarget[]> {
    const rows = await this.db.selectFrom('targets').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id,
      address: r.address,
      ...(r.interval_ms === null ? {} : { intervalMs: r.interval_ms }),
      ...(r.backend === null ? {} : { backend: r.backend }),
      createdAt: r.created_at,
    }));
  }

  async putTarget(t: StoredTarget): Promise<void> {
    const row = { id: t.id, address: t.address, interval_ms: t.intervalMs ?? null, backend: t.backend ?? null, source: 'api', created_at: t.createdAt };
    await this.db
      .insertInto('targets')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet({ address: row.address, interval_ms: row.interval_ms, backend: row.backend }))
      .execute();
  }

  /** Deletes the target and its path state (its traces and changes stay until retention). */
  async deleteTarget(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const r = await tx.deleteFrom('targets').where('id', '=', id).executeTakeFirst();
      await tx.deleteFrom('path_state').where('target_id', '=', id).execute();
      return Number(r.numDeletedRows) > 0;
    });
  }

  // ---------------------------------------------------------------- batched writes

  async write(b: ProbeBatch): Promise<void> {
    if (b.traces.length === 0 && b.changes.length === 0 && b.states.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      for (let i = 0; i < b.traces.length; i += ROWS_PER_INSERT) {
        const rows = b.traces.slice(i, i + ROWS_PER_INSERT).map((w) => ({
          target_id: w.targetId,
          address: w.trace.target,
          backend: w.trace.backend,
          method: w.trace.method,
          // Whole ms in the index columns (scamper's times have microseconds); the JSON keeps them exact.
          start: Math.floor(w.trace.start),
          end: Math.ceil(w.trace.end),
          reached: w.trace.reached ? 1 : 0,
          reason: w.reason,
          trace: JSON.stringify(w.trace),
          stored_at: b.now,
        }));
        await tx.insertInto('traces').values(rows).execute();
      }
      for (let i = 0; i < b.changes.length; i += ROWS_PER_INSERT) {
        const rows = b.changes.slice(i, i + ROWS_PER_INSERT).map((w) => ({
          target_id: w.targetId,
          kind: w.change.kind,
          at: Math.floor(w.change.at),
          change: JSON.stringify(w.change),
          stored_at: b.now,
        }));
        await tx.insertInto('path_changes').values(rows).execute();
      }
      // Only the latest state per target matters; later entries win.
      const latest = new Map<string, StateWrite>();
      for (const s of b.states) latest.set(s.targetId, s);
      for (const s of latest.values()) {
        const row = { target_id: s.targetId, address: s.address, state: JSON.stringify(s.state), updated_at: b.now };
        await tx
          .insertInto('path_state')
          .values(row)
          .onConflict((oc) => oc.column('target_id').doUpdateSet({ address: row.address, state: row.state, updated_at: row.updated_at }))
          .execute();
      }
    });
  }

  // ---------------------------------------------------------------- reads

  /**
   * Traces of one target whose start is in [from, to], oldest first; with order 'desc'
   * newest first, so a limit keeps the newest rather than the oldest.
   */
  async traces(targetId: string, f: { from?: number; to?: number; limit?: number; order?: Order } = {}): Promise<StoredTrace[]> {
    let q = this.db.selectFrom('traces').select(['id', 'target_id', 'reason', 'trace']).where('target_id', '=', targetId);
    if (f.from !== undefined) q = q.where('start', '>=', f.from);
    if (f.to !== undefined) q = q.where('start', '<=', f.to);
    const dir = f.order ?? 'asc';
    const rows = await q.orderBy('start', dir).orderBy('id', dir).limit(f.limit ?? 1000).execute();
    return rows.map((r) => ({ id: r.id, targetId: r.target_id, reason: r.reason, trace: JSON.parse(r.trace) as Trace }));
  }

  /**
   * At most `points` traces of one target spread over [from, to], oldest first, for a graph
   * of a window with more traces than it has pixels. The window is cut into `points` equal
   * slices and each slice gives one trace: its newest unreached one if any (an outage must
   * not vanish from a long graph), else its newest. SQLite picks them from the index
   * columns, so only the chosen traces' JSON is read and parsed. With no more than
   * `points` traces in the window, every one comes back.
   */
  async sampleTraces(targetId: string, f: { from: number; to: number; points: number }): Promise<StoredTrace[]> {
    const points = Math.max(1, Math.floor(f.points));
    const inWindow = this.db.selectFrom('traces').where('target_id', '=', targetId).where('start', '>=', f.from).where('start', '<=', f.to);
    const { n } = await inWindow.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    if (Number(n) <= points) return this.traces(targetId, { from: f.from, to: f.to, limit: points });
    const slice = Math.max(1, Math.ceil((f.to - f.from + 1) / points));
    const picked = inWindow
      .select(sql<number>`coalesce(max(case when reached = 0 then id end), max(id))`.as('id'))
      // cast: a bound JS number may arrive as REAL, and a REAL quotient would make every row its own slice.
      .groupBy(sql`cast((start - ${f.from}) / ${slice} as integer)`);
    const rows = await this.db
      .selectFrom('traces')
      .select(['id', 'target_id', 'reason', 'trace'])
      .where('id', 'in', (eb) => eb.selectFrom(picked.as('p')).select('p.id'))
      .orderBy('start')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, targetId: r.target_id, reason: r.reason, trace: JSON.parse(r.trace) as Trace }));
  }

  /** Path changes of one target with `at` in [since, until], oldest first (newest first with order 'desc'). */
  async pathChanges(targetId: string, f: { since?: number; until?: number; limit?: number; order?: Order } = {}): Promise<StoredPathChange[]> {
    let q = this.db.selectFrom('path_changes').select(['id', 'target_id', 'change']).where('target_id', '=', targetId);
    if (f.since !== undefined) q = q.where('at', '>=', f.since);
    if (f.until !== undefined) q = q.where('at', '<=', f.until);
    const dir = f.order ?? 'asc';
    const rows = await q.orderBy('at', dir).orderBy('id', dir).limit(f.limit ?? 1000).execute();
    return rows.map((r) => ({ id: r.id, targetId: r.target_id, change: JSON.parse(r.change) as PathChange }));
  }

  /** Every stored path-diff state. */
  async states(): Promise<{ targetId: string; address: string; state: unknown }[]> {
    const rows = await this.db.selectFrom('path_state').selectAll().execute();
    return rows.map((r) => ({ targetId: r.target_id, address: r.address, state: JSON.parse(r.state) as unknown }));
  }

  /** Deletes traces and path changes stored before `cutoff` (ms). */
  async prune(cutoff: number): Promise<{ traces: number; pathChanges: number }> {
    return this.db.transaction().execute(async (tx) => {
      const a = await tx.deleteFrom('traces').where('stored_at', '<', cutoff).executeTakeFirst();
      const b = await tx.deleteFrom('path_changes').where('stored_at', '<', cutoff).executeTakeFirst();
      return { traces: Number(a.numDeletedRows), pathChanges: Number(b.numDeletedRows) };
    });
  }
}
