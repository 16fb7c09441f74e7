// The console shows the NEWEST data however much is stored, in real headless Chromium
// against a running Service with a real SQLite file: more route changes in a day than
// the ticker's old 10 000-row read, more traces in a week than the graph's old 10 000,
// more path changes in a week than the old default 1000. Each of those views used to
// read the oldest rows first and cut, so it showed hours- or days-old data.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { routeChangeRow } from '../../src/store/route-changes.ts';
import { startService } from '../service/helpers.ts';
import { SmokeBackend, artifacts, startChromium, storedPathChange, storedRouteChange, storedTrace } from './helpers.ts';

const ADDR = '203.0.113.70';
const PREFIX = '203.0.113.64/26';

const trace = (start: number, rttMs: number) => storedTrace(ADDR, start, rttMs);
const pathChange = (at: number, n: number) => storedPathChange(ADDR, at, n);
const routeChange = (time: number, n: number) => storedRouteChange(PREFIX, time, { router: '127.0.0.2', peer: '10.88.0.1', before: [65201, 65301], after: [65201, 100_000 + n] });

test('console: the ticker, the 7-day graph and the path-change list show the newest rows, not the oldest', async (t) => {
  const c = await startChromium(t);
  if (!c) return;
  const s = await startService(t, ['bmp.enabled=false', `probe.allowed=["${PREFIX}"]`, 'probe.interval=1w'], { backends: { mtr: new SmokeBackend() } }, { targets: [{ address: ADDR, name: 'web1' }] });
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();

  // 12 000 traces over 6.9 days; the newest 100 at 42 ms, the rest at 10 ms.
  const T = 12_000;
  const tStep = Math.floor((6.9 * 86_400_000) / T);
  const tStarts = Array.from({ length: T }, (_, i) => now - 60_000 - (T - 1 - i) * tStep);
  // 1100 path changes over the same days.
  const P = 1100;
  const pAt = Array.from({ length: P }, (_, i) => now - 60_000 - (P - 1 - i) * Math.floor((6.9 * 86_400_000) / P));
  for (let i = 0; i < T; i += 2000) {
    await s.service.store.probe.write({
      traces: tStarts.slice(i, i + 2000).map((st, k) => ({ targetId: 'web1', reason: 'scheduled', trace: trace(st, i + k >= T - 100 ? 42 : 10) })),
      changes: i === 0 ? pAt.map((at, k) => ({ targetId: 'web1', change: pathChange(at, k) })) : [],
      states: [],
      now,
    });
  }
  // 10 050 route changes in the last 23 hours.
  const R = 10_050;
  const rTimes = Array.from({ length: R }, (_, i) => now - 120_000 - (R - 1 - i) * Math.floor((23 * 3_600_000) / R));
  await s.service.store.ingest.write({ changes: rTimes.map((tm, k) => routeChangeRow(routeChange(tm, k), now)), churn: [], gaps: [], now });

  // Overview: the ticker starts with the newest route change; the row has the newest trace.
  const page = await c.page(1280, 720);
  await page.goto(`${s.url}/`);
  await page.waitForSelector('#ticker li[data-prefix]');
  assert.equal(await page.locator('#ticker li[data-prefix]').first().getAttribute('data-time'), iso(rTimes[R - 1]), 'the newest route change first');
  assert.equal(await page.locator('#ticker li[data-prefix]').count(), 30);
  assert.match(await page.locator('#ticker li[data-prefix]').first().innerText(), new RegExp(`65201 65301 → 65201 ${100_000 + R - 1}`));
  await page.waitForSelector('#targets tr[data-target="web1"] svg.spark');
  assert.equal(await page.locator('#targets tr[data-target="web1"] td[data-label="RTT"]').innerText(), '42.0 ms', 'the newest trace');

  // Target page over 7 days: the graph reaches the newest trace (Last RTT is its last point).
  await page.goto(`${s.url}/#/target/web1`);
  await page.waitForSelector('#graph[data-points]');
  await page.click('button[data-range="7d"]');
  await page.waitForFunction(() => Number(document.querySelector('#graph')?.getAttribute('data-points')) > 1000, undefined, { timeout: 15_000 });
  const shown = Number(await page.locator('#graph').getAttribute('data-points'));
  assert.ok(shown <= 1500, `at most 1500 points over the week, got ${shown}`);
  await page.waitForFunction(() => document.querySelector('#last-rtt')?.textContent === '42.0 ms', undefined, { timeout: 15_000 });
  assert.equal(await page.locator('#path').getAttribute('data-start'), iso(tStarts[T - 1]), 'the latest trace is the one in the path diagram');
  // The path changes: the newest 50, newest first.
  await page.waitForSelector('#path-changes li');
  assert.equal(await page.locator('#path-changes li').count(), 50);
  assert.match(await page.locator('#path-changes li').first().innerText(), new RegExp(`change ${P - 1}$`));
  await page.screenshot({ path: join(artifacts, 'target-7d-many-traces.png') });
  assert.deepEqual(c.errors, [], 'no console errors');
});
