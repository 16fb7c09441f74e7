// The console against an API that lacks the verdict and alert resources (an older server,
// or one built without them): each panel says "not available" and names the missing
// path, the rest of the page works, and nothing is invented. Then the server restarts with
// another console build and the open page picks it up by itself. Headless Chromium.
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildApp } from '../../src/api/app.ts';
import { latencyRoutes } from '../../src/api/latency.ts';
import { liveRoutes } from '../../src/api/live.ts';
import { routeChangesRoutes } from '../../src/api/route-changes.ts';
import { targetRoutes } from '../../src/api/targets.ts';
import { webRoutes } from '../../src/api/web.ts';
import { LiveHub } from '../../src/live.ts';
import { createLogger } from '../../src/log.ts';
import { repoRoot } from '../helpers/requirements.ts';
import { artifacts, startChromium } from './helpers.ts';

test('console without /api/verdicts, /api/alerts, /api/silences: "not available" panels, no invented data, no console errors', async (t) => {
  const c = await startChromium(t);
  if (!c) return;
  const target = { id: 'web1', name: 'web1', address: '203.0.113.70', interval: 300_000, backend: 'mtr', source: 'config', state: 'waiting', runs: 0, failures: 0, skipped: 0 };
  const make = async (dir?: string) => buildApp({
    logger: createLogger({ level: 'silent' }),
    version: 't',
    token: 'x'.repeat(24),
    health: { version: 't', uptimeSeconds: () => 0, components: () => ({}) },
    resources: [
      async (x, ctx) => {
        await x.register(targetRoutes, {
          requireToken: ctx.requireToken,
          now: Date.now,
          targets: { list: () => [target], get: (id) => (id === 'web1' ? target : undefined), add: async () => ({ ok: false, field: 'address', reason: 'no' }), remove: async () => 'not-found', traces: async () => [], pathChanges: async () => [] },
        });
      },
      async (x) => {
        await x.register(latencyRoutes, { now: Date.now, source: { list: () => [target], get: (id) => (id === 'web1' ? target : undefined), traces: async () => [], sample: async () => [] } });
      },
      async (x) => {
        await x.register(routeChangesRoutes, { changes: { list: async () => [] }, now: Date.now });
      },
      async (x) => {
        await x.register(liveRoutes, { live: new LiveHub() });
      },
      async (x) => {
        await x.register(webRoutes, dir === undefined ? {} : { dir });
      },
    ],
  });
  let app = await make();
  t.after(() => app.close());
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  assert.equal((await fetch(`${url}/api/verdicts`)).status, 404, 'this server has no verdicts');

  const page = await c.page(1280, 720);
  await page.goto(`${url}/#/overview`);
  await page.waitForSelector('#targets tr[data-target="web1"]');
  const row = await page.$eval('#targets tr[data-target="web1"]', (tr) => Object.fromEntries([...tr.querySelectorAll('td')].map((td) => [td.getAttribute('data-label'), td.textContent?.trim()])));
  assert.equal(row.State, 'no data', 'never traced: no data, not ok');
  assert.equal(row.RTT, '—');
  assert.equal(row['Last verdict'], 'n/a');
  await page.waitForSelector('#targets [data-state="not-available"]');
  assert.match(await page.locator('#targets [data-state="not-available"]').innerText(), /Verdicts: not available — this server has no \/api\/verdicts yet/);
  await page.waitForSelector('#recent-alerts [data-state="not-available"]');
  assert.match(await page.locator('#recent-alerts').innerText(), /Alerts: not available.*\/api\/alerts/s);

  // The state rules and the prefix match the pages use, run in the page itself.
  const build = /\/assets\/([0-9a-f]+)\/app\.js/.exec(await (await fetch(`${url}/`)).text())![1];
  const results = await page.evaluate(async (b) => {
    const o = await import(`/assets/${b}/overview.js`);
    const d = await import(`/assets/${b}/dom.js`);
    const reached = { start: '2026-11-22T05:00:00Z', reached: true };
    return {
      states: [
        o.stateOf(reached, null),
        o.stateOf({ ...reached, reached: false }, { kind: 'better', at: '2026-11-22T04:00:00Z', findings: [] }),
        o.stateOf(reached, { kind: 'worse', at: '2026-11-22T04:00:00Z', findings: [] }),
        o.stateOf(reached, { kind: 'same', at: '2026-11-22T04:00:00Z', findings: ['control-data-mismatch'] }),
        o.stateOf(reached, { kind: 'unreachable', at: '2026-11-22T06:00:00Z', findings: [] }),
        o.stateOf(reached, { kind: 'unreachable', at: '2026-11-22T04:00:00Z', findings: [] }),
        o.stateOf(null, null),
      ],
      contains: [
        d.prefixContains('203.0.113.64/26', '203.0.113.70'),
        d.prefixContains('203.0.113.64/26', '203.0.113.130'),
        d.prefixContains('2001:db8::/32', '2001:db8:1::5'),
        d.prefixContains('2001:db8::/32', '2001:db9::1'),
        d.prefixContains('::ffff:0:0/96', '::ffff:192.0.2.1'),
        d.prefixContains('0.0.0.0/0', '2001:db8::1'),
      ],
    };
  }, build);
  assert.deepEqual(results.states, ['ok', 'unreachable', 'worse', 'mismatch', 'unreachable', 'ok', 'no-data'], 'an unreachable verdict older than a reaching trace is over');
  assert.deepEqual(results.contains, [true, false, true, false, true, false]);

  await page.goto(`${url}/#/target/web1`);
  await page.waitForSelector('#verdicts [data-state="not-available"]');
  assert.match(await page.locator('#verdicts').innerText(), /not available.*\/api\/verdicts/s);
  await page.waitForSelector('#graph p.muted');
  assert.equal(await page.locator('#graph p.muted').innerText(), 'No traces in the last 24h.');

  await page.goto(`${url}/#/alerts`);
  await page.waitForSelector('#alerts [data-state="not-available"]');
  await page.waitForSelector('#silences [data-state="not-available"]');
  assert.match(await page.locator('#silences').innerText(), /not available.*\/api\/silences/s);
  assert.equal(await page.locator('#silence-form').count(), 0, 'no form for a resource that is not there');
  await page.screenshot({ path: join(artifacts, 'alerts-not-available-1280x720.png') });
  assert.deepEqual(c.errors, [], 'no console errors: a missing resource is not requested blindly');

  // The server goes away and comes back on the same port with another console build: the
  // page (a wall screen nobody touches) reconnects and loads the new build by itself.
  await page.waitForSelector('#live-state[data-state="up"]');
  await page.evaluate(() => ((window as unknown as { __old: boolean }).__old = true));
  const port = Number(new URL(url).port);
  await app.close();
  await page.waitForSelector('#live-state[data-state="down"]');
  const dir = mkdtempSync(join(tmpdir(), 'smoketrace-web2-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(repoRoot, 'src', 'web'), dir, { recursive: true });
  appendFileSync(join(dir, 'style.css'), '\n/* build 2 */\n');
  app = await make(dir);
  await app.listen({ host: '127.0.0.1', port });
  await page.waitForFunction(() => (window as unknown as { __old?: boolean }).__old === undefined && document.querySelector('#live-state')?.getAttribute('data-state') === 'up', undefined, { timeout: 20_000 });
  const build2 = /\/assets\/([0-9a-f]+)\/app\.js/.exec(await (await fetch(`${url}/`)).text())![1];
  assert.notEqual(build2, build, 'another build');
  assert.equal(await page.evaluate(() => document.querySelector('script[type="module"]')?.getAttribute('src')), `/assets/${build2}/app.js`, 'the page runs the new build');
  assert.deepEqual(c.errors, [], 'no console errors across the restart either');
});
