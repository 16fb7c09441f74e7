// Debian traceroute / traceroute6 / tcptraceroute text. Lab outputs from this machine
// (../shared/lab/samples) with expectations read off the files by hand, then a table of
// the formats the options produce, then malformed input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeTraceroute, decodeTracerouteTexts } from '../../../src/codec/trace/index.ts';
import { assertDecodeError, headLine, hopsLine, needLabSample } from './util.ts';

const CTX = { start: 1_795_315_229_000, end: 1_795_315_230_000 };
const H4 = 'traceroute to 198.51.100.1 (198.51.100.1), 30 hops max, 60 byte packets\n';

test('lab: base path v4, three probes per hop, destination reached', (t) => {
  const text = needLabSample(t, 'base.traceroute.txt');
  if (text === undefined) return;
  const tr = decodeTraceroute(text, CTX);
  assert.equal(headLine(tr), 'traceroute udp 198.51.100.1 reached=true stop=completed hops=4');
  assert.equal(
    hopsLine(tr.hops),
    '1:3/3[192.0.2.1=0.274,0.219,0.205] 2:3/3[10.77.12.2=3.073,3.316,3.315] 3:3/3[10.77.24.2=5.996,5.999,6.114] 4:3/3[198.51.100.1=6.109,6.102,6.096]',
  );
  assert.equal(tr.start, CTX.start);
  assert.equal(tr.end, CTX.end);
  assert.deepEqual(tr.meta, { maxHops: 30 });
});

test('lab: traceroute6 base and flap paths', (t) => {
  const base = needLabSample(t, 'base.traceroute6.txt');
  const flap = needLabSample(t, 'flap.traceroute6.txt');
  if (base === undefined || flap === undefined) return;
  const b = decodeTraceroute(base, CTX);
  assert.equal(headLine(b), 'traceroute udp 2001:db8:100::1 reached=true stop=completed hops=4');
  assert.equal(hopsLine(b.hops), '1:3/3[2001:db8:1::1=0.044,0.009,0.008] 2:3/3[fd77:12::2=2.91,2.844,2.814] 3:3/3[fd77:24::2=5.485,5.466,5.666] 4:3/3[2001:db8:100::1=5.663,5.641,5.62]');
  const f = decodeTraceroute(flap, CTX);
  assert.deepEqual(f.hops.map((h) => h.responders[0].address), ['2001:db8:1::1', 'fd77:13::2', 'fd77:34::2', '2001:db8:100::1']);
  assert.deepEqual(f.hops[2].responders[0].rtts, [41.316, 41.444, 41.442]);
});

test('lab: flap, restored, session (-q 1) and announce paths', (t) => {
  const cases: [string, string[], number[]][] = [
    ['flap.traceroute.txt', ['192.0.2.1', '10.77.13.2', '10.77.34.2', '198.51.100.1'], [0.047, 20.721, 41.346, 41.353]],
    ['restored.traceroute.txt', ['192.0.2.1', '10.77.12.2', '10.77.24.2', '198.51.100.1'], [0.046, 3.228, 6.123, 6.31]],
    ['session.traceroute.txt', ['192.0.2.1', '10.77.13.2', '10.77.34.2', '198.51.100.1'], [0.26, 20.498, 41.211, 41.217]],
    ['announce.traceroute.txt', ['192.0.2.1', '10.77.12.2', '10.77.24.2', '203.0.113.1'], [0.05, 2.929, 6.287, 6.283]],
  ];
  for (const [name, path, firstRtts] of cases) {
    const text = needLabSample(t, name);
    if (text === undefined) return;
    const tr = decodeTraceroute(text, CTX);
    assert.equal(tr.reached, true, name);
    assert.equal(tr.target, path[3], name);
    assert.deepEqual(tr.hops.map((h) => h.responders.map((r) => r.address)), path.map((a) => [a]), name);
    assert.deepEqual(tr.hops.map((h) => h.responders[0].rtts[0]), firstRtts, name);
    const q = name.startsWith('session') || name.startsWith('announce') ? 1 : 3;
    assert.ok(tr.hops.every((h) => h.sent === q && h.received === q), name);
  }
});

test('lab: ECMP — five runs, hop 2 split between 10.77.12.2 and 10.77.13.2, each keeps its own samples', (t) => {
  const text = needLabSample(t, 'ecmp.traceroute.txt');
  if (text === undefined) return;
  const all = decodeTracerouteTexts(text, CTX);
  assert.equal(all.length, 5);
  for (const tr of all) {
    assert.equal(headLine(tr), 'traceroute udp 198.51.100.1 reached=false stop=hoplimit hops=2');
    assert.equal(tr.hops[0].responders[0].address, '192.0.2.1');
  }
  assert.deepEqual(all.map((tr) => hopsLine([tr.hops[1]])), [
    '2:3/3[10.77.13.2=20.495,20.502 10.77.12.2=2.879]',
    '2:3/3[10.77.13.2=20.62 10.77.12.2=2.82,2.8]',
    '2:3/3[10.77.13.2=20.319,20.266 10.77.12.2=2.92]',
    '2:3/3[10.77.12.2=2.81,2.802 10.77.13.2=20.46]',
    '2:3/3[10.77.12.2=2.746,2.718 10.77.13.2=20.289]',
  ]);
  assertDecodeError(() => decodeTraceroute(text, CTX), 'traceroute-several');
  const off = needLabSample(t, 'ecmp-off.traceroute.txt');
  if (off === undefined) return;
  assert.equal(hopsLine(decodeTraceroute(off, CTX).hops), '1:3/3[192.0.2.1=0.056,0.008,0.007] 2:3/3[10.77.12.2=2.802,2.799,2.791]');
});

test('lab: withdrawn prefix — the first router answers !N and the trace stops unreachable', (t) => {
  const text = needLabSample(t, 'withdraw.traceroute.txt');
  if (text === undefined) return;
  const tr = decodeTraceroute(text, CTX);
  assert.equal(headLine(tr), 'traceroute udp 203.0.113.1 reached=false stop=unreachable hops=1');
  assert.equal(hopsLine(tr.hops), '1:1/1[192.0.2.1=0.192{!N}]');
});

test('formats: names, failed lookups, stars, annotations, MPLS, -A, --back, --mtu, continuation lines', () => {
  const text =
    'traceroute to dns.example (198.51.100.1), 30 hops max, 60 byte packets\n' +
    ' 1  gw.example (192.0.2.1)  0.274 ms  0.219 ms  0.205 ms\n' +
    ' 2  10.77.12.2 (10.77.12.2)  3.073 ms * 3.315 ms\n' +
    ' 3  * * *\n' +
    " 4  10.0.0.4 <MPLS:L=24008,E=0,S=0,T=1/L=16,E=5,S=1,T=254>  9.100 ms  9.2 ms '-3' F=1500  9.3 ms\n" +
    ' 5  10.0.0.5 [AS64500]  10.1 ms !H  10.2 ms !X 10.0.0.55 [*]  10.3 ms !F-1480\n' +
    '    10.0.0.56  10.4 ms !<13>\n' +
    ' 6  10.0.0.6  11 ms !13  11.5 ms !F  12 ms !N\n';
  const tr = decodeTraceroute(text, CTX);
  assert.equal(tr.target, '198.51.100.1');
  assert.equal(tr.targetName, 'dns.example');
  assert.equal(tr.stopReason, 'unreachable');
  assert.equal(
    hopsLine(tr.hops),
    '1:3/3[192.0.2.1=0.274,0.219,0.205] 2:3/2[10.77.12.2=3.073,3.315] 3:3/0[] 4:3/3[10.0.0.4=9.1,9.2,9.3] ' +
      '5:4/4[10.0.0.5=10.1,10.2{!H,!X} 10.0.0.55=10.3{!F-1480} 10.0.0.56=10.4{!13}] 6:3/3[10.0.0.6=11,11.5,12{!13,!F,!N}]',
  );
  assert.equal(tr.hops[0].responders[0].name, 'gw.example');
  assert.equal(tr.hops[1].responders[0].name, undefined);
  assert.deepEqual(tr.hops[3].responders[0].mpls, [
    { label: 24008, exp: 0, s: 0, ttl: 1 },
    { label: 16, exp: 5, s: 1, ttl: 254 },
  ]);
  assert.equal(tr.hops[4].responders[0].asnHint, 64500);
  assert.equal(tr.hops[4].responders[0].asn, undefined, 'a printed AS is a hint, never our AS');
});

test('formats: iputils-style header with "from", hops without a header when the target is given', () => {
  const tr = decodeTraceroute('traceroute to 2001:db8::1 (2001:DB8:0::1) from 2001:db8::2, 30 hops max, 24 byte packets\n 1  2001:db8::1  0.5 ms\n', CTX);
  assert.equal(tr.target, '2001:db8::1');
  assert.equal(tr.targetName, undefined);
  assert.equal(tr.source, '2001:db8::2');
  assert.equal(tr.reached, true);
  const bare = decodeTraceroute(' 1  192.0.2.1  1 ms\n 2  198.51.100.1  2 ms\n', { ...CTX, target: '198.51.100.1' });
  assert.equal(headLine(bare), 'traceroute udp 198.51.100.1 reached=true stop=completed hops=2');
});

test('tcptraceroute: [closed]/[open] at the destination, source from "Selected device" (real loopback output)', () => {
  const closed =
    'Selected device lo, address 127.0.0.1, port 54641 for outgoing packets\n' +
    'Tracing the path to 127.0.0.1 on TCP port 9 (discard), 30 hops max\n' +
    ' 1  127.0.0.1 [closed]  0.062 ms  0.017 ms\n';
  const tr = decodeTraceroute(closed, CTX);
  assert.equal(headLine(tr), 'tcptraceroute tcp 127.0.0.1 reached=true stop=completed hops=1');
  assert.equal(tr.source, '127.0.0.1');
  assert.deepEqual(tr.meta, { maxHops: 30, port: 9 });
  assert.equal(hopsLine(tr.hops), '1:2/2[127.0.0.1=0.062,0.017{closed}]');
  const open =
    'Selected device eth0, address 192.0.2.10, port 40000 for outgoing packets\n' +
    'Tracing the path to www.example (198.51.100.1) on TCP port 80 (http), 30 hops max\n' +
    ' 1  192.0.2.1  0.274 ms  0.219 ms  0.205 ms\n' +
    ' 2  * * *\n' +
    ' 3  www.example (198.51.100.1) [open]  6.109 ms  6.102 ms  6.096 ms\n';
  const o = decodeTraceroute(open, CTX);
  assert.equal(o.targetName, 'www.example');
  assert.equal(hopsLine(o.hops), '1:3/3[192.0.2.1=0.274,0.219,0.205] 2:3/0[] 3:3/3[198.51.100.1=6.109,6.102,6.096{open}]');
  assert.equal(o.hops[2].responders[0].name, 'www.example');
});

test('malformed traceroute text: each a DecodeError with its own code', () => {
  const cases: [string, string, { target?: string }?][] = [
    ['hello world\n', 'traceroute-bad-line'],
    ['', 'traceroute-no-header'],
    [' 1  192.0.2.1  1 ms\n', 'traceroute-no-header'],
    [H4 + ' 1  192.0.2.1  -0.5 ms\n', 'bad-rtt'],
    [H4 + ' 1  192.0.2.1  9999999 ms\n', 'bad-rtt'],
    [H4 + ' 300  192.0.2.1  1 ms\n', 'bad-ttl'],
    [H4 + ' 0  192.0.2.1  1 ms\n', 'bad-ttl'],
    [H4 + ' 2  192.0.2.1  1 ms\n 1  192.0.2.1  1 ms\n', 'traceroute-hop-order'],
    [H4 + ' 1  0.5 ms\n', 'traceroute-no-responder'],
    [H4 + ' 1  !N\n', 'traceroute-no-responder'],
    [H4 + ' 1  192.0.2.1  abc\n', 'traceroute-bad-token'],
    [H4 + ' 1  192.0.2.1  1.0\n', 'traceroute-bad-token'],
    [H4 + ' 1  host (999.1.1.1)  1 ms\n', 'bad-address'],
    ['traceroute to x (not-an-ip), 30 hops max, 60 byte packets\n', 'bad-address'],
    [H4 + ' 1  192.0.2.1 <MPLS:L=x>  1 ms\n', 'traceroute-bad-mpls'],
    [H4 + ' 1  192.0.2.1 <MPLS:L=1048576,E=0,S=1,T=1>  1 ms\n', 'bad-mpls'],
    [H4 + 'garbage after the hops\n', 'traceroute-bad-line'],
    ['Selected device lo, address nope, port 1 for outgoing packets\n', 'bad-address'],
  ];
  for (const [text, code, ctx] of cases) assertDecodeError(() => decodeTraceroute(text, { ...CTX, ...ctx }), code, JSON.stringify(text.slice(-40)));
});
