// RIPE Atlas traceroute results, firmware 4460 .. 5020: every result in the three
// fixture files, with figures read off the JSON (SOURCES.md §6a gives the counts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAtlasResult, decodeAtlasResults } from '../../../src/codec/trace/index.ts';
import { destinationHop } from '../../../src/model/trace.ts';
import { assertDecodeError, hopsLine, needFixtureText } from './util.ts';

test('pantrace (fw 5020): 14 results, hop counts 13×10, 9, 7×3; the beacon answers only in the last four', (t) => {
  const text = needFixtureText(t, 'pantrace/atlas.jsonl');
  if (text === undefined) return;
  const all = decodeAtlasResults(text);
  assert.equal(all.length, 14);
  assert.deepEqual(all.map((tr) => tr.hops.length), [13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 9, 7, 7, 7]);
  assert.deepEqual(all.map((tr) => tr.reached), [...Array(10).fill(false), true, true, true, true]);
  assert.deepEqual(all.map((tr) => tr.stopReason), [...Array(10).fill('gaplimit'), 'completed', 'completed', 'completed', 'completed']);
  for (const tr of all) {
    assert.equal(tr.target, '84.205.77.1');
    assert.equal(tr.method, 'icmp-paris');
    assert.equal(tr.source, '192.168.16.104');
    assert.ok(tr.hops.every((h) => h.sent === 3), 'every hop should have sent 3 probes');
  }
  const first = all[0];
  assert.equal(first.start, 1619118621000);
  assert.equal(first.end, 1619118693000);
  assert.deepEqual(first.meta, { msmId: 29792007, prbId: 53023, fw: 5020, lts: 20, parisId: 0, mver: '2.2.1' });
  assert.deepEqual(first.hops.map((h) => h.ttl), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 255]);
  assert.equal(hopsLine(first.hops.slice(0, 2)), '1:3/3[192.168.16.1=1.01,0.831,0.819] 2:3/3[172.27.255.254=4.712,4.113,4.317]');
  assert.equal(hopsLine(first.hops.slice(7)), '8:3/0[] 9:3/0[] 10:3/0[] 11:3/0[] 12:3/0[] 255:3/0[]');
  assert.equal(all[10].start, 1619121626000);
  assert.equal(hopsLine(all[10].hops.slice(6)), '7:3/3[37.49.237.141=15.281,15.219,15.094] 8:3/0[] 9:3/3[84.205.77.1=49.192,48.48,48.442]');
  assert.equal(destinationHop(all[10])?.ttl, 9);
  // One probe lost at the destination, and a slow first answer (198.7 ms) kept as it came.
  assert.equal(hopsLine([all[11].hops[6]]), '7:3/2[84.205.77.1=198.725,49.026]');
});

test('sagan (fw 4460–4720): all 21 results — hop counts, reach, stop reasons, methods', (t) => {
  const text = needFixtureText(t, 'ripe-atlas-sagan/traceroute-results.sagan-tests.jsonl');
  if (text === undefined) return;
  const all = decodeAtlasResults(text);
  assert.equal(all.length, 21);
  assert.deepEqual(all.map((tr) => tr.hops.length), [7, 18, 19, 19, 14, 19, 18, 15, 17, 17, 20, 1, 0, 2, 14, 5, 17, 11, 6, 1, 0]);
  assert.deepEqual(all.map((tr) => tr.reached), [false, false, false, false, false, false, false, false, false, false, true, false, false, false, false, true, false, false, true, false, false]);
  assert.deepEqual(all.map((tr) => tr.stopReason ?? '-'), [
    'gaplimit', 'gaplimit', 'gaplimit', 'gaplimit', 'gaplimit', 'gaplimit', 'gaplimit', 'gaplimit', 'gaplimit', 'gaplimit',
    'completed', 'unreachable', 'error', 'unreachable', 'gaplimit', 'completed', 'gaplimit', '-', 'completed', 'unreachable', 'error',
  ]);
  const proto = ['UDP', 'UDP', 'UDP', 'UDP', 'UDP', 'UDP', 'UDP', 'UDP', 'UDP', 'UDP', 'UDP', 'ICMP', 'ICMP', 'ICMP', 'ICMP', 'UDP', 'UDP', 'UDP', 'UDP', 'ICMP', 'ICMP'];
  assert.deepEqual(all.map((tr) => tr.method), proto.map((p) => (p === 'UDP' ? 'udp-paris' : 'icmp-paris')));
  assert.deepEqual(all.map((tr) => tr.meta?.fw), [4460, 4470, 4480, 4500, 4520, 4550, 4560, 4570, 4600, 4610, 4610, 4610, 4610, 4610, 4610, 4620, 4650, 4660, 4720, 4720, 4720]);
  assert.equal(all[0].start, 1340329190000);
  assert.equal(all[0].end, 1340329208000);
  // Line 11: MPLS stacks (RFC 4950) and a quoted TTL of 2 (the tunnel propagates TTL).
  const l11 = all[10];
  assert.deepEqual(l11.hops[6].responders[0].mpls, [{ label: 1394, exp: 0, s: 1, ttl: 1 }]);
  assert.equal(l11.hops[7].responders[0].quotedTtl, 2);
  assert.equal(hopsLine([l11.hops[19]]), '20:3/3[220.226.205.30=' + l11.hops[19].responders[0].rtts.join(',') + ']');
  assert.equal(all[3].hops[9].responders[0].mpls?.[0].label, 407904);
  // Line 12: the probe's own router says host unreachable (!H) after ~3 s.
  assert.equal(hopsLine(all[11].hops), '1:3/3[2001:67c:2e8:13:fad1:11ff:fea9:dd68=2014.845,2995.839,2998.491{!H}]');
  assert.equal(all[11].target, '2001:6b0:e:3::1');
  // Line 13: the probe could not even send.
  assert.equal(all[12].meta?.error, 'connect failed: Network is unreachable');
  // Line 14: packet too big (MTU 1500) then !H, one timeout among five probes.
  assert.equal(hopsLine([all[13].hops[0]]), '1:5/4[2001:470:d04f:12::18=5.126,3011.874,3011.811,3011.869{!F-1500,!H}]');
  // Line 18: the last hop answered, but not the destination address.
  assert.equal(all[17].reached, false);
  assert.equal(all[17].hops[10].responders[0].address, '2a00:1450:8000:3d::3');
  // Line 19: only late replies — they prove the responders (and reach), not an RTT.
  assert.equal(hopsLine(all[18].hops), '1:3/0[] 2:3/0[192.168.14.253={late}] 3:3/0[141.105.161.184={late}] 4:3/0[141.105.161.176={late}] 5:3/0[94.201.50.45={late}] 255:3/0[78.46.48.134={late}]');
  assert.equal(all[18].hops[1].responders[0].late, 3);
  assert.equal(all[18].meta?.lts, -1);
  // Line 20: network unreachable from the first hop.
  assert.equal(hopsLine(all[19].hops), '1:3/3[2001:470:1883:1::1=0.714,0.495,0.48{!N}]');
  // Line 21: old firmware, failed name resolution, no dst_addr: the target is the name.
  assert.deepEqual([all[20].target, all[20].targetName, all[20].source], ['syndication.exoclick.com', 'syndication.exoclick.com', undefined]);
  assert.match(String(all[20].meta?.error), /^name resolution failed/);
});

test('ripe-atlas-tools (fw 4730): a JSON array of 2 results, both reach 194.0.25.10', (t) => {
  const text = needFixtureText(t, 'ripe-atlas-tools/traceroute-results.msm3606560.json');
  if (text === undefined) return;
  const all = decodeAtlasResults(text);
  assert.deepEqual(all.map((tr) => [tr.meta?.prbId, tr.hops.length, tr.reached, tr.source]), [[12185, 11, true, '192.168.2.91'], [22880, 13, true, '192.168.1.4']]);
  // The same router at hops 7 and 8: a classic traceroute artifact, kept as measured.
  assert.deepEqual([all[0].hops[6], all[0].hops[7]].map((h) => h.responders[0].address), ['4.69.144.143', '4.69.144.143']);
});

const BASE = { fw: 5020, type: 'traceroute', dst_addr: '198.51.100.1', src_addr: '192.0.2.10', proto: 'TCP', af: 4, timestamp: 1700000000, endtime: 1700000010 };

test('shapes: numeric err, admin-prohibited, dup, ECMP at one hop, single object and NDJSON input', () => {
  const r = {
    ...BASE,
    result: [
      { hop: 1, result: [{ from: '192.0.2.1', rtt: 1, ttl: 64 }, { from: '192.0.2.2', rtt: 2, ttl: 64 }, { from: '192.0.2.1', rtt: 1.5, ttl: 64, dup: true }] },
      { hop: 2, result: [{ from: '10.0.0.2', rtt: 3, err: 13 }, { from: '10.0.0.2', rtt: 3, err: 'A' }, { x: '*' }] },
    ],
  };
  const tr = decodeAtlasResult(JSON.parse(JSON.stringify(r)));
  assert.equal(tr.method, 'tcp');
  assert.equal(hopsLine(tr.hops), '1:2/2[192.0.2.1=1{dup} 192.0.2.2=2] 2:3/2[10.0.0.2=3,3{!13,!X}]');
  assert.equal(tr.stopReason, 'unreachable');
  const nd = decodeAtlasResults(`${JSON.stringify(r)}\n\n${JSON.stringify({ ...r, dst_addr: '2001:DB8::1', result: [] })}\n`);
  assert.deepEqual(nd.map((x) => [x.target, x.hops.length]), [['198.51.100.1', 2], ['2001:db8::1', 0]]);
});

test('malformed Atlas results: each a DecodeError with its own code', () => {
  const j = (o: Record<string, unknown>) => JSON.stringify({ ...BASE, result: [], ...o });
  const hop = (h: unknown) => j({ result: [h] });
  const cases: [string, string][] = [
    ['', 'empty'],
    ['nonsense', 'not-json'],
    [j({}).slice(0, 30), 'not-json'],
    ['[1]', 'bad-shape'],
    [j({ type: 'ping' }), 'atlas-not-traceroute'],
    [j({ dst_addr: undefined }), 'missing-field'],
    [j({ dst_addr: '300.1.1.1' }), 'bad-address'],
    [j({ timestamp: 'yesterday' }), 'bad-shape'],
    [j({ timestamp: 1e15 }), 'bad-time'],
    [j({ endtime: 1 }), 'bad-time'],
    [j({ result: {} }), 'bad-shape'],
    [hop({ hop: 0, result: [] }), 'bad-ttl'],
    [hop({ hop: 256, result: [] }), 'bad-ttl'],
    [hop({ hop: 1e9, result: [] }), 'bad-ttl'],
    [j({ result: [{ hop: 1, result: [] }, { hop: 1, result: [] }] }), 'duplicate-hop'],
    [hop({ hop: 1, result: ['*'] }), 'bad-shape'],
    [hop({ hop: 1, result: [{ rtt: 1 }] }), 'missing-field'],
    [hop({ hop: 1, result: [{ from: '192.0.2.1' }] }), 'missing-field'],
    [hop({ hop: 1, result: [{ from: '192.0.2.1', rtt: -3 }] }), 'bad-rtt'],
    [hop({ hop: 1, result: [{ from: '192.0.2.1', rtt: Infinity }] }), 'bad-shape'],
    [hop({ hop: 1, result: [{ from: '192.0.2.1', rtt: 1e12 }] }), 'bad-rtt'],
    [hop({ hop: 1, result: [{ from: 'router', rtt: 1 }] }), 'bad-address'],
    [hop({ hop: 1, result: [{ from: '192.0.2.1', rtt: 1, err: 'Q' }] }), 'atlas-bad-err'],
    [hop({ hop: 1, result: [{ from: '192.0.2.1', rtt: 1, err: 'toString' }] }), 'atlas-bad-err'],
    [hop({ hop: 1, result: [{ from: '192.0.2.1', late: -1 }] }), 'bad-count'],
    [hop({ hop: 1, result: [{ from: '192.0.2.1', rtt: 1, icmpext: { obj: [{ class: 1, type: 1, mpls: [{ label: -1, exp: 0, s: 1, ttl: 1 }] }] } }] }), 'bad-mpls'],
  ];
  for (const [text, code] of cases) assertDecodeError(() => decodeAtlasResults(text), code, text.slice(0, 80));
});
