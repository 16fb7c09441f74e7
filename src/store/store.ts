// The store component: opens the SQLite file, migrates it, hands out repositories and
// closes it after pending writes. The constructor touches no file.
import type { Kysely } from 'kysely';
import type { Component, ComponentHealth } from '../component.ts';
import type { Logger } from '../log.ts';
import { type Database, type Sqlite, kyselyOver, openSqlite } from './db.ts';
import { FeedGapRepository } from './feed-gaps.ts';
import { MetaRepository } from './meta.ts';
import { type MigrateResult, defaultMigrationsDir, migrate, readMigrations } from './migrate.ts';

export interface StoreOptions {
  readonly path: string;
  /** The smoketrace version, recorded with applied migrations. */
  readonly version: string;
  readonly logger: Logger;
  readonly migrationsDir?: string;
}

interface Open {
  readonly sqlite: Sqlite;
  readonly db: Kysely<Database>;
  readonly meta: MetaRepository;
  readonly feedGaps: FeedGapRepository;
}

export class Store implements Component {
  readonly name = 'store';
  private open: Open | undefined;
  private status: ComponentHealth = { state: 'stopped', detail: 'not started' };

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
      this.open = { sqlite, db, meta: new MetaRepository(db), feedGaps: new FeedGapRepository(db) };
      await this.open.meta.setOnce('created_at', new Date().toISOString());
      this.status = { state: 'ok' };
      log.info({ path: this.opts.path, schemaVersion: result.version }, 'store open');
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
