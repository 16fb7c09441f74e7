// The console with the correlator and alerting behind it, in headless Chromium: a BMP
// withdrawal moves a target onto a slower backup path; while the overview is open the
// target turns 'worse' (live, no reload) with the verdict's reason; the target page has
// the verdict marker and its reasons as the API gives them; the alert is acknowledged
// with the token from the header field (and refused without it); a silence is created
// and deleted from the page.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startService, waitFor } from '../service/helpers.ts';
import { ScriptedBackend } from '../service/probe-helpers.ts';
import { artifacts, startChromium } from './helpers.ts';
import { twoPeerRouter } from '../service/bmp-router.ts';

const TOKEN = 'console-test-token-0123456789';

test('console: a worse verdict shows live, on the target page with its reasons; alert acknowledged with the token; silence created and deleted', async (t) => {
  const c = await startChromium(t);
  if (!c) return;
  const backend = new ScriptedBackend({ path: ['10.77.1.1', '10.77.12.2'], lossPct: 0, rttMs: 20 });
  const s = await startService(
    t,
    [`api.token=${TOKEN}`, 'probe.allowed=203.0.113.0/24', 'probe.interval=1h', 'probe.cooldown=1s', 'correlate.settle=1s'],
    { backends: { mtr: backend }, probeFlushEveryMs: 50 },
    { targets: [{ address: '203.0.113.10', name: 'web' }] },
  );
  const api = async (path: string) => {
    const r = await s.get(path);
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  for (let i = 0; i < 3; i++) await s.service.prober.requestTrace('web', 'learn', { force: true });

  // r1 with two peers; A's path is shorter, so it is the route in use.
  const router = await twoPeerRouter(t, s);

  // The overview is open before anything happens.
  const page = await c.page(1280, 720);
  await page.goto(`${s.url}/#/overview`);
  await page.waitForSelector('#targets tr[data-target="web"]');
  assert.equal(await page.locator('#targets tr[data-target="web"] td[data-label="State"]').innerText(), 'ok');
  assert.equal(await page.locator('#targets tr[data-target="web"] td[data-label="Last verdict"]').innerText(), 'none');
  await page.evaluate(() => ((window as unknown as { __notReloaded: boolean }).__notReloaded = true));
  await page.waitForSelector('#live-state[data-state="up"]');
  await new Promise((r) => setTimeout(r, 1100)); // past probe.cooldown since the learning traces

  backend.script.path = ['10.77.1.1', '10.77.13.3', '10.77.34.4'];
  backend.script.rttMs = 85;
  router.withdrawBest();
  const verdict = await waitFor('a worse verdict', async () => (await api('/api/verdicts?target=web')).verdicts.find((v: { kind: string }) => v.kind === 'worse'), 15_000);

  // Live: the row turns worse with the verdict's first reason, without a reload.
  await page.waitForFunction(() => document.querySelector('#targets tr[data-target="web"] td[data-label="State"]')?.textContent === 'worse', undefined, { timeout: 15_000 });
  assert.equal(await page.locator('#targets tr[data-target="web"] .verdict .reason').innerText(), verdict.reasons[0]);
  await page.waitForFunction(() => document.querySelector('#targets tr[data-target="web"] td[data-label="RTT"]')?.textContent === '85.0 ms');
  assert.equal(await page.evaluate(() => (window as unknown as { __notReloaded?: boolean }).__notReloaded), true, 'not reloaded');
  // The browser tab says it too: a count in the title, a red icon.
  assert.equal(await page.title(), '(1) smoketrace · overview');
  assert.match((await page.locator('#favicon').getAttribute('href')) ?? '', /%23d7191c/);
  const alert = await waitFor('the alert', async () => (await api('/api/alerts')).alerts.find((x: { causeId: string }) => x.causeId === verdict.causeId), 10_000);
  await page.waitForSelector(`#recent-alerts li[data-alert="${alert.id}"]`, { timeout: 15_000 });
  assert.match(await page.locator(`#recent-alerts li[data-alert="${alert.id}"]`).innerText(), new RegExp(alert.subject.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  await page.screenshot({ path: join(artifacts, 'overview-worse-1280x720.png') });

  // Target page: verdict marker, history with the API's reasons, route change marker of the withdrawal.
  await page.goto(`${s.url}/#/target/web`);
  await page.waitForSelector(`#verdicts li[data-verdict="${verdict.id}"]`);
  assert.deepEqual(await page.$$eval(`#verdicts li[data-verdict="${verdict.id}"] ul.reasons li`, (ls) => ls.map((l) => l.textContent)), verdict.reasons, 'every reason, in order');
  assert.match(await page.locator(`#verdicts li[data-verdict="${verdict.id}"] .v-bgp`).innerText(), /65002 65004 → 65003 65005 65004/);
  await page.waitForSelector(`#graph .marker.verdict[data-time="${verdict.at}"]`);
  const withdraw = (await api('/api/route-changes?prefix=203.0.113.0/24&since=1h')).changes.find((x: { kind: string }) => x.kind === 'withdraw');
  assert.ok(withdraw, 'the withdrawal is stored');
  await page.waitForSelector(`#graph .marker.route-change[data-time="${withdraw.time}"]`);
  assert.equal(await page.locator('#target-head .badge').first().innerText(), 'worse');
  await page.screenshot({ path: join(artifacts, 'target-verdict-1280x720.png'), fullPage: true });

  // Alerts page: acknowledge, first without a token (refused, said so), then with it.
  await page.goto(`${s.url}/#/alerts`);
  const item = page.locator(`#alerts li[data-alert="${alert.id}"]`);
  await item.waitFor();
  assert.match(await item.innerText(), new RegExp(alert.subject.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  await item.locator('button.ack').click();
  await page.waitForSelector('#write-status.error');
  assert.match(await page.locator('#write-status').innerText(), /Acknowledging failed: .*token/);
  assert.equal((await api(`/api/alerts/${alert.id}`)).acknowledged, null, 'not acknowledged without the token');
  await page.click('details.token summary');
  await page.fill('#token', TOKEN);
  await page.dispatchEvent('#token', 'change');
  await page.click('details.token summary');
  await item.locator('button.ack').click();
  await page.waitForSelector(`#alerts li[data-alert="${alert.id}"] .acked-by`);
  assert.notEqual((await api(`/api/alerts/${alert.id}`)).acknowledged, null, 'acknowledged through the API');

  // A silence: created from the form, listed, deleted.
  await page.fill('#silence-form input[name="prefix"]', '203.0.113.0/24');
  await page.fill('#silence-form input[name="comment"]', 'maintenance: r1 linecard swap');
  await page.selectOption('#silence-form select[name="for"]', '4h');
  await page.click('#silence-form button[type="submit"]');
  const silence = await waitFor('the silence', async () => (await api('/api/silences')).silences[0]);
  assert.equal(silence.prefix, '203.0.113.0/24');
  assert.equal(silence.comment, 'maintenance: r1 linecard swap');
  assert.ok(Math.abs(Date.parse(silence.end) - Date.now() - 4 * 3600_000) < 60_000, `ends in 4 h: ${silence.end}`);
  await page.waitForSelector(`#silences tr[data-silence="${silence.id}"]`);
  await page.screenshot({ path: join(artifacts, 'alerts-data-1280x720.png'), fullPage: true });
  await page.click(`#silences tr[data-silence="${silence.id}"] button.delete`);
  await page.waitForSelector(`#silences tr[data-silence="${silence.id}"]`, { state: 'detached' });
  assert.deepEqual((await api('/api/silences')).silences, [], 'deleted through the API');

  // The one refused write is the only error the browser logged.
  assert.equal(c.errors.length, 1, c.errors.join('\n'));
  assert.match(c.errors[0], new RegExp(`401.*/api/alerts/${alert.id}/ack`));
});
