// /api/alerts and /api/silences through app.inject on a real Store and Alerter: the
// exact JSON shapes, the token on every write, 400s naming the field, 404s, and a
// silence made through the API keeping an alert from being sent.
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { alertRoutes } from '../../src/api/alerts.ts';
import { buildApp } from '../../src/api/app.ts';
import { silenceRoutes } from '../../src/api/silences.ts';
import { alertsSource, silencesSource } from '../../src/alert/sources.ts';
import { createLogger } from '../../src/log.ts';
import { Mailbox } from '../helpers/mailbox.ts';
import { tempDir } from '../service/helpers.ts';
import { single, worseMove } from './fixtures.ts';
import { config, startAlerter } from './helpers.ts';

const TOKEN = 'test-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };

async function setup(t: TestContext) {
  const m = new Mailbox();
  await m.start();
  t.after(() => m.stop());
  const cfg = config(tempDir(t, 'alert-api'), [`email.smtp=${m.url}`, 'email.from=smoketrace@example.net', 'email.to=["noc@example.net"]']);
  const run = await startAlerter(t, cfg);
  const repo = () => run.store.alerts;
  const app = await buildApp({
    logger: createLogger({ level: 'silent' }),
    version: '0.0.0-test',
    token: TOKEN,
    health: { version: '0.0.0-test', uptimeSeconds: () => 1, components: () => ({}) },
    resources: [
      async (a, ctx) => {
        await a.register(alertRoutes, { alerts: alertsSource(repo, Date.now), requireToken: ctx.requireToken, now: Date.now });
      },
      async (a, ctx) => {
        await a.register(silenceRoutes, { silences: silencesSource(repo, Date.now), requireToken: ctx.requireToken, now: Date.now });
      },
    ],
  });
  t.after(async () => {
    await app.close();
  });
  return { app, alerter: run.alerter, mailbox: m, store: run.store };
}

test('GET /api/alerts and /api/alerts/:id: the AlertJson shape; ack needs the token and keeps the first', async (t) => {
  const { app, alerter } = await setup(t);
  await alerter.handle(worseMove());
  await alerter.idle();
  const list = (await app.inject({ url: '/api/alerts' })).json();
  assert.equal(list.alerts.length, 1);
  const a = list.alerts[0];
  assert.deepEqual(Object.keys(a).sort(), ['acknowledged', 'causeId', 'createdAt', 'deliveries', 'id', 'kind', 'rule', 'subject', 'summary', 'targets', 'verdict'].sort());
  assert.equal(a.kind, 'alert');
  assert.equal(a.rule, 'default');
  assert.equal(a.causeId, 'c-move');
  assert.equal(a.verdict, 'worse');
  assert.match(a.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(a.targets[0], { targetId: 't1', targetName: 't1', address: '10.77.40.1', prefix: '10.77.40.0/24', verdictId: 100, kind: 'worse' });
  assert.equal(a.deliveries.length, 1);
  assert.deepEqual({ ...a.deliveries[0], sentAt: typeof a.deliveries[0].sentAt }, { channel: 'email', state: 'sent', attempts: 1, lastError: null, sentAt: 'string' });
  assert.equal(a.acknowledged, null);
  assert.deepEqual((await app.inject({ url: `/api/alerts/${a.id}` })).json(), a);
  assert.equal((await app.inject({ url: '/api/alerts/999' })).statusCode, 404);
  assert.equal((await app.inject({ url: '/api/alerts?state=nonsense' })).statusCode, 400);
  assert.equal((await app.inject({ url: '/api/alerts?since=yesterday' })).statusCode, 400);
  assert.equal((await app.inject({ url: '/api/alerts?since=1h&state=sent' })).json().alerts.length, 1);
  assert.equal((await app.inject({ url: '/api/alerts?state=pending' })).json().alerts.length, 0);

  assert.equal((await app.inject({ method: 'POST', url: `/api/alerts/${a.id}/ack`, payload: { by: 'alice' } })).statusCode, 401, 'ack needs the token');
  const acked = await app.inject({ method: 'POST', url: `/api/alerts/${a.id}/ack`, headers: auth, payload: { by: 'alice' } });
  assert.equal(acked.statusCode, 200, acked.body);
  assert.equal(acked.json().acknowledged.by, 'alice');
  const again = await app.inject({ method: 'POST', url: `/api/alerts/${a.id}/ack`, headers: auth });
  assert.equal(again.statusCode, 200, again.body);
  assert.deepEqual(again.json().acknowledged, acked.json().acknowledged, 'the first acknowledgement is kept');
  assert.equal((await app.inject({ method: 'POST', url: '/api/alerts/999/ack', headers: auth, payload: {} })).statusCode, 404);
  const badBy = await app.inject({ method: 'POST', url: `/api/alerts/${a.id}/ack`, headers: auth, payload: { by: 5 } });
  assert.equal(badBy.statusCode, 400);
  assert.match(badBy.json().error.message, /^by: /);
  assert.equal((await app.inject({ url: '/api/alerts?state=unacknowledged' })).json().alerts.length, 0);
});

test('silences: token, the SilenceJson shape, 400 naming the field, 404, and a silence keeps an alert from being sent', async (t) => {
  const { app, alerter, mailbox } = await setup(t);
  const post = (payload: unknown, headers: Record<string, string> = auth) => app.inject({ method: 'POST', url: '/api/silences', headers, payload: payload as object });

  assert.equal((await post({ prefix: '10.77.40.0/24', end: '2h', comment: 'x' }, {})).statusCode, 401);
  const bad: [unknown, RegExp][] = [
    [{ prefix: '10.77.40.1/24', end: '2h', comment: 'x' }, /^prefix: .*did you mean "10\.77\.40\.0\/24"/],
    [{ prefix: 'nope', end: '2h', comment: 'x' }, /^prefix: expected a CIDR prefix/],
    [{ end: '2h', comment: 'x' }, /^prefix: expected a prefix or a target/],
    [{ target: 't1', start: '2026-01-02T00:00:00Z', end: '2026-01-01T00:00:00Z', comment: 'x' }, /^end: expected a time after start/],
    [{ target: 't1', start: '2026-01-02T00:00:00Z', end: '2026-01-02T00:00:00Z', comment: 'x' }, /^end: expected a time after start/],
    [{ target: 't1', end: 'tomorrow', comment: 'x' }, /^end: expected an ISO-8601 time/],
    [{ target: 't1', start: '1h', end: '2h', comment: 'x' }, /^start: expected an ISO-8601 time/],
    [{ target: 't1', end: '2h' }, /comment/],
    [{ target: 't1', end: '2h', comment: 'x', extra: 1 }, /extra|additional/],
  ];
  for (const [body, re] of bad) {
    const r = await post(body);
    assert.equal(r.statusCode, 400, `${JSON.stringify(body)} -> ${r.statusCode}`);
    assert.match(r.json().error.message, re, JSON.stringify(body));
  }

  const made = await post({ prefix: '10.77.40.0/23', end: '2h', comment: 'CHG-1234 core maintenance' });
  assert.equal(made.statusCode, 201, made.body);
  const s = made.json();
  assert.deepEqual(Object.keys(s).sort(), ['active', 'comment', 'createdAt', 'end', 'id', 'prefix', 'start', 'target']);
  assert.equal(s.prefix, '10.77.40.0/23');
  assert.equal(s.target, null);
  assert.equal(s.active, true);
  assert.equal(Date.parse(s.end) - Date.parse(s.start), 2 * 3600_000);
  const inAMonth = Date.now() + 30 * 86_400_000;
  const future = (await post({ target: 't9', start: new Date(inAMonth).toISOString(), end: new Date(inAMonth + 86_400_000).toISOString(), comment: 'later' })).json();
  assert.equal(future.active, false);
  assert.deepEqual((await app.inject({ url: '/api/silences?active=true' })).json().silences.map((x: { id: number }) => x.id), [s.id]);
  assert.equal((await app.inject({ url: '/api/silences' })).json().silences.length, 2);

  // While it is active, a cause on 10.77.40.0/24 alerts nobody; elsewhere it does.
  const none = await alerter.handle(worseMove());
  const other = await alerter.handle(single('c2', 'worse', 'x1', '10.77.50.1', { prefix: '10.77.50.0/24' }));
  await alerter.idle();
  assert.equal(none.length, 0, 'silenced');
  assert.equal(other.length, 1, 'not covered by the silence');
  assert.equal(mailbox.mails.length, 1);

  assert.equal((await app.inject({ method: 'DELETE', url: `/api/silences/${s.id}` })).statusCode, 401);
  assert.equal((await app.inject({ method: 'DELETE', url: `/api/silences/${s.id}`, headers: auth })).statusCode, 204);
  assert.equal((await app.inject({ method: 'DELETE', url: `/api/silences/${s.id}`, headers: auth })).statusCode, 404);
  assert.equal((await app.inject({ method: 'DELETE', url: '/api/silences/424242', headers: auth })).statusCode, 404);
});

test('far-future times: a silence ending past the bounds is a 400 naming the field, nothing is stored, and listing keeps working', async (t) => {
  const { app } = await setup(t);
  const post = (payload: unknown) => app.inject({ method: 'POST', url: '/api/silences', headers: auth, payload: payload as object });
  const bad: [unknown, RegExp][] = [
    // start + 100000000 days is past JavaScript's last date (year 275760).
    [{ target: 't1', end: '100000000d', comment: 'forever' }, /^end: expected a time at most 366 days after start \(by \d{4}-.*\), got "100000000d"$/],
    [{ target: 't1', end: '367d', comment: 'x' }, /^end: expected a time at most 366 days after start/],
    [{ target: 't1', start: '2026-01-01T00:00:00Z', end: '9999-12-31T00:00:00Z', comment: 'x' }, /^end: expected a time at most 366 days after start/],
    [{ target: 't1', start: '9999-01-01T00:00:00Z', end: '2h', comment: 'x' }, /^start: expected a time at most 366 days ahead/],
  ];
  for (const [body, re] of bad) {
    const r = await post(body);
    assert.equal(r.statusCode, 400, `${JSON.stringify(body)} -> ${r.statusCode} ${r.body}`);
    assert.match(r.json().error.message, re, JSON.stringify(body));
  }
  const list = await app.inject({ url: '/api/silences' });
  assert.equal(list.statusCode, 200, list.body);
  assert.deepEqual(list.json().silences, [], 'nothing was stored');
  const year = await post({ target: 't1', end: '366d', comment: 'a long freeze' });
  assert.equal(year.statusCode, 201, year.body);

  assert.equal((await app.inject({ url: '/api/alerts?since=104000000d' })).statusCode, 400, 'since before the first representable date');
  assert.match((await app.inject({ url: '/api/alerts?since=104000000d' })).json().error.message, /^since: /);
});

test('a silence stored with an unrepresentable end (before the API bounded it) does not break GET /api/silences', async (t) => {
  const { app, store } = await setup(t);
  await store.alerts.addSilence({ prefix: null, target: 't1', start: Date.now(), end: Date.now() + 100_000_000 * 86_400_000, comment: 'old row', createdAt: Date.now() });
  const r = await app.inject({ url: '/api/silences' });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().silences[0].end, '9999-12-31T23:59:59.999Z', 'shown at the last 4-digit-year time');
  assert.equal(r.json().silences[0].active, true);
});

test('the OpenAPI document lists the alert and silence routes with their write security', async (t) => {
  const { app } = await setup(t);
  const doc = (await app.inject({ url: '/api/openapi.json' })).json();
  for (const [path, method] of [['/api/alerts', 'get'], ['/api/alerts/{id}', 'get'], ['/api/alerts/{id}/ack', 'post'], ['/api/silences', 'get'], ['/api/silences', 'post'], ['/api/silences/{id}', 'delete']]) {
    assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path} documented`);
  }
  assert.deepEqual(doc.paths['/api/silences'].post.security, [{ bearer: [] }]);
  const props = doc.paths['/api/alerts'].get.responses['200'].content['application/json'].schema.properties.alerts.items.properties;
  assert.deepEqual(Object.keys(props).sort(), ['acknowledged', 'causeId', 'createdAt', 'deliveries', 'id', 'kind', 'rule', 'subject', 'summary', 'targets', 'verdict']);
});
