// The `smoketrace trace` table: mtr's report columns with the origin AS; ECMP responders
// on their own lines; silent hops as ???; AS? when no API answered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTraceTable } from '../../src/cli/trace-run.ts';
import type { Trace } from '../../src/model/trace.ts';
import type { AsAnswer } from '../../src/probe/annotate.ts';

const trace: Trace = {
  target: '198.51.100.1',
  backend: 'mtr',
  method: 'icmp',
  start: Date.UTC(2026, 0, 1),
  end: Date.UTC(2026, 0, 1) + 3000,
  reached: true,
  hops: [
    { ttl: 1, sent: 5, responders: [{ address: '192.0.2.1', rtts: [], received: 5, stats: { last: 0.2, avg: 0.3, best: 0.1, worst: 0.5, stdev: 0.1 } }] },
    { ttl: 2, sent: 5, responders: [{ address: '10.77.12.2', rtts: [2.9, 3.1], received: 2 }, { address: '10.77.13.2', rtts: [21.5, 21.7], received: 2 }] },
    { ttl: 3, sent: 5, responders: [] },
    { ttl: 4, sent: 5, responders: [{ address: '198.51.100.1', rtts: [], received: 5, stats: { last: 5.7, avg: 5.8, best: 5.6, worst: 6.1, stdev: 0.2 } }] },
  ],
};

test('one line per hop and responder, AS column, loss, sent, last/avg/best/worst', () => {
  const as: Record<string, AsAnswer> = { '192.0.2.1': { asn: 65001, prefix: '192.0.2.0/24' }, '10.77.12.2': { asn: 65002, prefix: 'x' }, '10.77.13.2': 'private', '198.51.100.1': { asn: 65004, prefix: 'y' } };
  const out = formatTraceTable(trace, (a) => as[a]);
  const lines = out.trimEnd().split('\n');
  assert.match(lines[0], /^HOST: 198\.51\.100\.1 \(mtr icmp, 2026-01-01T00:00:00\.000Z\)$/);
  assert.match(lines[1], /AS\s+Address\s+Loss%\s+Snt\s+Last\s+Avg\s+Best\s+Wrst$/);
  assert.match(lines[2], /^ 1\. AS65001\s+192\.0\.2\.1\s+0\.0%\s+5\s+0\.2\s+0\.3\s+0\.1\s+0\.5$/);
  assert.match(lines[3], /^ 2\. AS65002\s+10\.77\.12\.2\s+20\.0%\s+5\s+3\.1\s+3\.0\s+2\.9\s+3\.1$/);
  assert.match(lines[4], /^\s+private\s+10\.77\.13\.2\s+21\.7\s+21\.6\s+21\.5\s+21\.7$/, lines[4]);
  assert.match(lines[5], /^ 3\.\s+\?\?\?\s+100\.0%\s+5$/, lines[5]);
  assert.match(lines[6], /^ 4\. AS65004\s+198\.51\.100\.1\s+0\.0%\s+5\s+5\.7\s+5\.8\s+5\.6\s+6\.1$/);
});

test('without an API: AS? on every answering hop', () => {
  const out = formatTraceTable(trace, () => undefined);
  assert.equal(out.split('\n').filter((l) => l.includes(' AS? ')).length, 4, out);
});
