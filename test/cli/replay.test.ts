// `smoketrace replay` as an operator runs it, against a BMP listener in this test that
// reads the stream with the project's BMP session decoder: what is sent, in which order,
// paced by --speed; and its usage and connection errors.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { type Socket, createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { BmpSession } from '../../src/feeds/bmp-session.ts';
import type { FeedEvent } from '../../src/model/feed-event.ts';
import { repoRoot } from '../helpers/requirements.ts';
import { bin, cleanEnv, runCli } from './cli-process.ts';

const RIB = join(repoRoot, 'fixtures', 'mrt', 'frr-rib.mrt');
const UPDATES = join(repoRoot, 'fixtures', 'mrt', 'frr-updates.mrt');

/** A one-connection BMP listener on 127.0.0.1 that decodes what it gets. */
async function listener(t: { after(fn: () => unknown): void }) {
  const events: FeedEvent[] = [];
  const arrivals: number[] = [];
  let closed!: () => void;
  const done = new Promise<void>((r) => (closed = r));
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    const session = new BmpSession('replay');
    s.on('data', (chunk) => {
      const before = events.length;
      session.feed(chunk, events);
      for (let i = before; i < events.length; i++) arrivals.push(performance.now());
    });
    s.on('close', () => closed());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return { port: (server.address() as { port: number }).port, events, arrivals, done };
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  const p = spawn(process.execPath, [bin, ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d) => (stdout += d));
  p.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => p.on('exit', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started })));
}

test('replay sends Initiation, Peer Ups, the routes, End-of-RIB per peer and AFI, then Termination', async (t) => {
  const l = await listener(t);
  const r = await run(['replay', RIB, UPDATES, '--bmp', `127.0.0.1:${l.port}`]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  await l.done;
  const kinds = l.events.map((e) => e.kind);
  assert.equal(kinds[0], 'router-up');
  const up = l.events[0];
  assert.ok(up.kind === 'router-up', `the first event should be router-up, got ${up.kind}`);
  assert.equal(up.info.sysName, 'smoketrace-replay');
  assert.equal(kinds[kinds.length - 1], 'router-down');
  const down = l.events[kinds.length - 1];
  assert.ok(down.kind === 'router-down' && /^termination: .*replay finished/.test(down.reason), down.kind === 'router-down' ? down.reason : '');
  assert.equal(kinds.filter((k) => k === 'decode-error').length, 0);
  const peerUps = l.events.filter((e) => e.kind === 'peer-up');
  assert.deepEqual(peerUps.map((e) => (e.kind === 'peer-up' ? [e.detail?.as4, e.detail?.peerAs, e.detail?.localAs] : [])), [
    [true, 65101, 64511],
    [true, 65101, 64511],
  ]);
  // RIB: post-policy, End-of-RIB after the entries; updates: pre-policy, End-of-RIB first (an empty table).
  const eor = l.events.filter((e) => e.kind === 'end-of-rib').map((e) => (e.kind === 'end-of-rib' ? `${e.table} ${e.afi}/${e.safi}` : ''));
  // 7 of our own (3 after the dump, 2 per peer before its updates) and FRR's own 3 End-of-RIB markers in the updates file, sent as recorded.
  assert.deepEqual(eor.sort(), [
    'adj-rib-in-post 1/1',
    'adj-rib-in-post 1/1',
    'adj-rib-in-post 2/1',
    'adj-rib-in-pre 1/1',
    'adj-rib-in-pre 1/1',
    'adj-rib-in-pre 1/1',
    'adj-rib-in-pre 1/1',
    'adj-rib-in-pre 2/1',
    'adj-rib-in-pre 2/1',
    'adj-rib-in-pre 2/1',
  ]);
  const routes = l.events.filter((e) => e.kind === 'route');
  assert.equal(routes.filter((e) => e.kind === 'route' && e.event.table === 'adj-rib-in-post').length, 12);
  assert.match(r.stdout, /^replay: 2 file\(s\), 24 records -> \d+ BMP messages to 127\.0\.0\.1:\d+ \(2 peer up, 0 peer down, \d+ route monitoring, 7 end-of-rib\); 2 peers, 12 RIB entries, 0 problem\(s\), \d+ bytes in \d+\.\d\d s\n$/);
});

test('--speed paces BGP4MP updates by their recorded times; max does not wait', async (t) => {
  const fast = await listener(t);
  const max = await run(['replay', UPDATES, '--bmp', `127.0.0.1:${fast.port}`, '--speed', 'max']);
  assert.equal(max.code, 0, max.stderr);
  const routeAt = (l: typeof fast) => l.events.map((e, i) => (e.kind === 'route' ? { i, t: e.event.time } : undefined)).filter((x) => x !== undefined);
  const recorded = routeAt(fast);
  const span = recorded[recorded.length - 1].t - recorded[0].t;
  assert.ok(span >= 3000, `the fixture spans ${span} ms`);

  const paced = await listener(t);
  const speed = 8;
  const r = await run(['replay', UPDATES, '--bmp', `127.0.0.1:${paced.port}`, '--speed', String(speed)]);
  assert.equal(r.code, 0, r.stderr);
  const got = routeAt(paced);
  const wall = paced.arrivals[got[got.length - 1].i] - paced.arrivals[got[0].i];
  assert.ok(wall >= (span / speed) * 0.9, `paced: ${wall.toFixed(0)} ms for ${span} ms recorded at ${speed}x`);
  assert.ok(wall <= span / speed + 1500, `not much slower than asked: ${wall.toFixed(0)} ms`);
});

test('replay usage errors are status 2; an unreachable collector is status 1', async () => {
  const bad = runCli(['replay', RIB, '--bmp', 'nowhere']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--bmp: expected HOST:PORT like 127\.0\.0\.1:11019 or \[::1\]:11019, got "nowhere"/);
  const speed = runCli(['replay', RIB, '--bmp', '127.0.0.1:1', '--speed', 'fast']);
  assert.equal(speed.status, 2);
  assert.match(speed.stderr, /--speed: expected a number >= 0 or "max", got "fast"/);
  const none = runCli(['replay', RIB]);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /required option '--bmp <host:port>'/);
  // A port nobody listens on: take a free one and close it.
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const freePort = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const refused = runCli(['replay', RIB, '--bmp', `127.0.0.1:${freePort}`]);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /cannot connect to the BMP collector at 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
});
