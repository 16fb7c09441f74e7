// [correlate] in the config: defaults, the view, and the look-back that must cover the settle time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromRaw } from '../../src/config/load.ts';
import { formatAddress } from '../../src/model/address.ts';

const load = (raw: Record<string, unknown>, sets: string[] = []) => fromRaw(raw, { env: {}, sets }, { path: 'test', how: 'given' });

test('[correlate] defaults', () => {
  const r = load({});
  assert.ok(r.ok, r.ok ? '' : r.problems.join('\n'));
  const c = r.config.correlate;
  assert.equal(c.router, undefined);
  assert.deepEqual(c.peers, []);
  assert.equal(c.settle, 5_000);
  assert.equal(c.lookback, 600_000);
  assert.deepEqual(c.local_asns, []);
  assert.deepEqual([c.rtt_abs_ms, c.rtt_pct, c.rtt_noise_k, c.loss_pts, c.hops], [20, 20, 3, 2, 2]);
});

test('[correlate] a RIS Live view: collector and peers', () => {
  const r = load({ correlate: { router: 'rrc00', peers: ['192.0.2.1', '2001:db8::1'], local_asns: [64500] } });
  assert.ok(r.ok, r.ok ? '' : r.problems.join('\n'));
  assert.equal(r.config.correlate.router, 'rrc00');
  assert.deepEqual(r.config.correlate.peers.map(formatAddress), ['192.0.2.1', '2001:db8::1']);
  assert.deepEqual(r.config.correlate.local_asns, [64500]);
});

test('[correlate] bad values: one line each, all at once', () => {
  const r = load({ correlate: { settle: '1m', lookback: '30s', peers: ['peer1'], rtt_pct: -1 } });
  assert.equal(r.ok, false);
  assert.deepEqual(r.ok ? [] : r.problems, [
    'correlate.peers[0]: expected an IP address like "192.0.2.1" or "2001:db8::1", got "peer1"',
    'correlate.rtt_pct: expected an integer from 0 to 10000, got -1',
  ]);
  const x = load({ correlate: { settle: '1m', lookback: '30s' } });
  assert.deepEqual(x.ok ? [] : x.problems, ['correlate.lookback: expected at least correlate.settle (60000 ms), got 30000 ms']);
});
