import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { createLogger } from '../../src/log.ts';
import { MigrationError, defaultMigrationsDir, readMigrations } from '../../src/store/migrate.ts';
import { Store } from '../../src/store/store.ts';

const logger = createLogger({ level: 'silent' });

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'smoketrace-migrate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a fresh database is created (with its directory) and migrated to the newest version', async (t) => {
  const path = join(tempDir(t), 'nested', 'dir', 'db.sqlite');
  const store = new Store({ path, version: '9.9.9', logger });
  assert.equal(existsSync(path), false, 'the constructor touches no file');
  await store.start();
  t.after(() => store.stop());
  assert.equal(store.health().state, 'ok');
  const newest = Math.max(...readMigrations().map((m) => m.version));
  const raw = new BetterSqlite3(path, { readonly: true });
  t.after(() => raw.close());
  const rows = raw.prepare('SELECT version, applied_by FROM schema_migrations ORDER BY version').all() as { version: number; applied_by: string }[];
  assert.equal(rows[rows.length - 1].version, newest);
  assert.equal(rows[0].applied_by, '9.9.9');
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
});

test('migrating again is a no-op', async (t) => {
  const path = join(tempDir(t), 'db.sqlite');
  const first = Store.migrateFile({ path, version: '0.1.0' });
  assert.ok(first.applied.length >= 1, 'the first migrate applied nothing');
  const second = Store.migrateFile({ path, version: '0.1.0' });
  assert.deepEqual(second.applied, []);
  assert.equal(second.version, first.version);
});

test('a database from a newer smoketrace is refused, naming both versions', async (t) => {
  const path = join(tempDir(t), 'db.sqlite');
  Store.migrateFile({ path, version: '0.1.0' });
  const raw = new BetterSqlite3(path);
  raw.prepare("INSERT INTO schema_migrations VALUES (999, '999_future.sql', 'x', '2030-01-01T00:00:00Z', '7.0.0')").run();
  raw.close();
  const store = new Store({ path, version: '0.1.0', logger });
  await assert.rejects(store.start(), (e: Error) => {
    assert.ok(e instanceof MigrationError, `expected a MigrationError, got ${String(e)}`);
    assert.match(e.message, /schema version 999 \(written by smoketrace 7\.0\.0\)/);
    assert.match(e.message, new RegExp(`smoketrace 0\\.1\\.0 knows schema versions up to ${Math.max(...readMigrations().map((m) => m.version))}`));
    return true;
  });
  assert.equal(store.health().state, 'failed');
});

test('an applied migration that was edited is refused, and nothing more is applied', async (t) => {
  const dir = tempDir(t);
  const migrations = join(dir, 'schema');
  cpSync(defaultMigrationsDir, migrations, { recursive: true });
  const path = join(dir, 'db.sqlite');
  Store.migrateFile({ path, version: '0.1.0', migrationsDir: migrations });
  appendFileSync(join(migrations, '001_init.sql'), '\nCREATE TABLE sneaky (x INTEGER);\n');
  writeFileSync(join(migrations, '900_later.sql'), 'CREATE TABLE later (x INTEGER);\n');
  assert.throws(
    () => Store.migrateFile({ path, version: '0.1.0', migrationsDir: migrations }),
    /migration 001_init\.sql was changed after it was applied to .*db\.sqlite .*new numbered migration/,
  );
  const raw = new BetterSqlite3(path, { readonly: true });
  t.after(() => raw.close());
  const later = raw.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('sneaky', 'later')").get() as { n: number };
  assert.equal(later.n, 0);
});

test('a new numbered migration is applied on top of the old ones', async (t) => {
  const dir = tempDir(t);
  const migrations = join(dir, 'schema');
  cpSync(defaultMigrationsDir, migrations, { recursive: true });
  const path = join(dir, 'db.sqlite');
  Store.migrateFile({ path, version: '0.1.0', migrationsDir: migrations });
  writeFileSync(join(migrations, '900_later.sql'), 'CREATE TABLE later (x INTEGER);\n');
  const r = Store.migrateFile({ path, version: '0.2.0', migrationsDir: migrations });
  assert.deepEqual(r.applied.map((m) => m.file), ['900_later.sql']);
  assert.equal(r.version, 900);
});

test('a failing migration leaves the database as it was', async (t) => {
  const dir = tempDir(t);
  const migrations = join(dir, 'schema');
  cpSync(defaultMigrationsDir, migrations, { recursive: true });
  writeFileSync(join(migrations, '900_broken.sql'), 'CREATE TABLE half (x INTEGER);\nTHIS IS NOT SQL;\n');
  const path = join(dir, 'db.sqlite');
  assert.throws(() => Store.migrateFile({ path, version: '0.1.0', migrationsDir: migrations }), /migration 900_broken\.sql failed/);
  const raw = new BetterSqlite3(path, { readonly: true });
  t.after(() => raw.close());
  const n = raw.prepare("SELECT count(*) AS n FROM schema_migrations").get() as { n: number };
  assert.equal(n.n, 0);
  assert.equal((raw.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half'").get() as { n: number }).n, 0);
});

test('migration files must be numbered and unique', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, '001_a.sql'), '');
  writeFileSync(join(dir, '001_b.sql'), '');
  assert.throws(() => readMigrations(dir), /001_a\.sql and 001_b\.sql share version 1/);
  rmSync(join(dir, '001_b.sql'));
  writeFileSync(join(dir, 'init.sql'), '');
  assert.throws(() => readMigrations(dir), /init\.sql: expected a name like 002_add_traces\.sql/);
});
