// The NOC console in real headless Chromium against a running Service: BGP from the real
// `smoketrace replay` of the FRR fixture plus a BMP router of the test's own (route changes
// now, at chosen times), traces from a scripted backend. Every figure a page shows is
// compared with the API's own JSON; the graph must mark the route change; a trace made
// while the page is open must show without a reload; no console errors; screenshots of
// every page (1280x720, and a phone) go to test-artifacts/web/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { repoRoot } from '../helpers/requirements.ts';
import { startReplay, startService, waitFor } from '../service/helpers.ts';
import { BmpRouter, SmokeBackend, artifacts, startChromium } from './helpers.ts';

const RIB = join(repoRoot, 'fixtures', 'mrt', 'frr-rib.mrt');
const TOKEN = 'console-test-token-0123456789';
const PREFIX = '203.0.113.64/26';
const PATH_A = ['10.0.0.1', '198.51.100.10'];
const PATH_B = ['10.0.0.1', '198.51.100.20', '198.51.100.30'];

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: false });
}

test('console: overview, target graph with route-change marker, path diagram, prefix, routers, alerts; live update; no console errors', async (t) => {
  const c = await startChromium(t);
  if (!c) return;
  const backend = new SmokeBackend();
  backend.scripts.set('203.0.113.70', { path: PATH_A, rttMs: 20, lossPct: 0 });
  backend.scripts.set('203.0.113.80', { path: ['10.0.0.1'], rttMs: 30, lossPct: 0 });
  const s = await startService(
    t,
    [`api.token=${TOKEN}`, 'probe.allowed=["203.0.113.64/26"]', 'probe.min_interval=1s', 'probe.cooldown=1s', 'probe.interval=1h'],
    { backends: { mtr: backend }, probeFlushEveryMs: 50 },
    { targets: [{ address: '203.0.113.70', name: 'web1' }, { address: '203.0.113.80', name: 'db1' }] },
  );
  const api = async (path: string) => {
    const r = await s.get(path);
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  };

  // BGP: the FRR RIB replayed over BMP, and our router 127.0.0.2 with a route for the targets' prefix.
  const replay = startReplay(t, [RIB], s.bmpPort);
  await replay.sent;
  const router = new BmpRouter(s.bmpPort, '127.0.0.2');
  t.after(() => router.close());
  await router.connect('edge2');
  await router.announce(PREFIX, [65201, 65301]);
  await router.endOfRib();
  await waitFor('both routers with their routes', async () => {
    const r = (await api('/api/routers')).routers;
    return r.length === 2 && r.find((x: { router: string }) => x.router === '127.0.0.1')?.routes === 12 && r.find((x: { router: string }) => x.router === '127.0.0.2')?.routes === 1;
  });

  // Traces: web1 six times on path A, then the route changes, then one lossy trace on A and one on path B.
  const traces = async (id: string) => (await api(`/api/targets/${id}/latency?from=1h`)).points as { start: string; rttMs: number; lossPct: number }[];
  const traceNow = async (id: string) => {
    const n = (await traces(id)).length;
    await waitFor(`a trace of ${id}`, async () => {
      try {
        await s.service.requestTrace(id, 'console test');
      } catch {
        return false; // cooldown: try again
      }
      return true;
    });
    await waitFor(`trace ${n + 1} of ${id} stored`, async () => (await traces(id)).length > n);
  };
  // The first scheduled run is placed at random within the hour: every trace here is asked for.
  await traceNow('db1');
  for (let i = 0; i < 6; i++) await traceNow('web1');
  await new Promise((r) => setTimeout(r, 300)); // the change clearly after the 6th trace on the time axis
  await router.announce(PREFIX, [65201, 65401, 65301]);
  const change = await waitFor('the path change stored', async () => {
    const r = await api(`/api/route-changes?prefix=${encodeURIComponent(PREFIX)}&since=1h`);
    return r.changes.find((x: { kind: string; peer: { address: string } }) => x.kind === 'path-change' && x.peer.address === '10.88.0.1');
  });
  backend.scripts.set('203.0.113.70', { path: PATH_A, rttMs: 26, lossPct: 30 });
  await traceNow('web1');
  backend.scripts.set('203.0.113.70', { path: PATH_B, rttMs: 35, lossPct: 0 });
  await traceNow('web1');
  const webPoints = await traces('web1');
  assert.equal(webPoints.length, 8, 'web1 has 8 traces');
  assert.deepEqual(webPoints.map((p) => p.rttMs), [20, 20, 20, 20, 20, 20, 26, 35], 'medians as scripted');
  assert.equal(webPoints[6].lossPct, 30, 'the lossy trace');

  // ---- Overview
  const page = await c.page(1280, 720);
  await page.goto(`${s.url}/`);
  await page.waitForSelector('#targets tr[data-target="web1"]');
  const latest = new Map<string, { rttMs: number; lossPct: number; hops: number }>(((await api('/api/latency')).targets as { targetId: string; latest: { rttMs: number; lossPct: number; hops: number } }[]).map((x) => [x.targetId, x.latest]));
  const row = async (id: string) =>
    page.$eval(`#targets tr[data-target="${id}"]`, (tr) => Object.fromEntries([...tr.querySelectorAll('td')].map((td) => [td.getAttribute('data-label'), td.textContent?.trim()])));
  const web1 = await row('web1');
  assert.equal(web1.RTT, `${latest.get('web1')!.rttMs.toFixed(1)} ms`, 'web1 RTT as the API says');
  assert.equal(web1.RTT, '35.0 ms');
  assert.equal(web1.Hops, String(latest.get('web1')!.hops), 'hops as the API says');
  assert.equal(web1.Hops, '4');
  assert.equal(web1.State, 'ok', 'reached, no verdict against it');
  assert.equal(await page.title(), 'smoketrace · overview', 'nothing in trouble: no count in the tab');
  assert.match((await page.locator('#favicon').getAttribute('href')) ?? '', /%231a9641/, 'a green tab icon');
  assert.equal((await row('db1')).RTT, '30.0 ms');
  // The sparkline has every trace of the last 3 h.
  const recent = ((await api('/api/latency?recent=3h')).targets as { targetId: string; recent: unknown[] }[]).find((x) => x.targetId === 'web1')!.recent;
  assert.equal(recent.length, 8);
  assert.equal(await page.locator('#targets tr[data-target="web1"] svg.spark').getAttribute('data-points'), '8');
  assert.equal(await page.locator('#targets tr[data-target="web1"] svg.spark circle').count(), 8, 'one dot per trace');
  assert.equal((await s.get('/api/latency?recent=8d')).status, 400, 'recent is at most 7d');
  assert.match(web1['Last trace'] ?? '', /^\d\d:\d\d:\d\d UTC/, 'times in UTC although the browser is in Europe/Paris');
  assert.equal(await page.locator('#targets tbody tr').count(), (await api('/api/targets')).targets.length, 'one row per target');
  // The ticker shows the path change of the prefix.
  await page.waitForSelector(`#ticker li[data-prefix="${PREFIX}"].rc-path-change`);
  assert.match(await page.locator(`#ticker li[data-prefix="${PREFIX}"].rc-path-change`).first().innerText(), /65201 65301 → 65201 65401 65301/);
  // Sorting and filtering.
  await page.click('th button[data-key="rtt"]');
  assert.deepEqual(await page.$$eval('#targets tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-target'))), ['db1', 'web1'], 'sorted by RTT ascending');
  await page.click('th button[data-key="rtt"]');
  assert.deepEqual(await page.$$eval('#targets tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-target'))), ['web1', 'db1'], 'then descending');
  await page.fill('#filter', 'db');
  assert.deepEqual(await page.$$eval('#targets tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-target'))), ['db1'], 'filtered by name');
  await page.fill('#filter', '');
  // No verdict and no alert yet: said so, not left blank.
  assert.deepEqual((await api('/api/verdicts?target=web1')).verdicts, []);
  assert.equal(web1['Last verdict'], 'none');
  assert.deepEqual((await api('/api/alerts')).alerts, []);
  assert.equal(await page.locator('#recent-alerts p.muted').innerText(), 'No alerts.');
  // The service's own health, as /api/health says.
  assert.equal((await s.get('/api/health')).status, 200, 'the service is healthy');
  await page.waitForSelector('#health[data-state="ok"]');
  assert.equal(await page.locator('#health').innerText(), 'healthy');
  await shot(page, 'overview-1280x720');

  // ---- Live: a trace of db1 made while the page is open shows without a reload.
  await page.evaluate(() => ((window as unknown as { __notReloaded: boolean }).__notReloaded = true));
  await page.waitForSelector('#live-state[data-state="up"]');
  backend.scripts.set('203.0.113.80', { path: ['10.0.0.1'], rttMs: 80, lossPct: 0 });
  await traceNow('db1');
  await page.waitForFunction(() => document.querySelector('#targets tr[data-target="db1"] td[data-label="RTT"]')?.textContent === '80.0 ms', undefined, { timeout: 15_000 });
  // ... and so does a route change of the targets' prefix (the ticker).
  await router.announce(PREFIX, [65201, 65501, 65301]);
  await page.waitForFunction(() => [...document.querySelectorAll('#ticker li.rc-path-change')].some((li) => li.textContent?.includes('65201 65401 65301 → 65201 65501 65301')), undefined, { timeout: 15_000 });
  assert.equal(await page.evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded), true, 'the same page, not reloaded');

  // ---- Target web1
  await page.goto(`${s.url}/#/target/web1`);
  await page.waitForSelector('#graph .marker.route-change');
  await page.waitForSelector('#path svg .hop');
  assert.equal(await page.locator('#last-rtt').innerText(), '35.0 ms', 'last RTT as the API says');
  assert.equal(await page.locator('#covering-prefix').innerText(), PREFIX);
  // What BGP offers beside what the trace shows.
  assert.equal(await page.locator('#bgp-paths').innerText(), '65101 (2 peers); 65201 65501 65301 (1 peer)');
  assert.equal(await page.locator('#trace-ases').innerText(), '65101');
  assert.equal(await page.locator('#graph').getAttribute('data-points'), '8', 'every trace is a point');
  const markerTimes = await page.$$eval('#graph .marker.route-change', (ms) => ms.map((m) => m.getAttribute('data-time')));
  assert.ok(markerTimes.includes(change.time), `a marker at the route change ${change.time}: ${markerTimes.join(', ')}`);
  const xOf = async (sel: string) => {
    const b = (await page.locator(sel).boundingBox())!;
    return b.x + b.width / 2;
  };
  const mx = await xOf(`#graph .marker.route-change[data-time="${change.time}"]`);
  assert.match((await page.locator(`#graph .marker.route-change[data-time="${change.time}"]`).getAttribute('title')) ?? '', /path-change of 203\.0\.113\.64\/26 from AS65201 10\.88\.0\.1: 65201 65301 → 65201 65401 65301/);
  // Latest trace: path B vs path A, the changed hops highlighted, grouped by AS.
  const hops = await page.$$eval('#path svg g.hop', (gs) => gs.map((g) => ({ ttl: g.getAttribute('data-ttl'), changed: g.classList.contains('changed'), text: g.textContent })));
  assert.deepEqual(hops.map((h) => [h.ttl, h.changed]), [['1', false], ['2', true], ['3', true], ['4', true]], 'hops 2-4 differ from the trace before');
  assert.match(hops[3].text ?? '', /203\.0\.113\.70.*35\.0 ms/, 'the destination with its median RTT');
  const groups = await page.$$eval('#path svg rect.as-group', (rs) => rs.map((r) => r.getAttribute('data-as')));
  // 10.0.0.1 has no route; 198.51.100.x and the target are both AS65101's (the target's prefix
  // is a MOAS with our router's AS65301, and a hop takes the first origin): one box.
  assert.deepEqual((await api('/api/lookup?ip=203.0.113.70')).origins, [65101, 65301]);
  assert.deepEqual(groups, ['none', '65101'], 'hops grouped by AS');
  await shot(page, 'target-1280x720');
  // SVG export.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-svg')]);
  const svgPath = join(artifacts, 'path-web1.svg');
  await download.saveAs(svgPath);
  const svg = readFileSync(svgPath, 'utf8');
  assert.match(svg, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /198\.51\.100\.30/, 'the exported diagram is the one shown');
  // Pick an earlier trace on the graph (the third, on path A) by clicking at its time.
  const box = (await page.locator('#graph .u-over').boundingBox())!;
  const [xmin, xmax] = (await page.$eval('#graph .plot', (p) => [p.getAttribute('data-xmin'), p.getAttribute('data-xmax')])).map(Number);
  const xAt = (iso: string) => box.x + ((Date.parse(iso) / 1000 - xmin) / (xmax - xmin)) * box.width;
  assert.ok(xAt(webPoints[5].start) < mx && mx < xAt(webPoints[6].start), `the route-change marker (x ${mx}) sits between the 6th and 7th traces (${xAt(webPoints[5].start)}, ${xAt(webPoints[6].start)})`);
  await page.mouse.move(box.x + 3, box.y + box.height / 2);
  await page.mouse.click(xAt(webPoints[2].start), box.y + box.height / 2);
  await page.waitForFunction((want) => document.querySelector('#path')?.getAttribute('data-start') === want && document.querySelector('#path svg') !== null, webPoints[2].start);
  const picked = webPoints[2].start;
  assert.doesNotMatch((await page.locator('#path svg').textContent()) ?? '', /198\.51\.100\.30/, 'path A shown');
  assert.equal(await page.locator('#path svg g.hop.changed').count(), 0, 'path A against path A: nothing changed');
  assert.match(await page.locator('#graph-readout').innerText(), /median 20\.0 ms/);
  // The arrow keys step to the next trace.
  const i = webPoints.findIndex((p) => p.start === picked);
  await page.focus('#graph .plot');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((want) => document.querySelector('#path')?.getAttribute('data-start') === want, webPoints[i + 1].start);
  // A trace made now shows on the open graph (live); the earlier trace stays picked.
  await traceNow('web1');
  await page.waitForFunction(() => document.querySelector('#graph')?.getAttribute('data-points') === '9', undefined, { timeout: 15_000 });
  await page.waitForSelector('#path svg');
  assert.equal(await page.locator('#path').getAttribute('data-start'), webPoints[i + 1].start, 'the picked trace stays picked');
  assert.equal(await page.locator('#last-rtt').innerText(), '35.0 ms');

  // ---- Prefix
  await page.goto(`${s.url}/#/prefix/${encodeURIComponent(PREFIX)}`);
  await page.waitForSelector('#routes-table');
  await page.waitForSelector('#covered-targets li[data-target]');
  const routes = (await api(`/api/routes?prefix=${encodeURIComponent(PREFIX)}`)).routes;
  assert.equal(await page.locator('#routes-table tbody tr').count(), routes.length, 'one row per route');
  assert.equal(routes.length, 3, 'two FRR peers and ours');
  assert.match(await page.locator('#routes-table').innerText(), /65201 65501 65301/, 'our router\'s current path');
  const stored = (await api(`/api/route-changes?prefix=${encodeURIComponent(PREFIX)}&since=7d`)).changes.length;
  assert.equal(await page.locator('#change-list li').count(), stored, 'every stored change listed');
  assert.deepEqual((await page.$$eval('#covered-targets li', (ls) => ls.map((l) => l.getAttribute('data-target')))).sort(), ['db1', 'web1']);
  await shot(page, 'prefix-1280x720');

  // ---- Routers
  await page.goto(`${s.url}/#/routers`);
  await page.waitForSelector('article.router');
  const rs = (await api('/api/routers')).routers as { router: string; routes: number; peers: { peer: { address: string }; routes: number }[] }[];
  for (const r of rs) {
    assert.equal(await page.locator(`article.router[data-router="${r.router}"] .router-routes`).innerText(), String(r.routes), `${r.router} route count`);
    for (const p of r.peers) assert.equal(await page.locator(`article.router[data-router="${r.router}"] tr[data-peer="${p.peer.address}"] .peer-routes`).innerText(), String(p.routes));
  }
  assert.match(await page.locator('#routers-summary').innerText(), /^2 routers, 2 up, 13 routes$/);
  await shot(page, 'routers-1280x720');

  // ---- Alerts (none here: test/web/verdicts-alerts.test.ts has them)
  await page.goto(`${s.url}/#/alerts`);
  await page.waitForSelector('#alerts p.muted');
  assert.equal(await page.locator('#alerts p.muted').innerText(), 'No alerts.');
  await page.waitForSelector('#silence-form');
  await shot(page, 'alerts-1280x720');

  // ---- A phone
  const phone = await c.page(390, 844);
  await phone.goto(`${s.url}/#/overview`);
  await phone.waitForSelector('#targets tr[data-target="web1"]');
  await shot(phone, 'overview-phone');
  await phone.goto(`${s.url}/#/target/web1`);
  await phone.waitForSelector('#path svg .hop');
  await shot(phone, 'target-phone');
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px too wide)`);

  // A dark wall screen (the OS's dark mode).
  const wall = await c.page(1280, 720, 'dark');
  await wall.goto(`${s.url}/#/target/web1`);
  await wall.waitForSelector('#path svg .hop');
  assert.equal(await wall.evaluate(() => getComputedStyle(document.documentElement).backgroundColor), 'rgb(15, 20, 27)', 'dark background');
  await shot(wall, 'target-dark-1280x720');
  await wall.goto(`${s.url}/#/overview`);
  await wall.waitForSelector('#targets tr[data-target="web1"]');
  await shot(wall, 'overview-dark-1280x720');

  assert.deepEqual(c.errors, [], 'no console errors');
});
