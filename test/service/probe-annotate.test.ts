// The per-hop origin AS (probe/annotate.ts): a covering route wins (even for RFC 1918),
// IXP LANs from the config come first, private and unannounced only without a route.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAddress } from '../../src/model/address.ts';
import { parsePrefix } from '../../src/model/prefix.ts';
import type { Trace } from '../../src/model/trace.ts';
import { annotateTrace, asLabel, asSource } from '../../src/probe/annotate.ts';

const routes: Record<string, { prefix: string; origins: number[] }> = {
  '10.77.12.2': { prefix: '10.77.12.2/32', origins: [65002] },
  '198.51.100.1': { prefix: '198.51.100.0/24', origins: [65004, 65005] },
  '192.0.2.77': { prefix: '192.0.2.0/24', origins: [65009] },
};
const source = asSource((a) => routes[formatAddress(a)], [{ prefix: parsePrefix('192.0.2.0/25')!, name: 'EX-IX' }, { prefix: parsePrefix('2001:db8:7::/64')! }]);

test('precedence: IXP list, then a covering route, then private / unannounced', () => {
  assert.deepEqual(source.asOf('10.77.12.2'), { asn: 65002, prefix: '10.77.12.2/32' }, 'an announced RFC 1918 address has its AS');
  assert.deepEqual(source.asOf('198.51.100.1'), { asn: 65004, prefix: '198.51.100.0/24' }, 'MOAS: the first origin');
  assert.deepEqual(source.asOf('192.0.2.77'), { ixp: 'EX-IX' }, 'the IXP list wins over the LAN announcement');
  assert.deepEqual(source.asOf('2001:db8:7::5'), { ixp: '2001:db8:7::/64' }, 'unnamed IXP: its prefix');
  assert.equal(source.asOf('10.1.2.3'), 'private');
  assert.equal(source.asOf('100.64.0.1'), 'private', 'CGN space');
  assert.equal(source.asOf('fd00::1'), 'private', 'ULA');
  assert.equal(source.asOf('203.0.113.9'), 'unannounced');
  assert.equal(source.asOf('not-an-address'), 'unannounced');
  assert.deepEqual(['10.77.12.2', '192.0.2.77', '10.1.2.3', '203.0.113.9'].map((a) => asLabel(source.asOf(a))), ['AS65002', 'IXP:EX-IX', 'private', 'unann.']);
  assert.equal(asLabel(undefined), 'AS?');
});

test('annotateTrace fills asn per responder (number or null), leaves the rest alone', () => {
  const trace: Trace = {
    target: '198.51.100.1',
    backend: 'scamper',
    method: 'icmp-paris',
    start: 1,
    end: 2,
    reached: true,
    hops: [
      { ttl: 1, sent: 1, responders: [{ address: '10.77.12.2', rtts: [1], received: 1 }] },
      { ttl: 2, sent: 1, responders: [] },
      { ttl: 3, sent: 2, responders: [{ address: '10.1.2.3', rtts: [2], received: 1 }, { address: '192.0.2.77', rtts: [3], received: 1 }] },
      { ttl: 4, sent: 1, responders: [{ address: '198.51.100.1', rtts: [4], received: 1 }] },
    ],
  };
  const a = annotateTrace(trace, source);
  assert.deepEqual(a.hops.map((h) => h.responders.map((r) => r.asn)), [[65002], [], [null, null], [65004]]);
  assert.equal(trace.hops[0].responders[0].asn, undefined, 'the input is not changed');
  assert.deepEqual(a.hops[3].responders[0].rtts, [4]);
});
