// The prober's tables (schema/003_probe.sql): API-made targets, traces, path changes
// and path-diff state. Traces, changes and states are written in batches, one
// transaction each (the prober's writer gathers them), so a crash leaves whole batches.
import type { Kysely } from 'kysely';
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

  /** Traces of one target whose start is in [from, to], oldest first. */
  async traces(targetId: string, f: { from?: number; to?: number; limit?: number } = {}): Promise<StoredTrace[]> {
    let q = this.db.selectFrom('traces').select(['id', 'target_id', 'reason', 'trace']).where('target_id', '=', targetId);
    if (f.from !== undefined) q = q.where('start', '>=', f.from);
    if (f.to !== undefined) q = q.where('start', '<=', f.to);
    const rows = await q.orderBy('start').orderBy('id').limit(f.limit ?? 1000).execute();
    return rows.map((r) => ({ id: r.id, targetId: r.target_id, reason: r.reason, trace: JSON.parse(r.trace) as Trace }));
  }

  async pathChanges(targetId: string, f: { since?: number; until?: number; limit?: number } = {}): Promise<StoredPathChange[]> {
    let q = this.db.selectFrom('path_changes').select(['id', 'target_id', 'change']).where('target_id', '=', targetId);
    if (f.since !== undefined) q = q.where('at', '>=', f.since);
    if (f.until !== undefined) q = q.where('at', '<=', f.until);
    const rows = await q.orderBy('at').orderBy('id').limit(f.limit ?? 1000).execute();
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
