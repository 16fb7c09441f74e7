// The correlator's verdicts (schema/004_verdicts.sql): written once per cause (one
// transaction, every target of it), read by GET /api/verdicts, pruned by retention.
import type { Kysely, Selectable } from 'kysely';
import type { Cause } from '../model/cause.ts';
import type { VerdictKind } from '../model/verdict.ts';
import { type VerdictJson, verdictJson } from '../model/verdict-json.ts';
import type { Database, VerdictsTable } from './db.ts';

export interface VerdictFilter {
  readonly target?: string;
  /** ms, inclusive, on the verdict's time. */
  readonly since?: number;
  readonly kind?: VerdictKind;
  readonly limit?: number;
}

function toJson(r: Selectable<VerdictsTable>): VerdictJson {
  return { ...(JSON.parse(r.verdict) as Omit<VerdictJson, 'id'>), id: r.id };
}

export class VerdictRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Stores every verdict of the cause; returns their ids in the cause's order. A verdict
   * already stored for that cause and target (the same cause handed on again) keeps its row and id.
   */
  async insertCause(cause: Cause): Promise<number[]> {
    const storedAt = this.now();
    return this.db.transaction().execute(async (tx) => {
      const ids: number[] = [];
      for (const v of cause.verdicts) {
        const { id: _unused, ...json } = verdictJson(v, cause);
        await tx
          .insertInto('verdicts')
          .values({
            cause_id: cause.id,
            cause_kind: cause.kind,
            target_id: v.targetId,
            // Trace times carry fractions of a millisecond (scamper); the column is INTEGER (STRICT).
            at: Math.round(v.verdict.at),
            kind: v.verdict.kind,
            verdict: JSON.stringify(json),
            stored_at: storedAt,
          })
          .onConflict((oc) => oc.columns(['cause_id', 'target_id']).doNothing())
          .execute();
        const row = await tx.selectFrom('verdicts').select('id').where('cause_id', '=', cause.id).where('target_id', '=', v.targetId).executeTakeFirstOrThrow();
        ids.push(row.id);
      }
      return ids;
    });
  }

  /** Newest first (by time, then as stored). */
  async list(f: VerdictFilter = {}): Promise<VerdictJson[]> {
    let q = this.db.selectFrom('verdicts').selectAll();
    if (f.target !== undefined) q = q.where('target_id', '=', f.target);
    if (f.since !== undefined) q = q.where('at', '>=', f.since);
    if (f.kind !== undefined) q = q.where('kind', '=', f.kind);
    const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(f.limit ?? 100).execute();
    return rows.map(toJson);
  }

  async get(id: number): Promise<VerdictJson | undefined> {
    const r = await this.db.selectFrom('verdicts').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toJson(r);
  }

  /** Deletes verdicts stored before `cutoff` (ms). */
  async prune(cutoff: number): Promise<number> {
    const r = await this.db.deleteFrom('verdicts').where('stored_at', '<', cutoff).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
