// The composition root: building it starts nothing; start() brings up store then API;
// stop() closes them in reverse; health reflects each step.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fromRaw } from '../../src/config/load.ts';
import { createLogger } from '../../src/log.ts';
import { Service } from '../../src/service.ts';

function configFor(dir: string) {
  const r = fromRaw({}, { env: {}, sets: ['api.listen=127.0.0.1:0', `storage.path=${join(dir, 'db', 's.sqlite')}`] }, { path: 'test', how: 'given' });
  assert.ok(r.ok, r.ok ? '' : `test config rejected: ${r.problems.join('; ')}`);
  return r.config;
}

/** The alerter's counters when no cause came in and nothing was sent. */
const ALERTER_IDLE = { causes: 0, alerts: 0, recoveries: 0, suppressed: 0, errors: 0, sent: 0, retries: 0, failed: 0 };

test('a service starts nothing until start(), and reports each component', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smoketrace-service-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  let now = 1_000_000;
  const service = new Service(configFor(dir), { logger: createLogger({ level: 'silent' }), version: '1.2.3', now: () => now });
  assert.equal(existsSync(join(dir, 'db')), false, 'no file before start()');
  assert.equal(service.api.url, undefined, 'no socket before start()');
  assert.deepEqual(Object.keys(service.health()), ['store', 'alerter', 'api']);
  assert.equal(service.health().store.state, 'stopped');

  await service.start();
  t.after(() => service.stop());
  now += 90_500;
  const res = await fetch(`${service.api.url}/api/health`);
  assert.deepEqual(await res.json(), {
    status: 'ok',
    version: '1.2.3',
    uptimeSeconds: 90,
    components: { store: { state: 'ok' }, alerter: { state: 'ok', counters: ALERTER_IDLE }, api: { state: 'ok' } },
  });

  await service.stop();
  assert.deepEqual(service.health(), { store: { state: 'stopped' }, alerter: { state: 'stopped', counters: ALERTER_IDLE }, api: { state: 'stopped' } });
  await assert.rejects(fetch(`${service.api.url}/api/health`), 'the port is closed after stop()');
});

test('if the API cannot start, the store that did start is stopped again', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'smoketrace-service-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const first = new Service(configFor(dir), { logger: createLogger({ level: 'silent' }), version: '1.2.3' });
  await first.start();
  t.after(() => first.stop());
  const port = new URL(first.api.url!).port;
  const r = fromRaw({}, { env: {}, sets: [`api.listen=127.0.0.1:${port}`, `storage.path=${join(dir, 'other.sqlite')}`] }, { path: 'test', how: 'given' });
  assert.ok(r.ok, r.ok ? '' : `test config rejected: ${r.problems.join('; ')}`);
  const second = new Service(r.config, { logger: createLogger({ level: 'silent' }), version: '1.2.3' });
  await assert.rejects(second.start(), /cannot listen on 127\.0\.0\.1:\d+ \(api\.listen\)/);
  assert.equal(second.health().store.state, 'stopped');
  assert.equal(second.health().api.state, 'failed');
});
