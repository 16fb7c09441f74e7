import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { packagedExample } from '../../src/config/load.ts';
import { version } from '../../src/version.ts';
import { exitWithin, runCli, startServe, tempDir } from './cli-process.ts';

function integrity(path: string): string {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

test('serve answers health, OpenAPI and docs, and SIGINT stops it cleanly with status 0', async (t) => {
  const dir = tempDir(t, 'serve');
  const dbPath = join(dir, 'state', 'smoketrace.sqlite');
  const started = Date.now();
  // No config.toml in this directory: serve falls back to the shipped config.example.toml.
  const s = await startServe(t, ['--set', 'api.listen=127.0.0.1:0', '--set', `storage.path=${dbPath}`], { cwd: dir });
  assert.ok(Date.now() - started < 10_000, `serve took ${Date.now() - started} ms to start listening (limit 10 s)`);
  assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(s.output().includes(JSON.stringify(packagedExample)), 'logs which config it read');

  const health = await fetch(`${s.url}/api/health`);
  assert.equal(health.status, 200);
  const body = await health.json();
  assert.equal(body.status, 'ok');
  assert.equal(body.version, version);
  assert.deepEqual(Object.keys(body.components), ['store', 'alerter', 'api']);
  assert.deepEqual([body.components.store, body.components.alerter.state, body.components.api], [{ state: 'ok' }, 'ok', { state: 'ok' }]);

  const doc = await (await fetch(`${s.url}/api/openapi.json`)).json();
  assert.ok(doc.paths['/api/health'], 'the OpenAPI document lists /api/health');

  const docs = await fetch(`${s.url}/docs`);
  assert.equal(docs.status, 200);
  assert.match(docs.headers.get('content-type') ?? '', /text\/html/);
  assert.match(await docs.text(), /<html/i);

  const missing = await fetch(`${s.url}/api/no-such-thing`);
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.code, 'NOT_FOUND');

  s.proc.kill('SIGINT');
  assert.deepEqual(await exitWithin(s, 5000), { code: 0, signal: null });
  assert.match(s.output(), /"msg":"stopped"/);
  assert.equal(integrity(dbPath), 'ok');
});

test('SIGTERM also stops serve with status 0; config.toml in the working directory is used', async (t) => {
  const dir = tempDir(t, 'serve-term');
  writeFileSync(join(dir, 'config.toml'), '[api]\nlisten = "127.0.0.1:0"\n[storage]\npath = "db/st.sqlite"\n[log]\nlevel = "warn"\n');
  const s = await startServe(t, ['--set', 'log.level=info'], { cwd: dir });
  assert.ok(s.output().includes(JSON.stringify(join(dir, 'config.toml'))), `serve's output does not name the config file it used:\n${s.output()}`);
  assert.equal((await fetch(`${s.url}/api/health`)).status, 200);
  s.proc.kill('SIGTERM');
  assert.deepEqual(await exitWithin(s, 5000), { code: 0, signal: null });
  assert.equal(integrity(join(dir, 'db', 'st.sqlite')), 'ok', 'storage.path is relative to the working directory');
});

test('a bad config stops serve before anything starts: status 2, one line per problem, no database', (t) => {
  const dir = tempDir(t, 'serve-bad');
  const dbPath = join(dir, 'never.sqlite');
  const r = runCli(['serve', '--set', 'api.listen=127.0.0.1:0', '--set', `storage.path=${dbPath}`, '--set', 'probe.interval=fast', '--set', 'api.typo=1'], { cwd: dir });
  assert.equal(r.status, 2);
  assert.deepEqual(r.stderr.trim().split('\n'), [
    'api.typo (from --set): expected a key of [api] (one of listen, token), got an unknown key',
    'probe.interval (from --set): expected a duration like "5m" (units ms, s, m, h, d, w; at least 10s), got "fast"',
    `smoketrace: ${packagedExample}: 2 problems in the config; nothing was started`,
  ]);
  assert.equal(r.stdout, '', 'no log line: nothing started');
  assert.equal(existsSync(dbPath), false);
});

test('a port already in use is a runtime failure (status 1) that names api.listen', async (t) => {
  const dir = tempDir(t, 'serve-busy');
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.after(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const r = runCli(['serve', '--set', `api.listen=127.0.0.1:${port}`, '--set', `storage.path=${join(dir, 'db.sqlite')}`], { cwd: dir });
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`smoketrace serve: cannot listen on 127\\.0\\.0\\.1:${port} \\(api\\.listen\\): .*EADDRINUSE`));
  assert.equal(integrity(join(dir, 'db.sqlite')), 'ok', 'the store was closed again');
});

test('a database from a newer smoketrace stops serve with status 1, naming both versions', (t) => {
  const dir = tempDir(t, 'serve-newer');
  const dbPath = join(dir, 'db.sqlite');
  assert.equal(runCli(['db', 'migrate', '--set', `storage.path=${dbPath}`], { cwd: dir }).status, 0);
  const db = new BetterSqlite3(dbPath);
  db.prepare("INSERT INTO schema_migrations VALUES (42, '042_future.sql', 'x', '2030-01-01T00:00:00Z', '3.1.4')").run();
  db.close();
  const r = runCli(['serve', '--set', 'api.listen=127.0.0.1:0', '--set', `storage.path=${dbPath}`], { cwd: dir });
  assert.equal(r.status, 1);
  const want = `is at schema version 42 (written by smoketrace 3.1.4), but smoketrace ${version} knows schema versions up to`;
  assert.ok(r.stderr.includes(want), r.stderr);
  assert.doesNotMatch(r.stdout, /listening on/);
});
