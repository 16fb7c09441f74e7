// mtr --json (every layout and version drift) and --raw. mtr's JSON has summary stats
// only: rtts stay empty, received comes from Snt and Loss%. Raw keeps every sample and
// every responder per hop.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMtrJson, decodeMtrRaw } from '../../../src/codec/trace/index.ts';
import { hopLoss, hopRtt } from '../../../src/model/trace.ts';
import type { Trace } from '../../../src/model/trace.ts';
import { assertDecodeError, headLine, hopsLine, needFixtureText, needLabSample } from './util.ts';

const CTX = { start: 1_795_315_229_000, end: 1_795_315_235_000 };

/** "ttl:sent/received[addr loss avg]" — the figures mtr's JSON really carries. */
function mtrLine(tr: Trace): string {
  return tr.hops
    .map((h) => `${h.ttl}:${h.sent}/${h.received}[${h.responders.map((r) => `${r.address} avg=${r.stats?.avg}`).join(' ')}]`)
    .join(' ');
}

test('lab: mtr 0.95 --json, base path, ratelimited hop (95 % loss), tcp', (t) => {
  const base = needLabSample(t, 'base.mtr.json');
  const rl = needLabSample(t, 'ratelimit.mtr.json');
  const tcp = needLabSample(t, 'tcp.mtr.json');
  if (!base || !rl || !tcp) return;
  const b = decodeMtrJson(base, CTX);
  assert.equal(headLine(b), 'mtr icmp 198.51.100.1 reached=true stop=completed hops=4');
  assert.equal(mtrLine(b), '1:5/5[192.0.2.1 avg=0.151] 2:5/5[10.77.12.2 avg=3.033] 3:5/5[10.77.24.2 avg=5.832] 4:5/5[198.51.100.1 avg=5.823]');
  assert.deepEqual(b.hops[0].responders[0], {
    address: '192.0.2.1',
    rtts: [],
    sent: 5,
    received: 5,
    stats: { last: 0.09, avg: 0.151, best: 0.085, worst: 0.311, stdev: 0.098 },
  });
  assert.deepEqual(b.meta, { tos: 0, psize: 64, layout: 'report', tests: 5, mtrSrc: 'vm' });
  assert.equal(b.start, CTX.start);
  const r = decodeMtrJson(rl, CTX);
  assert.equal(mtrLine(r), '1:20/20[192.0.2.1 avg=0.084] 2:20/1[10.77.12.2 avg=3.093] 3:20/20[10.77.24.2 avg=5.9] 4:20/20[198.51.100.1 avg=5.771]');
  assert.equal(hopLoss(r.hops[1]), 0.95);
  assert.equal(hopRtt(r.hops[1]), 3.093, 'without samples, the hop RTT is mtr\'s Avg');
  const tc = decodeMtrJson(tcp, { ...CTX, method: 'tcp' });
  assert.equal(headLine(tc), 'mtr tcp 198.51.100.1 reached=true stop=completed hops=4');
  assert.equal(mtrLine(tc), '1:3/3[192.0.2.1 avg=0.147] 2:3/3[10.77.12.2 avg=3.049] 3:3/3[10.77.24.2 avg=6.054] 4:3/3[198.51.100.1 avg=5.98]');
  for (const [name, path] of [
    ['flap.mtr.json', ['192.0.2.1', '10.77.13.2', '10.77.34.2', '198.51.100.1']],
    ['restored.mtr.json', ['192.0.2.1', '10.77.12.2', '10.77.24.2', '198.51.100.1']],
    ['impair.mtr.json', ['192.0.2.1', '10.77.12.2', '10.77.24.2', '198.51.100.1']],
    ['ratelimit-off.mtr.json', ['192.0.2.1', '10.77.12.2', '10.77.24.2', '198.51.100.1']],
  ] as const) {
    const text = needLabSample(t, name);
    if (!text) return;
    const tr = decodeMtrJson(text, CTX);
    assert.deepEqual(tr.hops.map((h) => h.responders[0].address), path, name);
    assert.ok(tr.hops.every((h) => h.received === h.sent), name);
  }
});

test('fixtures: mtr 0.95 generated locally — ICMP/UDP/TCP v4, ICMP v6, silent "???" hop, unreachable', (t) => {
  const cases: [string, string, string][] = [
    ['mtr0.95_icmp_v4_4hops.json', 'mtr icmp 198.51.100.14 reached=true stop=completed hops=4',
      '1:10/10[198.51.100.2 avg=0.092] 2:10/10[198.51.100.6 avg=0.135] 3:10/1[198.51.100.10 avg=0.289] 4:10/10[198.51.100.14 avg=0.093]'],
    ['mtr0.95_icmp_v6_4hops.json', 'mtr icmp 2001:db8:3::2 reached=true stop=completed hops=4',
      '1:10/10[2001:db8::2 avg=0.092] 2:10/10[2001:db8:1::2 avg=0.097] 3:10/1[2001:db8:2::2 avg=0.131] 4:10/10[2001:db8:3::2 avg=0.186]'],
    ['mtr0.95_udp_v4_4hops.json', 'mtr icmp 198.51.100.14 reached=true stop=completed hops=4',
      '1:5/5[198.51.100.2 avg=0.102] 2:5/5[198.51.100.6 avg=0.077] 3:5/0[] 4:5/5[198.51.100.14 avg=0.094]'],
    ['mtr0.95_tcp80_v4_4hops.json', 'mtr icmp 198.51.100.14 reached=true stop=completed hops=4',
      '1:5/5[198.51.100.2 avg=0.125] 2:5/5[198.51.100.6 avg=0.128] 3:5/0[] 4:5/5[198.51.100.14 avg=0.143]'],
    ['mtr0.95_icmp_v4_unreachable.json', 'mtr icmp 203.0.113.7 reached=false stop=- hops=3',
      '1:5/5[198.51.100.2 avg=0.11] 2:5/5[198.51.100.6 avg=0.083] 3:5/0[]'],
  ];
  for (const [file, head, hops] of cases) {
    const text = needFixtureText(t, `mtr-generated-local/${file}`);
    if (text === undefined) return;
    const tr = decodeMtrJson(text, CTX); // the JSON does not say the protocol: the runner would pass it
    assert.equal(headLine(tr), head, file);
    assert.equal(mtrLine(tr), hops, file);
    assert.ok(tr.hops.every((h) => h.responders.every((r) => r.rtts.length === 0)), `${file}: no invented samples`);
  }
});

// One path written in each layout mtr versions and forks print; all must decode alike.
const HUB1 = { host: '192.0.2.1', 'Loss%': 0.0, Snt: 10, Last: 0.2, Avg: 0.25, Best: 0.1, Wrst: 0.4, StDev: 0.1 };
const HUB2 = { host: '198.51.100.1', 'Loss%': 20.0, Snt: 10, Last: 5.5, Avg: 5.25, Best: 5.0, Wrst: 6.0, StDev: 0.3 };
const WANT = '1:10/10[192.0.2.1 avg=0.25] 2:10/8[198.51.100.1 avg=5.25]';

test('drift: mtr 0.92–0.95 layouts and spellings decode to the same trace', () => {
  const v095 = { report: { mtr: { src: 'vm', dst: '198.51.100.1', tos: 0, tests: 10, psize: '64', bitpattern: '0x00' }, hubs: [{ count: 1, ...HUB1 }, { count: 2, ...HUB2 }] } };
  const v094 = { report: { mtr: { src: 'vm', dst: '198.51.100.1', tos: '0x0', tests: '10', psize: '64', bitpattern: '0x00' }, hubs: [{ count: '1', ...HUB1 }, { count: '2', ...HUB2 }] } };
  const v092 = { mtr: { src: 'vm', dst: '198.51.100.1', tos: '0x0', tests: '10', psize: '64', bitpattern: '0x00' }, hubs: [{ count: '1', ...HUB1 }, { count: '2', ...HUB2 }] };
  const strings = { report: { mtr: { dst: '198.51.100.1', tests: '10' }, hubs: [{ count: '1', ...HUB1, Snt: '10', 'Loss%': '0.0%' }, { count: '2', ...HUB2, Snt: '10', 'Loss%': '20.0%', Avg: '5.25' }] } };
  const fork = {
    src: 'probe1', dst: '198.51.100.1',
    hops: [
      { hop: 1, ipaddr: '192.0.2.1', losspercent: 0, sent: 10, last: 0.2, avg: 0.25, best: 0.1, worst: 0.4, stdev: 0.1 },
      { hop: 2, ipaddr: '198.51.100.1', losspercent: 20, sent: 10, last: 5.5, avg: 5.25, best: 5.0, worst: 6.0, stdev: 0.3 },
    ],
  };
  const cases: [string, unknown, string][] = [['0.95', v095, 'report'], ['0.93–0.94 strings', v094, 'report'], ['0.92 no wrapper', v092, 'bare'], ['all strings, "%"', strings, 'report'], ['flat fork', fork, 'flat']];
  for (const [name, doc, layout] of cases) {
    const tr = decodeMtrJson(JSON.stringify(doc), CTX);
    assert.equal(mtrLine(tr), WANT, name);
    assert.equal(tr.reached, true, name);
    assert.equal(tr.meta?.layout, layout, name);
    assert.deepEqual(tr.hops[1].responders[0].stats, { last: 5.5, avg: 5.25, best: 5, worst: 6, stdev: 0.3 }, name);
  }
  assert.equal(decodeMtrJson(JSON.stringify(v094), CTX).meta?.tos, 0, '"0x0" is tos 0');
});

test('drift: -z ASN is a hint; -b "name (addr)"; without -n only a name; a hostname as dst', () => {
  const doc = {
    report: {
      mtr: { dst: 'www.example', tests: 2 },
      hubs: [
        { count: 1, host: 'gw.example (192.0.2.1)', ASN: 'AS64500', 'Loss%': 0, Snt: 2, Last: 1, Avg: 1, Best: 1, Wrst: 1, StDev: 0 },
        { count: 2, host: 'core.example', ASN: 'AS???', 'Loss%': 50, Snt: 2, Last: 2, Avg: 2, Best: 2, Wrst: 2, StDev: 0 },
        { count: 3, host: 'www.example (198.51.100.1)', ASN: 'AS64501', 'Loss%': 0, Snt: 2, Last: 3, Avg: 3, Best: 3, Wrst: 3, StDev: 0 },
      ],
    },
  };
  const tr = decodeMtrJson(JSON.stringify(doc), { ...CTX, target: '198.51.100.1' });
  assert.equal(tr.target, '198.51.100.1');
  assert.equal(tr.targetName, 'www.example');
  assert.equal(tr.reached, true);
  const [a, b, c] = tr.hops.map((h) => h.responders[0]);
  assert.deepEqual([a.address, a.name, a.asnHint, a.asn], ['192.0.2.1', 'gw.example', 64500, undefined]);
  assert.deepEqual([b.address, b.name, b.asnHint, b.flags, b.received], ['core.example', 'core.example', undefined, ['name'], 1]);
  assert.equal(c.asnHint, 64501);
  // Without a context target a name-only dst stays a name and cannot be "reached".
  const noTarget = decodeMtrJson(JSON.stringify(doc), CTX);
  assert.deepEqual([noTarget.target, noTarget.reached], ['www.example', false]);
});

test('mtr --raw: real loopback output (0.95) — doubled h lines, probes past the destination cut', () => {
  const text = 'x 0 33000\nh 0 127.0.0.1\nh 0 127.0.0.1\np 0 99 33000\nx 1 33001\nh 1 127.0.0.1\nh 1 127.0.0.1\np 1 52 33001\nx 0 33002\np 0 48 33002\nx 0 33003\np 0 120 33003\n';
  const tr = decodeMtrRaw(text, { ...CTX, target: '127.0.0.1' });
  assert.equal(headLine(tr), 'mtr icmp 127.0.0.1 reached=true stop=completed hops=1');
  assert.equal(hopsLine(tr.hops), '1:3/3[127.0.0.1=0.099,0.048,0.12]');
});

test('mtr --raw: ECMP keeps both responders with their samples; loss, dup, names and MPLS', () => {
  const text = [
    'x 0 33000', 'h 0 192.0.2.1', 'd 0 gw.example', 'p 0 274 33000',
    'x 1 33001', 'h 1 10.77.13.2', 'm 1 24008 0 1 1', 'p 1 20495 33001',
    'x 2 33002', 'h 2 198.51.100.1', 'p 2 6109 33002',
    'x 3 33003', 'h 3 198.51.100.1', 'p 3 6200 33003', // mtr probing past the destination
    'x 0 33004', 'p 0 219 33004', 'p 0 219 33004', // a duplicate reply
    'x 1 33005', 'h 1 10.77.12.2', 'p 1 2879 33005',
    'x 2 33006', // lost
    'x 1 33007', 'h 1 10.77.13.2', 'p 1 20502 33007',
    't 0 1 2', '',
  ].join('\n');
  const tr = decodeMtrRaw(text, { ...CTX, target: '198.51.100.1' });
  assert.equal(hopsLine(tr.hops), '1:2/2[192.0.2.1=0.274,0.219{dup}] 2:3/3[10.77.13.2=20.495,20.502 10.77.12.2=2.879] 3:2/1[198.51.100.1=6.109]');
  assert.equal(tr.hops[0].responders[0].name, 'gw.example');
  assert.deepEqual(tr.hops[1].responders[0].mpls, [{ label: 24008, exp: 0, s: 1, ttl: 1 }]);
  assert.deepEqual(tr.meta, { format: 'raw' });
  const old = decodeMtrRaw('h 0 192.0.2.1\np 0 100 1\nh 2 198.51.100.1\np 2 300 3\n', { ...CTX, target: '198.51.100.1' });
  assert.equal(hopsLine(old.hops), '1:1/1[192.0.2.1=0.1] 2:0/0[] 3:1/1[198.51.100.1=0.3]');
  assert.equal(old.meta?.sentUnknown, true);
});

test('malformed mtr --json: each a DecodeError with its own code', () => {
  const ok = { report: { mtr: { dst: '198.51.100.1' }, hubs: [{ count: 1, ...HUB1 }] } };
  const hub = (h: Record<string, unknown>) => JSON.stringify({ report: { mtr: { dst: '198.51.100.1' }, hubs: [{ count: 1, ...HUB1, ...h }] } });
  const cases: [string, string, object?][] = [
    ['not json at all', 'not-json'],
    [JSON.stringify(ok).slice(0, 40), 'not-json'],
    ['[]', 'bad-shape'],
    ['{}', 'mtr-unknown-layout'],
    ['{"report":{"hubs":{}}}', 'bad-shape'],
    ['{"report":{"hubs":[]}}', 'missing-field'],
    [hub({ count: 0 }), 'bad-ttl'],
    [hub({ count: 300 }), 'bad-ttl'],
    [hub({ count: 1.5 }), 'bad-ttl'],
    [hub({ 'Loss%': 150 }), 'mtr-bad-loss'],
    [hub({ 'Loss%': -1 }), 'mtr-bad-loss'],
    [hub({ Snt: -1 }), 'bad-count'],
    [hub({ Snt: 1e12 }), 'bad-count'],
    [hub({ Snt: 'abc' }), 'bad-shape'],
    [hub({ Avg: -0.5 }), 'bad-rtt'],
    [hub({ Wrst: 1e300 }), 'bad-rtt'],
    [hub({ Best: null }), 'bad-shape'],
    [hub({ host: 'a b c' }), 'mtr-bad-host'],
    [hub({ host: 'x (999.0.0.1)' }), 'bad-address'],
    [hub({ host: 42 }), 'bad-shape'],
    [JSON.stringify(ok), 'bad-address', { target: 'nope' }],
  ];
  for (const [text, code, ctx] of cases) assertDecodeError(() => decodeMtrJson(text, { ...CTX, ...ctx }), code, text.slice(0, 50));
});

test('malformed mtr --raw: each a DecodeError with its own code', () => {
  const T = { ...CTX, target: '198.51.100.1' };
  const cases: [string, string, object?][] = [
    ['garbage\n', 'mtr-raw-bad-line'],
    ['', 'mtr-raw-empty'],
    ['\n\n', 'mtr-raw-empty'],
    ['p 0 10 1\n', 'mtr-raw-before-host'],
    ['d 0 name\n', 'mtr-raw-before-host'],
    ['h 0\n', 'mtr-raw-bad-fields'],
    ['h 0 192.0.2.1 extra\n', 'mtr-raw-bad-fields'],
    ['x -1 5\n', 'mtr-raw-bad-number'],
    ['x 0 5e3\n', 'mtr-raw-bad-number'],
    ['x 255 1\n', 'bad-ttl'],
    ['h 0 nothost\n', 'bad-address'],
    ['h 0 192.0.2.1\np 0 99999999999 1\n', 'mtr-raw-bad-number'],
    ['h 0 192.0.2.1\np 0 4000000000 1\n', 'bad-rtt'],
    ['h 0 192.0.2.1\nm 0 2000000 0 1 1\n', 'bad-mpls'],
    ['x 0 1\n', 'mtr-raw-no-target', { target: undefined }],
  ];
  for (const [text, code, ctx] of cases) assertDecodeError(() => decodeMtrRaw(text, { ...T, ...ctx }), code, text.slice(0, 30));
});
