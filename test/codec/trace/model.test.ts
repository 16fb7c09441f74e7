// The Trace model's helpers and the `smoketrace trace --json` shape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeTraceroute } from '../../../src/codec/trace/index.ts';
import { destinationHop, hopLoss, hopMedianRtt, hopRtt, ipPath, median, responderMedianRtt, traceToJson } from '../../../src/model/trace.ts';
import type { Hop, Trace } from '../../../src/model/trace.ts';

const ECMP =
  'traceroute to 198.51.100.1 (198.51.100.1), 30 hops max, 60 byte packets\n' +
  ' 1  192.0.2.1  0.057 ms  0.009 ms  0.007 ms\n' +
  ' 2  10.77.13.2  20.495 ms  20.502 ms 10.77.12.2  2.879 ms\n' +
  ' 3  * * *\n' +
  ' 4  198.51.100.1  6.1 ms *  6.3 ms\n';

test('helpers: loss, medians, destination hop, IP path', () => {
  const tr = decodeTraceroute(ECMP, { start: Date.UTC(2026, 10, 22, 2, 40, 29), end: Date.UTC(2026, 10, 22, 2, 40, 31) });
  assert.deepEqual(tr.hops.map(hopLoss), [0, 0, 1, 1 - 2 / 3]);
  assert.equal(median([]), undefined);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(hopMedianRtt(tr.hops[1]), 20.495, 'median across ECMP responders');
  assert.equal(responderMedianRtt(tr.hops[1].responders[1]), 2.879);
  assert.equal(hopMedianRtt(tr.hops[2]), undefined);
  assert.equal(destinationHop(tr)?.ttl, 4);
  assert.deepEqual(ipPath(tr), [['192.0.2.1'], ['10.77.13.2', '10.77.12.2'], [], ['198.51.100.1']]);
  const empty: Hop = { ttl: 1, responders: [], sent: 0 };
  assert.equal(hopLoss(empty), undefined);
  const stats: Hop = { ttl: 1, sent: 10, responders: [{ address: '192.0.2.1', rtts: [], received: 3, stats: { last: 1, avg: 2, best: 1, worst: 3, stdev: 1 } }, { address: '192.0.2.2', rtts: [], received: 1, stats: { last: 6, avg: 6, best: 6, worst: 6, stdev: 0 } }] };
  assert.equal(hopRtt(stats), 3, 'received-weighted mean of the printed averages');
  assert.equal(hopLoss(stats), 0.6);
});

test('traceToJson: the issue\'s shape, ISO times, responder sent falls back to the hop\'s, asn null until looked up', () => {
  const tr = decodeTraceroute(ECMP, { start: Date.UTC(2026, 10, 22, 2, 40, 29, 250), end: Date.UTC(2026, 10, 22, 2, 40, 31) });
  const j = traceToJson(tr);
  assert.deepEqual(Object.keys(j), ['target', 'backend', 'method', 'start', 'end', 'reached', 'hops', 'stopReason']);
  assert.equal(j.start, '2026-11-22T02:40:29.250Z');
  assert.equal(j.end, '2026-11-22T02:40:31.000Z');
  assert.deepEqual(j.hops[1], {
    ttl: 2,
    responders: [
      { address: '10.77.13.2', rtts: [20.495, 20.502], sent: 3, received: 2, asn: null },
      { address: '10.77.12.2', rtts: [2.879], sent: 3, received: 1, asn: null },
    ],
    sent: 3,
    received: 3,
  });
  assert.deepEqual(j.hops[2], { ttl: 3, responders: [], sent: 3, received: 0 });
  assert.deepEqual(Object.keys(j.hops[0].responders[0]), ['address', 'rtts', 'sent', 'received', 'asn']);
  const withAsn: Trace = { ...tr, hops: [{ ...tr.hops[0], responders: [{ ...tr.hops[0].responders[0], asn: 64500, flags: ['!N'], asnHint: 1 }] }] };
  assert.deepEqual(traceToJson(withAsn).hops[0].responders[0], { address: '192.0.2.1', rtts: [0.057, 0.009, 0.007], sent: 3, received: 3, asn: 64500, flags: ['!N'], asnHint: 1 });
});
