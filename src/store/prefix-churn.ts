// Per-prefix churn per hour of feed time (schema/002_routes.sql): how many effective
// announcements and withdrawals each prefix saw. Written by the ingest in batches.
import type { Kysely } from 'kysely';
import type { Database } from './db.ts';

export const HOUR_MS = 3_600_000;

export interface ChurnCount {
  readonly prefix: string;
  /** Start of the hour, ms. */
  readonly bucket: number;
  readonly announcements: number;
  readonly withdrawals: number;
}

export class PrefixChurnRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The buckets of one prefix (or all), oldest first. */
  async list(f: { prefix?: string; since?: number; limit?: number } = {}): Promise<ChurnCount[]> {
    let q = this.db.selectFrom('prefix_churn').select(['prefix', 'bucket', 'announcements', 'withdrawals']);
    if (f.prefix !== undefined) q = q.where('prefix', '=', f.prefix);
    if (f.since !== undefined) q = q.where('bucket', '>=', f.since);
    return q.orderBy('bucket').orderBy('prefix').limit(f.limit ?? 10_000).execute();
  }

  /** Start of the newest hour with counts (feed time, ms); undefined when there is none. */
  async newestBucket(): Promise<number | undefined> {
    const r = await this.db.selectFrom('prefix_churn').select((eb) => eb.fn.max<number | null>('bucket').as('b')).executeTakeFirst();
    return r?.b === null || r?.b === undefined ? undefined : Number(r.b);
  }

  /** Prefixes by total changes since `since` (feed time), busiest first. */
  async busiest(f: { since?: number; limit?: number } = {}): Promise<{ prefix: string; changes: number }[]> {
    let q = this.db
      .selectFrom('prefix_churn')
      .select((eb) => ['prefix', eb.fn.sum<number>(eb('announcements', '+', eb.ref('withdrawals'))).as('changes')])
      .groupBy('prefix');
    if (f.since !== undefined) q = q.where('bucket', '>=', f.since);
    const rows = await q.orderBy('changes', 'desc').orderBy('prefix').limit(f.limit ?? 100).execute();
    return rows.map((r) => ({ prefix: r.prefix, changes: Number(r.changes) }));
  }
}
