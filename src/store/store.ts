// The store component: opens the SQLite file, migrates it, hands out repositories and
// closes it after pending writes. The constructor touches no file.
import type { Kysely } from 'kysely';
import type { Component, ComponentHealth } from '../component.ts';
import type { Logger } from '../log.ts';
import { type Database, type Sqlite, kyselyOver, openSqlite } from './db.ts';
import { FeedGapRepository } from './feed-gaps.ts';
import { IngestWriteRepository, type PruneResult } from './ingest-writes.ts';
import { MetaRepository } from './meta.ts';
import { PrefixChurnRepository } from './prefix-churn.ts';
import { ProbeRepository } from './probe.ts';
import { VerdictRepository } from './verdicts.ts';
import { AlertRepository } from './alerts.ts';
import { AutoTargetRepository } from './auto-targets.ts';
import { RouteChangeRepository } from './route-changes.ts';
import { type MigrateResult, defaultMigrationsDir, migrate, readMigrations } from './migrate.ts';

export interface StoreOptions {
  readonly path: string;
  /** The smoketrace version, recorded with applied migrations. */
  readonly version: string;
  readonly logger: Logger;
  readonly migrationsDir?: string;
  /**
   * storage.retention (ms). When set, start() starts a timer that deletes route changes,
   * churn counts and ended feed gaps stored longer ago than this; stop() stops it.
   */
  readonly retentionMs?: number;
  /** How often the retention prune runs (default hourly; the first run is 10 s after start). */
  readonly pruneEveryMs?: number;
  /** Wall clock, ms (injected in tests). */
  readonly now?: () => number;
}

interface Open {
  readonly sqlite: Sqlite;
  readonly db: Kysely<Database>;
  readonly meta: MetaRepository;
  readonly feedGaps: FeedGapRepository;
  readonly routeChanges: RouteChangeRepository;
  readonly churn: PrefixChurnRepository;
  readonly ingest: IngestWriteRepository;
  readonly probe: ProbeRepository;
  readonly verdicts: VerdictRepository;
  readonly alerts: AlertRepository;
  readonly autoTargets: AutoTargetRepository;
}

export class Store implements Component {
  readonly name = 'store';
  private open: Open | undefined;
  private status: ComponentHealth = { state: 'stopped', detail: 'not started' };
  private pruneTimer: ReturnType<typeof setTimeout> | undefined;
  private pruning: Promise<unknown> | undefined;

  constructor(private readonly opts: StoreOptions) {}

  /** Opens and migrates. Throws MigrationError (refusals) or the SQLite error. */
  async start(): Promise<void> {
    if (this.open) return;
    this.status = { state: 'starting' };
    const log = this.opts.logger;
    let sqlite: Sqlite | undefined;
    try {
      sqlite = openSqlite(this.opts.path);
      const result = this.migrateOpen(sqlite);
      if (result.applied.length > 0) {
        log.info({ applied: result.applied.map((m) => m.file), version: result.version }, 'applied migrations');
      }
      const db = kyselyOver(sqlite);
      this.open = {
        sqlite,
        db,
        meta: new MetaRepository(db),
        feedGaps: new FeedGapRepository(db),
        routeChanges: new RouteChangeRepository(db),
        churn: new PrefixChurnRepository(db),
        ingest: new IngestWriteRepository(db),
        probe: new ProbeRepository(db),
        verdicts: new VerdictRepository(db, this.opts.now),
        alerts: new AlertRepository(db),
        autoTargets: new AutoTargetRepository(db),
      };
      await this.open.meta.setOnce('created_at', new Date().toISOString());
      this.status = { state: 'ok' };
      log.info({ path: this.opts.path, schemaVersion: result.version }, 'store open');
      if (this.opts.retentionMs !== undefined) this.schedulePrune(10_000);
    } catch (e) {
      sqlite?.close();
      this.open = undefined;
      this.status = { state: 'failed', detail: (e as Error).message };
      throw e;
    }
  }

  /** Migrates without keeping the database open (`smoketrace db migrate`). */
  static migrateFile(opts: Omit<StoreOptions, 'logger'>): MigrateResult {
    const sqlite = openSqlite(opts.path);
    try {
      return migrate(sqlite, readMigrations(opts.migrationsDir ?? defaultMigrationsDir), { appliedBy: opts.version, label: opts.path });
    } finally {
      sqlite.close();
    }
  }

  private migrateOpen(sqlite: Sqlite): MigrateResult {
    const migrations = readMigrations(this.opts.migrationsDir ?? defaultMigrationsDir);
    return migrate(sqlite, migrations, { appliedBy: this.opts.version, label: this.opts.path });
  }

  /** Waits for the writes already queued on the one connection, then closes it. */
  async stop(): Promise<void> {
    const open = this.open;
    if (!open) return;
    clearTimeout(this.pruneTimer);
    this.pruneTimer = undefined;
    await this.pruning;
    this.open = undefined;
    // Kysely serialises use of the single SQLite connection; taking it ourselves
    // means every transaction queued before us has committed or rolled back.
    await open.db.connection().execute(async () => {});
    await open.db.destroy();
    this.status = { state: 'stopped' };
    this.opts.logger.info({ path: this.opts.path }, 'store closed');
  }

  health(): ComponentHealth {
    return this.status;
  }

  private schedulePrune(ms: number): void {
    const t = setTimeout(() => {
      this.pruneTimer = undefined;
      const run = Promise.all([this.prune(), this.pruneProbe(), this.pruneVerdicts(), this.pruneAlerts()])
        .then(([r, p, verdicts, a]) => {
          if (r.routeChanges + r.churn + r.feedGaps + p.traces + p.pathChanges + verdicts + a.alerts + a.silences > 0) this.opts.logger.info({ ...r, ...p, verdicts, ...a }, 'retention: pruned old rows');
        })
        .catch((e: unknown) => this.opts.logger.error({ err: e }, 'retention prune failed'))
        .finally(() => {
          this.pruning = undefined;
          if (this.open) this.schedulePrune(this.opts.pruneEveryMs ?? 3_600_000);
        });
      this.pruning = run;
    }, ms);
    t.unref();
    this.pruneTimer = t;
  }

  /** Deletes rows stored longer ago than storage.retention (nothing when no retention is set). */
  async prune(): Promise<PruneResult> {
    const retention = this.opts.retentionMs;
    if (retention === undefined) return { routeChanges: 0, churn: 0, feedGaps: 0 };
    return this.opened().ingest.prune((this.opts.now ?? Date.now)() - retention);
  }

  /** Deletes traces and path changes stored longer ago than storage.retention. */
  async pruneProbe(): Promise<{ traces: number; pathChanges: number }> {
    const retention = this.opts.retentionMs;
    if (retention === undefined) return { traces: 0, pathChanges: 0 };
    return this.opened().probe.prune((this.opts.now ?? Date.now)() - retention);
  }

  get probe(): ProbeRepository {
    return this.opened().probe;
  }

  /** Deletes alerts (none pending), ended silences and stale rule state older than storage.retention. */
  async pruneAlerts(): Promise<{ alerts: number; silences: number }> {
    const retention = this.opts.retentionMs;
    if (retention === undefined) return { alerts: 0, silences: 0 };
    return this.opened().alerts.prune((this.opts.now ?? Date.now)() - retention);
  }

  get verdicts(): VerdictRepository {
    return this.opened().verdicts;
  }

  /** Deletes verdicts stored longer ago than storage.retention. */
  async pruneVerdicts(): Promise<number> {
    const retention = this.opts.retentionMs;
    if (retention === undefined) return 0;
    return this.opened().verdicts.prune((this.opts.now ?? Date.now)() - retention);
  }

  get alerts(): AlertRepository {
    return this.opened().alerts;
  }

  get autoTargets(): AutoTargetRepository {
    return this.opened().autoTargets;
  }

  get routeChanges(): RouteChangeRepository {
    return this.opened().routeChanges;
  }

  get churn(): PrefixChurnRepository {
    return this.opened().churn;
  }

  get ingest(): IngestWriteRepository {
    return this.opened().ingest;
  }

  get meta(): MetaRepository {
    return this.opened().meta;
  }

  get feedGaps(): FeedGapRepository {
    return this.opened().feedGaps;
  }

  /** PRAGMA integrity_check: ["ok"] for a sound database, else the problems found. */
  integrityCheck(): string[] {
    return (this.opened().sqlite.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  }

  private opened(): Open {
    if (!this.open) throw new Error('store is not open (start() it first)');
    return this.open;
  }
}
