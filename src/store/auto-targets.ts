// Auto targets and prefix probe results (schema/006_auto_targets.sql), for
// src/targets/auto/. Rows map one to one onto AutoTarget and PrefixCheck.
import type { Kysely, Selectable } from 'kysely';
import type { AutoSource, AutoState, AutoTarget, PrefixCheck } from '../targets/auto/types.ts';
import type { AutoTargetsTable, Database } from './db.ts';

function toTarget(r: Selectable<AutoTargetsTable>): AutoTarget {
  return {
    id: r.id,
    prefix: r.prefix,
    address: r.address,
    source: r.source as AutoSource,
    reason: r.reason,
    score: r.score,
    state: r.state as AutoState,
    pinned: r.pinned === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastRankedAt: r.last_ranked_at,
    ...(r.withdrawn_since === null ? {} : { withdrawnSince: r.withdrawn_since }),
    ...(r.expired_at === null ? {} : { expiredAt: r.expired_at }),
    ...(r.expired_why === null ? {} : { expiredWhy: r.expired_why }),
  };
}

function toRow(t: AutoTarget): AutoTargetsTable {
  return {
    id: t.id,
    prefix: t.prefix,
    address: t.address,
    source: t.source,
    reason: t.reason,
    score: t.score,
    state: t.state,
    pinned: t.pinned ? 1 : 0,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    last_ranked_at: t.lastRankedAt,
    withdrawn_since: t.withdrawnSince ?? null,
    expired_at: t.expiredAt ?? null,
    expired_why: t.expiredWhy ?? null,
  };
}

export class AutoTargetRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(f: { state?: AutoState } = {}): Promise<AutoTarget[]> {
    let q = this.db.selectFrom('auto_targets').selectAll();
    if (f.state !== undefined) q = q.where('state', '=', f.state);
    return (await q.orderBy('created_at').orderBy('id').execute()).map(toTarget);
  }

  /** Inserts or replaces whole rows, in one transaction. */
  async put(targets: readonly AutoTarget[]): Promise<void> {
    if (targets.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      for (const t of targets) {
        const row = toRow(t);
        // A prefix keeps one row: a re-added prefix replaces its expired row.
        await tx.deleteFrom('auto_targets').where('prefix', '=', t.prefix).where('id', '!=', t.id).execute();
        const { id: _id, ...rest } = row;
        await tx.insertInto('auto_targets').values(row).onConflict((oc) => oc.column('id').doUpdateSet(rest)).execute();
      }
    });
  }

  /** Deletes targets by id and prefix checks by prefix, in one transaction. */
  async forget(f: { targets: readonly string[]; checks: readonly string[] }): Promise<void> {
    if (f.targets.length + f.checks.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      // In slices: SQLite caps the parameters of one statement.
      for (let i = 0; i < f.targets.length; i += 500) await tx.deleteFrom('auto_targets').where('id', 'in', f.targets.slice(i, i + 500)).execute();
      for (let i = 0; i < f.checks.length; i += 500) await tx.deleteFrom('auto_prefix_checks').where('prefix', 'in', f.checks.slice(i, i + 500)).execute();
    });
  }

  async checks(): Promise<PrefixCheck[]> {
    const rows = await this.db.selectFrom('auto_prefix_checks').selectAll().execute();
    return rows.map((r) => ({
      prefix: r.prefix,
      ...(r.address === null ? {} : { address: r.address }),
      responsive: r.responsive === 1,
      checkedAt: r.checked_at,
      tried: JSON.parse(r.tried) as string[],
    }));
  }

  async putCheck(c: PrefixCheck): Promise<void> {
    const row = { prefix: c.prefix, address: c.address ?? null, responsive: c.responsive ? 1 : 0, checked_at: c.checkedAt, tried: JSON.stringify(c.tried) };
    const { prefix: _p, ...rest } = row;
    await this.db.insertInto('auto_prefix_checks').values(row).onConflict((oc) => oc.column('prefix').doUpdateSet(rest)).execute();
  }
}
