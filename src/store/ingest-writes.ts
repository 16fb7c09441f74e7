// The ingest's writes: one transaction per batch (route changes, churn increments, feed
// gaps), so a crash leaves whole batches, and the retention prune.
import type { Kysely } from 'kysely';
import type { RouteChangesTable, Database } from './db.ts';
import type { NewFeedGap } from './feed-gaps.ts';

export interface ChurnIncrement {
  readonly prefix: string;
  readonly bucket: number;
  readonly announcements: number;
  readonly withdrawals: number;
}

export interface IngestBatch {
  readonly changes: readonly Omit<RouteChangesTable, 'id'>[];
  readonly churn: readonly ChurnIncrement[];
  readonly gaps: readonly NewFeedGap[];
  /** When the batch is written (ms): churn rows' updated_at. */
  readonly now: number;
}

export interface PruneResult {
  readonly routeChanges: number;
  readonly churn: number;
  readonly feedGaps: number;
}

/** Rows per INSERT statement: well under SQLite's 32,766 bound variables. */
const ROWS_PER_INSERT = 500;

export class IngestWriteRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async write(b: IngestBatch): Promise<void> {
    if (b.changes.length === 0 && b.churn.length === 0 && b.gaps.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      for (let i = 0; i < b.changes.length; i += ROWS_PER_INSERT) {
        await tx.insertInto('route_changes').values(b.changes.slice(i, i + ROWS_PER_INSERT)).execute();
      }
      for (let i = 0; i < b.churn.length; i += ROWS_PER_INSERT) {
        const rows = b.churn.slice(i, i + ROWS_PER_INSERT).map((c) => ({ ...c, updated_at: b.now }));
        await tx
          .insertInto('prefix_churn')
          .values(rows)
          .onConflict((oc) =>
            oc.columns(['prefix', 'bucket']).doUpdateSet((eb) => ({
              announcements: eb('prefix_churn.announcements', '+', eb.ref('excluded.announcements')),
              withdrawals: eb('prefix_churn.withdrawals', '+', eb.ref('excluded.withdrawals')),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute();
      }
      for (const g of b.gaps) {
        await tx
          .insertInto('feed_gaps')
          .values({ source: g.source, started_at: g.startedAt.getTime(), ended_at: g.endedAt?.getTime() ?? null, reason: g.reason })
          .execute();
      }
    });
  }

  /** Deletes what was stored (route changes, churn counts) or ended (feed gaps) before `cutoff` (ms). */
  async prune(cutoff: number): Promise<PruneResult> {
    return this.db.transaction().execute(async (tx) => {
      const a = await tx.deleteFrom('route_changes').where('stored_at', '<', cutoff).executeTakeFirst();
      const b = await tx.deleteFrom('prefix_churn').where('updated_at', '<', cutoff).executeTakeFirst();
      const c = await tx.deleteFrom('feed_gaps').where('ended_at', 'is not', null).where('ended_at', '<', cutoff).executeTakeFirst();
      return { routeChanges: Number(a.numDeletedRows), churn: Number(b.numDeletedRows), feedGaps: Number(c.numDeletedRows) };
    });
  }
}
