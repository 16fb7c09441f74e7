// Numbered SQL migrations from schema/: NNN_name.sql, applied in order, each recorded
// with a checksum. An applied file that changed, or a database from a newer smoketrace,
// is refused with a message naming what to do, never "fixed" silently.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.ts';
import type { Sqlite } from './db.ts';

export const defaultMigrationsDir = join(packageRoot, 'schema');

export interface Migration {
  readonly version: number;
  readonly file: string;
  readonly sql: string;
  readonly checksum: string;
}

/** Refusals an operator must act on: a changed migration, a newer database, a bad schema dir. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

const FILE_NAME = /^(\d{3})_[a-z0-9_]+\.sql$/;

/** Line endings are normalised so a checkout with CRLF does not look like an edit. */
export function checksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

export function readMigrations(dir: string = defaultMigrationsDir): Migration[] {
  const out: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const m = FILE_NAME.exec(file);
    if (!m) throw new MigrationError(`${join(dir, file)}: expected a name like 002_add_traces.sql`);
    const version = Number(m[1]);
    const twin = out.find((x) => x.version === version);
    if (twin) throw new MigrationError(`${dir}: ${twin.file} and ${file} share version ${version}`);
    const sql = readFileSync(join(dir, file), 'utf8');
    out.push({ version, file, sql, checksum: checksum(sql) });
  }
  return out;
}

export interface MigrateResult {
  readonly applied: readonly Migration[];
  /** The schema version after migrating. */
  readonly version: number;
}

export interface MigrateOptions {
  /** The smoketrace version, recorded per migration and named in refusals. */
  readonly appliedBy: string;
  /** How the database is named in messages (its path). */
  readonly label: string;
  readonly now?: () => Date;
}

/**
 * Brings the database to the newest known version. The whole run is one IMMEDIATE
 * transaction, so two processes migrating at once serialise (busy_timeout) and the
 * second finds nothing to do; a failing migration leaves the database as it was.
 */
export function migrate(db: Sqlite, migrations: readonly Migration[], opts: MigrateOptions): MigrateResult {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    applied_by TEXT NOT NULL
  ) STRICT`);
  const run = db.transaction((): MigrateResult => {
    const applied = db
      .prepare('SELECT version, name, checksum, applied_by FROM schema_migrations ORDER BY version')
      .all() as { version: number; name: string; checksum: string; applied_by: string }[];
    checkApplied(applied, migrations, opts);
    const done = new Set(applied.map((a) => a.version));
    const pending = migrations.filter((m) => !done.has(m.version));
    const record = db.prepare(
      'INSERT INTO schema_migrations (version, name, checksum, applied_at, applied_by) VALUES (?, ?, ?, ?, ?)',
    );
    for (const m of pending) {
      try {
        db.exec(m.sql);
      } catch (e) {
        throw new MigrationError(`migration ${m.file} failed on ${opts.label}: ${(e as Error).message}`);
      }
      record.run(m.version, m.file, m.checksum, (opts.now?.() ?? new Date()).toISOString(), opts.appliedBy);
    }
    const version = Math.max(0, ...applied.map((a) => a.version), ...pending.map((m) => m.version));
    return { applied: pending, version };
  });
  return run.immediate();
}

function checkApplied(
  applied: readonly { version: number; name: string; checksum: string; applied_by: string }[],
  migrations: readonly Migration[],
  opts: MigrateOptions,
): void {
  const known = Math.max(0, ...migrations.map((m) => m.version));
  const newest = applied[applied.length - 1];
  if (newest && newest.version > known) {
    throw new MigrationError(
      `${opts.label} is at schema version ${newest.version} (written by smoketrace ${newest.applied_by}), ` +
        `but smoketrace ${opts.appliedBy} knows schema versions up to ${known}: ` +
        'run the newer smoketrace, or point storage.path at another database',
    );
  }
  for (const a of applied) {
    const m = migrations.find((x) => x.version === a.version);
    if (!m) {
      throw new MigrationError(`${opts.label} has migration ${a.name} applied, but no file for version ${a.version} exists`);
    }
    if (m.checksum !== a.checksum) {
      throw new MigrationError(
        `migration ${m.file} was changed after it was applied to ${opts.label} ` +
          `(checksum ${a.checksum.slice(0, 12)} then, ${m.checksum.slice(0, 12)} now): ` +
          'restore the file and put the change in a new numbered migration',
      );
    }
  }
}
