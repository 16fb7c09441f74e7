import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { runCli, tempDir } from './cli-process.ts';

test('db migrate creates and migrates the database, then has nothing to do', (t) => {
  const dir = tempDir(t, 'db');
  const path = join(dir, 'var', 'st.sqlite');
  const first = runCli(['db', 'migrate', '--set', `storage.path=${path}`]);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, new RegExp(`^${path}: applied 001_init\\.sql.*; now at schema version \\d+\\n$`));
  const again = runCli(['db', 'migrate', '--set', `storage.path=${path}`]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`^${path}: up to date at schema version \\d+\\n$`));
});

test('db migrate refuses a database from a newer smoketrace with status 1', (t) => {
  const dir = tempDir(t, 'db-newer');
  const path = join(dir, 'st.sqlite');
  assert.equal(runCli(['db', 'migrate', '--set', `storage.path=${path}`]).status, 0);
  const db = new BetterSqlite3(path);
  db.prepare("INSERT INTO schema_migrations VALUES (77, '077_x.sql', 'x', '2030-01-01T00:00:00Z', '9.0.0')").run();
  db.close();
  const r = runCli(['db', 'migrate', '--set', `storage.path=${path}`]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^smoketrace db migrate: .*st\.sqlite is at schema version 77 \(written by smoketrace 9\.0\.0\)/);
});
