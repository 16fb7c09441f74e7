// scamper JSON: real warts converted by sc_warts2json (cross-checked against the
// sc_wartsdump text next to them), scamper runs in a throw-away netns, and the lab's
// outputs (including Paris ECMP). Then synthetic shapes for what those lack (MPLS
// extensions, duplicates, TCP replies, PTB), then malformed input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeScamperJson } from '../../../src/codec/trace/index.ts';
import type { Trace } from '../../../src/model/trace.ts';
import { assertDecodeError, headLine, hopsLine, needFixtureText, needLabSample } from './util.ts';

const sentSum = (tr: Trace) => tr.hops.reduce((n, h) => n + h.sent, 0);

/** Replies as sc_wartsdump prints them: ttl, address, rtt (ms), icmp type/code. */
function wartsDumpReplies(text: string): { src: string; dst: string; replies: [number, string, number, number, number][] } {
  const head = /^traceroute from (\S+) to (\S+)$/m.exec(text)!;
  const replies: [number, string, number, number, number][] = [];
  const re = /^hop\s+(\d+)\s+(\S+)\n attempt: \d+, tx: [\d.]+s, rtt: ([\d.]+)s.*\n.*\n icmp-type: (\d+), icmp-code: (\d+)/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) replies.push([Number(m[1]), m[2], Math.round(Number(m[3]) * 1e6) / 1e3, Number(m[4]), Number(m[5])]);
  return { src: head[1], dst: head[2], replies };
}

test('fixtures: real UDP-Paris traces to Google DNS (v4, v6) agree with their sc_wartsdump text', (t) => {
  const cases: [string, string, string][] = [
    ['v4', 'scamper udp-paris 8.8.8.8 reached=true stop=completed hops=7',
      '1:1/1[137.194.164.254=1.057] 2:1/1[137.194.22.119=0.955] 3:1/1[212.73.200.45=1.443] 4:1/1[4.69.133.238=1.556] 5:1/1[4.68.71.138=1.507] 6:2/0[] 7:1/1[8.8.8.8=1.969]'],
    ['v6', 'scamper udp-paris 2001:4860:4860::8888 reached=true stop=completed hops=7',
      '1:1/1[2001:660:330f:a4::ff=4.494] 2:1/1[2a04:8ec0:0:a::1:119=1.154] 3:2/0[] 4:1/1[2001:1900:2::3:18=9.803] 5:1/1[2001:1900:5:3::532=2.227] 6:1/1[2a00:1450:8130::1=2.018] 7:1/1[2001:4860:4860::8888=1.886]'],
  ];
  for (const [af, head, hops] of cases) {
    const json = needFixtureText(t, `warts/trace_google_dns_${af}_default.sc_warts2json-20211212.json`);
    const dump = needFixtureText(t, `warts/trace_google_dns_${af}_default.txt`);
    if (json === undefined || dump === undefined) return;
    const { traces, skipped } = decodeScamperJson(json);
    assert.deepEqual(skipped, []);
    assert.equal(traces.length, 1);
    const tr = traces[0];
    assert.equal(headLine(tr), head, af);
    assert.equal(hopsLine(tr.hops), hops, af);
    assert.equal(sentSum(tr), tr.meta?.probeCount, `${af}: per-hop probes add up to probe_count`);
    const w = wartsDumpReplies(dump);
    assert.equal(tr.source, w.src);
    assert.equal(tr.target, w.dst);
    const fromJson = tr.hops.flatMap((h) => h.responders.map((r) => [h.ttl, r.address, r.rtts[0], r.icmpType, r.icmpCode]));
    assert.deepEqual(fromJson, w.replies, `${af}: JSON and sc_wartsdump agree`);
  }
  const v4 = decodeScamperJson(needFixtureText(t, 'warts/trace_google_dns_v4_default.sc_warts2json-20211212.json')!).traces[0];
  assert.equal(v4.start, 1644327319811.234);
  assert.equal(v4.end, 1644327330079.158 + 1.969, 'end: the last reply (tx + rtt)');
  assert.deepEqual(v4.meta, { scamperMethod: 'udp-paris', probeCount: 8, attempts: 2, sport: 57352, dport: 33435 });
  assert.equal(v4.hops[6].responders[0].replyTtl, 118);
  assert.equal(v4.hops[6].responders[0].flags, undefined, 'port unreachable from the destination is no annotation');
});

test('fixtures: tracelb and ping objects are skipped and reported; warts binary is not JSON', (t) => {
  const lb = needFixtureText(t, 'warts/tracelb_google_dns_v4_default.sc_warts2json-20211212.json');
  const ping = needFixtureText(t, 'scamper-generated-local/scamper20211212_ping_v4.json');
  const warts = needFixtureText(t, 'scamper-generated-local/scamper20211212_trace_udp-paris_v6.warts');
  if (lb === undefined || ping === undefined || warts === undefined) return;
  assert.deepEqual(decodeScamperJson(lb), { traces: [], skipped: [{ type: 'tracelb', offset: lb.indexOf('{"type":"tracelb"') }] });
  assert.deepEqual(decodeScamperJson(ping).skipped.map((s) => s.type), ['ping']);
  assertDecodeError(() => decodeScamperJson(warts), 'not-json', 'warts binary');
});

test('fixtures: scamper in a netns — ICMP-Paris with a rate-limited hop, and a gap-limited unreachable', (t) => {
  const ok = needFixtureText(t, 'scamper-generated-local/scamper20211212_trace_icmp-paris_v4.json');
  const un = needFixtureText(t, 'scamper-generated-local/scamper20211212_trace_icmp-paris_v4_unreachable.json');
  if (ok === undefined || un === undefined) return;
  const a = decodeScamperJson(ok).traces[0];
  assert.equal(headLine(a), 'scamper icmp-paris 198.51.100.14 reached=true stop=completed hops=4');
  assert.equal(hopsLine(a.hops), '1:1/1[198.51.100.2=0.055] 2:1/1[198.51.100.6=0.079] 3:2/0[] 4:1/1[198.51.100.14=0.094]');
  assert.equal(sentSum(a), 5);
  assert.equal(a.meta?.probeCount, 5);
  const b = decodeScamperJson(un).traces[0];
  assert.equal(headLine(b), 'scamper icmp-paris 203.0.113.7 reached=false stop=gaplimit hops=5');
  assert.equal(hopsLine(b.hops), '1:1/1[198.51.100.2=0.063] 2:1/1[198.51.100.6=0.065] 3:1/0[] 4:1/0[] 5:1/0[]');
  assert.equal(sentSum(b), b.meta?.probeCount);
});

test('lab: base/flap/restored v4+v6 paths; Paris ECMP — the UDP source port picks the path, and keeps it', (t) => {
  const paths: [string, string[][]][] = [
    ['base.scamper.json', [['192.0.2.1', '10.77.12.2', '10.77.24.2', '198.51.100.1'], ['2001:db8:1::1', 'fd77:12::2', 'fd77:24::2', '2001:db8:100::1']]],
    ['flap.scamper.json', [['192.0.2.1', '10.77.13.2', '10.77.34.2', '198.51.100.1'], ['2001:db8:1::1', 'fd77:13::2', 'fd77:34::2', '2001:db8:100::1']]],
    ['restored.scamper.json', [['192.0.2.1', '10.77.12.2', '10.77.24.2', '198.51.100.1'], ['2001:db8:1::1', 'fd77:12::2', 'fd77:24::2', '2001:db8:100::1']]],
  ];
  for (const [name, want] of paths) {
    const text = needLabSample(t, name);
    if (text === undefined) return;
    const { traces } = decodeScamperJson(text);
    assert.deepEqual(traces.map((tr) => tr.hops.map((h) => h.responders[0].address)), want, name);
    assert.ok(traces.every((tr) => tr.reached && tr.stopReason === 'completed' && tr.method === 'icmp-paris'), name);
  }
  const base = decodeScamperJson(needLabSample(t, 'base.scamper.json')!).traces;
  assert.deepEqual(base[1].hops.map((h) => [h.responders[0].icmpType, h.responders[0].rtts[0]]), [[3, 0.062], [3, 3.041], [3, 5.856], [129, 5.889]]);
  const udp = needLabSample(t, 'ecmp.udp-paris.json');
  const icmp = needLabSample(t, 'ecmp.icmp-paris.json');
  if (udp === undefined || icmp === undefined) return;
  const u = decodeScamperJson(udp).traces;
  assert.equal(u.length, 16);
  const bySport = new Map<number, Set<string>>();
  for (const tr of u) {
    assert.equal(headLine(tr), 'scamper udp-paris 198.51.100.1 reached=false stop=hoplimit hops=2');
    const sport = tr.meta!.sport as number;
    if (!bySport.has(sport)) bySport.set(sport, new Set());
    bySport.get(sport)!.add(tr.hops[1].responders[0].address);
  }
  assert.deepEqual([...bySport].map(([p, s]) => `${p}:${[...s].join('|')}`).sort(), [
    '40000:10.77.13.2', '40001:10.77.13.2', '40002:10.77.12.2', '40003:10.77.12.2',
    '40004:10.77.13.2', '40005:10.77.13.2', '40006:10.77.12.2', '40007:10.77.12.2',
  ]);
  const i = decodeScamperJson(icmp).traces;
  assert.deepEqual(i.map((tr) => `${tr.meta!.icmpSum} ${hopsLine(tr.hops)}`), [
    '51039 1:1/1[192.0.2.1=0.062] 2:1/1[10.77.12.2=2.972]',
    '51041 1:1/1[192.0.2.1=0.052] 2:1/1[10.77.12.2=2.949]',
    '51043 1:1/1[192.0.2.1=0.043] 2:1/1[10.77.12.2=2.853]',
  ]);
});

const HEAD = { type: 'trace', version: '0.1', method: 'udp-paris', src: '192.0.2.10', dst: '198.51.100.1', sport: 40000, dport: 33435, stop_reason: 'UNREACH', stop_data: 0, start: { sec: 1700000000, usec: 500000 }, hop_count: 3, attempts: 2, firsthop: 1, probe_count: 5 };
const reply = (ttl: number, id: number, addr: string, rtt: number, extra: Record<string, unknown> = {}) => ({ addr, probe_ttl: ttl, probe_id: id, probe_size: 44, tx: { sec: 1700000000, usec: 600000 + ttl * 1000 }, rtt, reply_ttl: 250, icmp_type: 11, icmp_code: 0, icmp_q_ttl: 1, ...extra });

test('shapes: MPLS icmpext, a second attempt, duplicates, ICMP unreachable, PTB key "icmp_nhmtu:", TCP replies', () => {
  const mpls = [{ ie_cn: 1, ie_ct: 1, ie_dl: 8, mpls_labels: [{ mpls_ttl: 1, mpls_s: 0, mpls_exp: 0, mpls_label: 24008 }, { mpls_ttl: 1, mpls_s: 1, mpls_exp: 0, mpls_label: 16 }] }];
  const doc = {
    ...HEAD,
    hops: [
      reply(1, 1, '192.0.2.1', 0.5, { icmpext: mpls, icmp_q_ttl: 2 }),
      reply(2, 2, '10.0.0.2', 3.0), // the first attempt at ttl 2 was lost
      reply(2, 2, '10.0.0.2', 3.5), // the same probe answered twice
      reply(3, 1, '10.0.0.3', 4.0, { icmp_type: 3, icmp_code: 13 }),
    ],
  };
  const [tr] = decodeScamperJson(JSON.stringify(doc)).traces;
  assert.equal(headLine(tr), 'scamper udp-paris 198.51.100.1 reached=false stop=unreachable hops=3');
  assert.equal(hopsLine(tr.hops), '1:1/1[192.0.2.1=0.5] 2:2/1[10.0.0.2=3{dup}] 3:1/1[10.0.0.3=4{!X}]');
  assert.deepEqual(tr.hops[0].responders[0].mpls, [{ label: 24008, exp: 0, s: 0, ttl: 1 }, { label: 16, exp: 0, s: 1, ttl: 1 }]);
  assert.equal(tr.hops[0].responders[0].quotedTtl, 2);
  const ptb = { ...HEAD, dst: '2001:db8::1', src: '2001:db8::2', hops: [reply(1, 1, '2001:db8::ff', 1, { icmp_type: 2, icmp_code: 0, 'icmp_nhmtu:': 1280 }), reply(2, 1, '2001:db8::fe', 1, { icmp_type: 1, icmp_code: 3 })] };
  assert.equal(hopsLine(decodeScamperJson(JSON.stringify(ptb)).traces[0].hops), '1:1/1[2001:db8::ff=1{!F-1280}] 2:1/1[2001:db8::fe=1{!H}] 3:2/0[]');
  const tcp = { ...HEAD, method: 'tcp', stop_reason: 'COMPLETED', hop_count: 2, hops: [reply(1, 1, '192.0.2.1', 1), { addr: '198.51.100.1', probe_ttl: 2, probe_id: 1, rtt: 2, reply_ttl: 60, tcp_flags: 18 }] };
  const t2 = decodeScamperJson(JSON.stringify(tcp)).traces[0];
  assert.equal(hopsLine(t2.hops), '1:1/1[192.0.2.1=1] 2:1/1[198.51.100.1=2{open}]');
  assert.equal(t2.method, 'tcp');
  const rst = { ...tcp, hops: [{ addr: '198.51.100.1', probe_ttl: 1, probe_id: 1, rtt: 2, tcp_flags: 20 }] };
  assert.deepEqual(decodeScamperJson(JSON.stringify(rst)).traces[0].hops[0].responders[0].flags, ['closed']);
  // Nothing answered: scamper prints no "hops" key at all.
  const none = { ...HEAD, stop_reason: 'GAPLIMIT', hop_count: 3, attempts: 1 };
  assert.equal(hopsLine(decodeScamperJson(JSON.stringify([none])).traces[0].hops), '1:1/0[] 2:1/0[] 3:1/0[]');
  assert.equal(decodeScamperJson(JSON.stringify({ ...none, method: 'icmp-echo', stop_reason: 'SOMETHING-NEW' })).traces[0].stopReason, 'something-new');
  assert.equal(decodeScamperJson(JSON.stringify({ ...none, method: 'constructor' })).traces[0].method, 'unknown', 'no prototype lookups');
});

test('malformed scamper JSON: each a DecodeError with its own code', () => {
  const j = (o: Record<string, unknown>) => JSON.stringify({ ...HEAD, ...o });
  const cases: [string, string][] = [
    ['', 'empty'],
    ['garbage', 'not-json'],
    [j({}).slice(0, 60), 'not-json'],
    ['42', 'bad-shape'],
    ['{"no":"type"}', 'bad-shape'],
    [j({ dst: 'example.com' }), 'bad-address'],
    [j({ dst: undefined }), 'bad-shape'],
    [j({ method: 7 }), 'bad-shape'],
    [j({ start: { sec: -5, usec: 0 } }), 'bad-time'],
    [j({ start: { sec: 1e12, usec: 0 } }), 'bad-time'],
    [j({ start: { sec: 1, usec: 2e6 } }), 'bad-time'],
    [j({ hop_count: 2e6 }), 'bad-count'],
    [j({ hop_count: 300 }), 'bad-ttl'],
    [j({ hops: {} }), 'bad-shape'],
    [j({ hops: [reply(0, 1, '192.0.2.1', 1)] }), 'bad-ttl'],
    [j({ hops: [reply(256, 1, '192.0.2.1', 1)] }), 'bad-ttl'],
    [j({ hops: [reply(1, 1, '192.0.2.1', -0.1)] }), 'bad-rtt'],
    [j({ hops: [reply(1, 1, '192.0.2.1', 1e9)] }), 'bad-rtt'],
    [j({ hops: [reply(1, 1, '192.0.2.300', 1)] }), 'bad-address'],
    [j({ hops: [reply(1, -1, '192.0.2.1', 1)] }), 'bad-count'],
    [j({ hops: [reply(1, 1, '192.0.2.1', 1, { icmpext: [{ mpls_labels: [{ mpls_label: 1 << 21, mpls_exp: 0, mpls_s: 1, mpls_ttl: 1 }] }] })] }), 'bad-mpls'],
    [j({ hops: [reply(1, 1, '192.0.2.1', 1, { icmpext: 'x' })] }), 'bad-shape'],
  ];
  for (const [text, code] of cases) assertDecodeError(() => decodeScamperJson(text), code, text.slice(0, 60));
});
