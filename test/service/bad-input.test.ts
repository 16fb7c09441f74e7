// What one bad router or one hostile client must not do: a malformed BMP message in the
// middle of a session is counted and the session carries on; hostile query strings get a
// 400 in the one error shape with a message naming the parameter.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeItem, mrtFileRawBatches } from '../../src/feeds/mrt-file.ts';
import { MrtToBmp, type ReplayMessage } from '../../src/replay/mrt-bmp.ts';
import { repoRoot } from '../helpers/requirements.ts';
import { startService, waitFor } from './helpers.ts';

const RIB = join(repoRoot, 'fixtures', 'mrt', 'frr-rib.mrt');

async function bmpMessages(file: string): Promise<Uint8Array[]> {
  const conv = new MrtToBmp();
  const msgs: ReplayMessage[] = [];
  for await (const b of mrtFileRawBatches(file)) {
    for (const raw of b.records) {
      const item = decodeItem(raw);
      if (item.kind === 'record') conv.record(item.record, msgs);
    }
  }
  conv.endFile(msgs);
  return [conv.initiation(), ...msgs.map((m) => m.bytes)];
}

test('a malformed Route Monitoring mid-session is counted; the session and its routes carry on', async (t) => {
  const s = await startService(t);
  const msgs = await bmpMessages(RIB);
  // A Route Monitoring whose BMP framing is sound but whose UPDATE is not BGP (no marker).
  const good = msgs.find((m) => m[5] === 0)!;
  const bad = Uint8Array.from(good);
  bad.fill(0x00, 6 + 42, 6 + 42 + 16);
  const at = msgs.indexOf(good) + 1;
  const stream = Buffer.concat([...msgs.slice(0, at), bad, ...msgs.slice(at)]);

  const sock = connect({ host: '127.0.0.1', port: s.bmpPort });
  t.after(() => sock.destroy());
  await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  // In small pieces, as TCP may deliver them.
  for (let i = 0; i < stream.length; i += 97) sock.write(stream.subarray(i, i + 97));

  const router = await waitFor('every route in, one decode error counted', async () => {
    const r = await s.get('/api/routers');
    const x = r.body.routers[0];
    return x && x.routes === 12 && x.decodeErrors === 1 ? x : undefined;
  });
  assert.equal(router.state, 'up');
  assert.notEqual(router.connection, null, 'the session is still connected');
  const health = await s.get('/api/health');
  assert.equal(health.status, 200, 'a bad message is not a sick service');
  assert.equal(health.body.components.bmp.counters.decodeErrors, 1);
  assert.equal(health.body.components.bmp.counters.routersConnected, 1);
  assert.equal(health.body.components.rib.counters.decodeErrors, 1);
  assert.equal((await s.get('/api/routes?prefix=2001:db8:200::/48&exact=true')).body.routes.length, 1);
});

test('hostile query strings answer 400 in the one error shape, naming the parameter', async (t) => {
  const s = await startService(t);
  const cases: [string, RegExp][] = [
    ['/api/routes?prefix=not-a-prefix', /^prefix: expected a CIDR prefix like "192\.0\.2\.0\/24"/],
    ['/api/routes?prefix=198.51.100.1/24', /^prefix: expected a CIDR prefix with no host bits set \(did you mean "198\.51\.100\.0\/24"\?\)/],
    ['/api/routes?prefix=10.0.0.0/33', /^prefix: expected a CIDR prefix/],
    ['/api/routes?prefix=::/129', /^prefix: expected a CIDR prefix/],
    [`/api/routes?prefix=${encodeURIComponent("198.51.100.0/24' OR 1=1 --")}`, /^prefix: expected a CIDR prefix/],
    [`/api/routes?prefix=${encodeURIComponent('<script>alert(1)</script>')}`, /^prefix: expected a CIDR prefix/],
    [`/api/routes?prefix=${encodeURIComponent('198.51.100.0/24\u0000')}`, /^prefix: expected a CIDR prefix/],
    [`/api/routes?prefix=${'9'.repeat(10_000)}`, /querystring\/prefix must NOT have more than 64 characters/],
    ['/api/routes?prefix=198.51.100.0/24&exact=maybe', /querystring\/exact must be boolean/],
    ['/api/routes?prefix=198.51.100.0/24&prefx=1', /must NOT have additional properties/],
    ['/api/routes', /must have required property 'prefix'/],
    ['/api/lookup?ip=198.51.100.0/24', /^ip: expected an IP address like "192\.0\.2\.1"/],
    ['/api/lookup?ip=..%2F..%2Fetc%2Fpasswd', /^ip: expected an IP address/],
    ['/api/lookup?ip=1.2.3.4%0d%0aX-Injected:%201', /^ip: expected an IP address/],
    ['/api/route-changes?prefix=198.51.100.0/24&since=yesterday', /^since: expected an ISO-8601 time like "2024-05-01T12:00:00Z" or a duration like "6h"/],
    ['/api/route-changes?prefix=198.51.100.0/24&since=2024-13-45T99:00:00Z', /^since: expected an ISO-8601 time/],
    ['/api/route-changes?prefix=198.51.100.0/24&since=104000000d', /^since: expected an ISO-8601 time/],
    ['/api/route-changes?prefix=198.51.100.0/24&limit=0', /querystring\/limit must be >= 1/],
    ['/api/route-changes?prefix=bogus', /^prefix: expected a CIDR prefix/],
  ];
  for (const [path, message] of cases) {
    const r = await s.get(path);
    assert.equal(r.status, 400, path);
    assert.deepEqual(Object.keys(r.body), ['error'], path);
    assert.ok(['BAD_REQUEST', 'VALIDATION_FAILED'].includes(r.body.error.code), path);
    assert.match(r.body.error.message, message, path);
    assert.ok(r.body.error.message.length < 300, `${path}: the message stays short`);
  }
  // The good forms still work.
  assert.equal((await s.get('/api/route-changes?prefix=198.51.100.0/24&since=6h')).status, 200);
  assert.equal((await s.get('/api/route-changes?since=2024-05-01T12:00:00Z&limit=5')).status, 200);
  assert.equal((await s.get('/api/routes?prefix=2001:db8::/32&exact=true')).status, 200);
});
