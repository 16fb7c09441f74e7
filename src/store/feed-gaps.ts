// Periods in which a feed delivered nothing. Times are Dates here, epoch ms in SQL.
import type { Kysely, Selectable } from 'kysely';
import type { Database, FeedGapsTable } from './db.ts';

export interface FeedGap {
  readonly id: number;
  readonly source: string;
  readonly startedAt: Date;
  /** Undefined while the gap is still open. */
  readonly endedAt?: Date;
  readonly reason: string;
}

export interface NewFeedGap {
  readonly source: string;
  readonly startedAt: Date;
  readonly endedAt?: Date;
  readonly reason: string;
}

function toGap(row: Selectable<FeedGapsTable>): FeedGap {
  return {
    id: row.id,
    source: row.source,
    startedAt: new Date(row.started_at),
    ...(row.ended_at === null ? {} : { endedAt: new Date(row.ended_at) }),
    reason: row.reason,
  };
}

export class FeedGapRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Records gaps in one transaction: all of them are stored, or none. Returns their ids. */
  async record(gaps: readonly NewFeedGap[]): Promise<number[]> {
    if (gaps.length === 0) return [];
    return this.db.transaction().execute(async (tx) => {
      const ids: number[] = [];
      for (const g of gaps) {
        const row = await tx
          .insertInto('feed_gaps')
          .values({
            source: g.source,
            started_at: g.startedAt.getTime(),
            ended_at: g.endedAt?.getTime() ?? null,
            reason: g.reason,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        ids.push(row.id);
      }
      return ids;
    });
  }

  /** Closes an open gap; false if there is no open gap with that id. */
  async close(id: number, endedAt: Date): Promise<boolean> {
    const r = await this.db
      .updateTable('feed_gaps')
      .set({ ended_at: endedAt.getTime() })
      .where('id', '=', id)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    return r.numUpdatedRows === 1n;
  }

  /** Gaps of one source (or all), oldest first. */
  async list(filter: { source?: string; limit?: number } = {}): Promise<FeedGap[]> {
    let q = this.db.selectFrom('feed_gaps').selectAll().orderBy('started_at').orderBy('id');
    if (filter.source !== undefined) q = q.where('source', '=', filter.source);
    const rows = await q.limit(filter.limit ?? 1000).execute();
    return rows.map(toGap);
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('feed_gaps').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
