// The typed shape of the SQLite database (what schema/*.sql creates) and how it is
// opened. Only store/ sees this file; domain code goes through the repositories.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { type Generated, Kysely, SqliteDialect } from 'kysely';

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: string;
  /** The smoketrace version that applied it, for the "database is newer" message. */
  applied_by: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface FeedGapsTable {
  id: Generated<number>;
  source: string;
  started_at: number;
  ended_at: number | null;
  reason: string;
}

export interface RouteChangesTable {
  id: Generated<number>;
  prefix: string;
  time: number;
  source: string;
  router: string;
  peer_address: string;
  peer_asn: number;
  route_table: string;
  path_id: number | null;
  kind: string;
  cause: string;
  reason: string | null;
  /** JSON (store/attributes-json.ts); null for a new route. */
  before_attrs: string | null;
  /** JSON; null for a withdrawal. */
  after_attrs: string | null;
  stored_at: number;
}

export interface PrefixChurnTable {
  prefix: string;
  /** Start of the hour (feed time), ms. */
  bucket: number;
  announcements: number;
  withdrawals: number;
  updated_at: number;
}

export interface TargetsTable {
  id: string;
  address: string;
  interval_ms: number | null;
  backend: string | null;
  source: string;
  created_at: number;
}

export interface TracesTable {
  id: Generated<number>;
  target_id: string;
  address: string;
  backend: string;
  method: string;
  start: number;
  end: number;
  reached: number;
  reason: string;
  /** JSON: the Trace. */
  trace: string;
  stored_at: number;
}

export interface PathChangesTable {
  id: Generated<number>;
  target_id: string;
  kind: string;
  at: number;
  /** JSON: the PathChange. */
  change: string;
  stored_at: number;
}

export interface PathStateTable {
  target_id: string;
  address: string;
  /** JSON: the PathState. */
  state: string;
  updated_at: number;
}

/** schema/005_alerts.sql */
export interface AlertsTable {
  id: Generated<number>;
  cause_id: string;
  kind: string;
  rule: string;
  created_at: number;
  subject: string;
  verdict: string;
  summary: string;
  /** JSON: the alert's targets. */
  targets: string;
  /** JSON: { text, html, slack } as rendered. */
  message: string;
  acked_at: number | null;
  acked_by: string | null;
}

export interface AlertDeliveriesTable {
  alert_id: number;
  channel: string;
  state: string;
  attempts: number;
  next_at: number;
  last_error: string | null;
  sent_at: number | null;
}

export interface AlertStateTable {
  rule: string;
  target_id: string;
  /** JSON: [{ causeId, hit }]. */
  recent: string;
  last_fired_at: number | null;
  firing_alert_id: number | null;
  firing_since: number | null;
  firing_verdict: string | null;
  updated_at: number;
}

export interface SilencesTable {
  id: Generated<number>;
  prefix: string | null;
  target: string | null;
  start: number;
  end: number;
  comment: string;
  created_at: number;
}

/** schema/004_verdicts.sql */
export interface VerdictsTable {
  id: Generated<number>;
  cause_id: string;
  cause_kind: string;
  target_id: string;
  at: number;
  kind: string;
  /** JSON: VerdictJson without id. */
  verdict: string;
  stored_at: number;
}

/** schema/006_auto_targets.sql */
export interface AutoTargetsTable {
  id: string;
  prefix: string;
  address: string;
  source: string;
  reason: string;
  score: number;
  state: string;
  pinned: number;
  created_at: number;
  updated_at: number;
  last_ranked_at: number;
  withdrawn_since: number | null;
  expired_at: number | null;
  expired_why: string | null;
}

export interface AutoPrefixChecksTable {
  prefix: string;
  address: string | null;
  responsive: number;
  checked_at: number;
  /** JSON array of strings. */
  tried: string;
}

export interface Database {
  schema_migrations: SchemaMigrationsTable;
  meta: MetaTable;
  feed_gaps: FeedGapsTable;
  route_changes: RouteChangesTable;
  prefix_churn: PrefixChurnTable;
  targets: TargetsTable;
  traces: TracesTable;
  path_changes: PathChangesTable;
  path_state: PathStateTable;
  auto_targets: AutoTargetsTable;
  auto_prefix_checks: AutoPrefixChecksTable;
  verdicts: VerdictsTable;
  alerts: AlertsTable;
  alert_deliveries: AlertDeliveriesTable;
  alert_state: AlertStateTable;
  silences: SilencesTable;
}

export type Sqlite = BetterSqlite3.Database;

/**
 * Opens (creating it and its directory if missing) a SQLite file with the settings
 * every connection needs:
 * - WAL: readers (API) never block the writer (feeds), and a crash mid-transaction
 *   leaves the last committed state.
 * - synchronous=NORMAL: in WAL mode this never corrupts the database and a process
 *   crash loses nothing committed; only a power loss can drop the last commits. Feeds
 *   write many small transactions, and FULL's fsync on each would cap throughput for
 *   data that is re-learned from the feeds anyway.
 * - foreign_keys=ON: SQLite leaves it off per connection unless asked.
 * - busy_timeout: `smoketrace db migrate` next to a running server waits instead of
 *   failing at once with SQLITE_BUSY.
 */
export function openSqlite(path: string): Sqlite {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new BetterSqlite3(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

export function kyselyOver(db: Sqlite): Kysely<Database> {
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: db }) });
}
