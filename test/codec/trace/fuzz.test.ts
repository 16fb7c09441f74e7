// Property tests: whatever text goes in, each trace decoder either returns traces that
// keep the model's invariants or throws a DecodeError of layer 'trace' — never another
// exception. Seeds are small built-in outputs plus the lab samples and shared fixtures
// where present, mutated at the text level (cuts, insertions, token swaps) and, for the
// JSON formats, structurally (a node replaced by a hostile value). Then size: decoding
// time grows linearly with the input (a 10,000-target cycle, regex-hostile lines),
// checked as a ratio between two sizes rather than a wall-clock limit.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { isDecodeError } from '../../../src/codec/errors.ts';
import { decodeAtlasResults, decodeMtrJson, decodeMtrRaw, decodeScamperJson, decodeTracerouteTexts } from '../../../src/codec/trace/index.ts';
import { formatAddress, parseAddress } from '../../../src/model/address.ts';
import { type Trace, traceToJson } from '../../../src/model/trace.ts';
import { sharedFixtures } from '../../helpers/requirements.ts';
import { labSamples } from './util.ts';

const CTX = { start: 1_700_000_000_000, target: '198.51.100.1' };

function checkTrace(tr: Trace): void {
  assert.ok(Number.isFinite(tr.start) && Number.isFinite(tr.end), `trace start/end not finite: ${tr.start}..${tr.end}`);
  assert.equal(typeof tr.reached, 'boolean');
  let prev = 0;
  for (const h of tr.hops) {
    assert.ok(Number.isInteger(h.ttl) && h.ttl > prev && h.ttl <= 255, `ttl ${h.ttl}`);
    prev = h.ttl;
    let rec = 0;
    for (const r of h.responders) {
      assert.ok(Number.isInteger(r.received) && r.received >= 0, `received count ${r.received} is not a non-negative integer`);
      assert.ok(r.rtts.every((v) => Number.isFinite(v) && v >= 0), `RTTs must be finite and >= 0: ${r.rtts.join(', ')}`);
      assert.ok(r.rtts.length <= r.received, `${r.rtts.length} RTTs but only ${r.received} replies received`);
      if (!(r.flags ?? []).includes('name')) {
        const a = parseAddress(r.address);
        assert.ok(a && formatAddress(a) === r.address, `canonical address ${r.address}`);
      }
      rec += r.received;
    }
    assert.equal(h.received, rec);
    assert.ok(Number.isInteger(h.sent) && h.sent >= rec, `sent ${h.sent} >= received ${rec}`);
  }
  const j = traceToJson(tr);
  assert.deepEqual(JSON.parse(JSON.stringify(j)), j);
}

type Decoder = (text: string) => Trace[];
const DECODERS: Record<string, Decoder> = {
  traceroute: (s) => decodeTracerouteTexts(s, CTX),
  mtrJson: (s) => [decodeMtrJson(s, CTX)],
  mtrRaw: (s) => [decodeMtrRaw(s, CTX)],
  scamper: (s) => decodeScamperJson(s).traces,
  atlas: (s) => decodeAtlasResults(s),
};

function run(name: string, text: string): void {
  let out: Trace[];
  try {
    out = DECODERS[name](text);
  } catch (e) {
    assert.ok(isDecodeError(e), `${name}: not a DecodeError: ${String(e)} for ${JSON.stringify(text.slice(0, 200))}`);
    assert.equal(e.layer, 'trace');
    return;
  }
  for (const tr of out) checkTrace(tr);
}

const read = (dir: string, files: string[]) => files.map((f) => join(dir, f)).filter(existsSync).map((p) => readFileSync(p, 'utf8'));
const SEEDS: Record<string, string[]> = {
  traceroute: [
    'traceroute to 198.51.100.1 (198.51.100.1), 30 hops max, 60 byte packets\n 1  gw (192.0.2.1)  0.2 ms !N * 10.0.0.1 <MPLS:L=1,E=0,S=1,T=1>  1 ms\n 2  * * *\n 3  198.51.100.1 [open]  6 ms\n',
    ...read(labSamples, ['base.traceroute.txt', 'ecmp.traceroute.txt', 'withdraw.traceroute.txt', 'base.traceroute6.txt']),
  ],
  mtrJson: [
    '{"report":{"mtr":{"dst":"198.51.100.1","tests":"2","tos":"0x0"},"hubs":[{"count":"1","host":"a (192.0.2.1)","ASN":"AS1","Loss%":50,"Snt":2,"Last":1,"Avg":1,"Best":1,"Wrst":1,"StDev":0},{"count":2,"host":"???","Loss%":100,"Snt":2,"Last":0,"Avg":0,"Best":0,"Wrst":0,"StDev":0}]}}',
    ...read(labSamples, ['base.mtr.json', 'ratelimit.mtr.json']),
    ...read(join(sharedFixtures, 'mtr-generated-local'), ['mtr0.95_icmp_v6_4hops.json']),
  ],
  mtrRaw: ['x 0 1\nh 0 192.0.2.1\nd 0 gw\nm 0 16 0 1 1\np 0 100 1\nx 1 2\nh 1 198.51.100.1\np 1 200 2\np 1 200 2\nt 0 0 0\n'],
  scamper: read(join(sharedFixtures, 'warts'), ['trace_google_dns_v4_default.sc_warts2json-20211212.json', 'trace_google_dns_v6_default.sc_warts2json-20211212.json'])
    .concat(read(labSamples, ['base.scamper.json']))
    .concat(['{"type":"trace","method":"tcp","dst":"198.51.100.1","start":{"sec":1,"usec":2},"hop_count":2,"hops":[{"addr":"192.0.2.1","probe_ttl":1,"probe_id":1,"rtt":1,"icmp_type":3,"icmp_code":13,"icmpext":[{"ie_cn":1,"ie_ct":1,"ie_dl":4,"mpls_labels":[{"mpls_ttl":1,"mpls_s":1,"mpls_exp":0,"mpls_label":16}]}]},{"addr":"192.0.2.1","probe_ttl":1,"probe_id":1,"rtt":1,"tcp_flags":18}]}']),
  atlas: read(sharedFixtures, ['ripe-atlas-sagan/traceroute-results.sagan-tests.jsonl', 'ripe-atlas-tools/traceroute-results.msm3606560.json'])
    .concat(['{"type":"traceroute","dst_addr":"198.51.100.1","timestamp":1,"endtime":2,"proto":"UDP","result":[{"hop":1,"result":[{"x":"*"},{"from":"192.0.2.1","rtt":1,"err":"N","ittl":2,"icmpext":{"obj":[{"class":1,"type":1,"mpls":[{"label":1,"exp":0,"s":1,"ttl":1}]}]}},{"from":"192.0.2.1","late":2}]},{"hop":255,"result":[{"from":"198.51.100.1","rtt":2,"dup":true}]}]}']),
};

const TOKENS = ['constructor', 'toString', '__proto__', '*', '!N', '!F-1500', 'ms', '-1', '1e400', '9999999999', '256', '0', '(', ')', '(192.0.2.1)', '::', '<MPLS:L=1,E=9,S=1,T=1>', '[AS]', 'NaN', '"', '{', '}', '[', ']', ',', ':', 'null', '\n', ' ', 'x', 'h', 'p', '300.1.1.1', 'fe80::1%eth0'];
const HOSTILE: unknown[] = ['constructor', 'toString', '__proto__', null, -1, 0, 1e308, -1e308, 2 ** 53, 1.5, '', 'x', '???', '0x0', '192.0.2.300', '::1', [], {}, [null], { x: '*' }, true, 'AS99999999999'];

/** Replaces the node reached by `path` (indices into keys/elements, taken modulo) with `value`. */
function replaceAt(node: unknown, path: number[], value: unknown): unknown {
  if (path.length === 0 || typeof node !== 'object' || node === null) return value;
  const keys = Object.keys(node);
  if (keys.length === 0) return value;
  const key = keys[path[0] % keys.length];
  const copy = (Array.isArray(node) ? [...node] : { ...node }) as Record<string, unknown>;
  copy[key] = replaceAt(copy[key], path.slice(1), value);
  return copy;
}

for (const name of Object.keys(DECODERS)) {
  test(`${name}: random text only ever gives traces or DecodeError`, () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => run(name, s)), { numRuns: 500 });
    fc.assert(fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }), (ts) => run(name, ts.join(' '))), { numRuns: 500 });
  });

  test(`${name}: cut, spliced and token-swapped real outputs only ever give traces or DecodeError`, () => {
    const seeds = SEEDS[name];
    assert.ok(seeds.length > 0, 'no seed samples to fuzz from');
    for (const s of seeds) run(name, s);
    const seed = fc.constantFrom(...seeds);
    fc.assert(fc.property(seed, fc.nat(), (s, n) => run(name, s.slice(0, n % (s.length + 1)))), { numRuns: 400 });
    fc.assert(
      fc.property(seed, fc.nat(), fc.constantFrom(...TOKENS), (s, n, tok) => {
        const at = n % (s.length + 1);
        run(name, s.slice(0, at) + tok + s.slice(at));
      }),
      { numRuns: 800 },
    );
    fc.assert(
      fc.property(seed, fc.nat(), fc.constantFrom(...TOKENS), (s, n, tok) => {
        const parts = s.split(' ');
        parts[n % parts.length] = tok;
        run(name, parts.join(' '));
      }),
      { numRuns: 800 },
    );
  });
}

for (const name of ['mtrJson', 'scamper', 'atlas']) {
  test(`${name}: JSON with one node replaced by a hostile value only ever gives traces or DecodeError`, () => {
    // mtr prints one pretty-printed document; scamper and Atlas one object per line.
    const texts = name === 'mtrJson' ? SEEDS[name] : SEEDS[name].flatMap((s) => s.split('\n')).filter((l) => l.trim() !== '');
    const docs = texts.map((l) => JSON.parse(l) as unknown);
    fc.assert(
      fc.property(fc.constantFrom(...docs), fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), fc.oneof(fc.constantFrom(...HOSTILE), fc.jsonValue({ maxDepth: 2 })), (doc, path, v) => {
        run(name, JSON.stringify(replaceAt(doc, path, v)));
      }),
      { numRuns: 1500 },
    );
  });
}

/** The least of up to `reps` wall-clock timings of `f`, in ms (the run the machine's load
 * disturbed least); stops early once one is under `enough`. */
function fastest(f: () => void, reps: number, enough = 0): number {
  let best = Infinity;
  for (let i = 0; i < reps && best >= enough; i++) {
    const t0 = performance.now();
    f();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/**
 * Asserts that `decode` does linear work: input n against 4n, the larger may take less
 * than 10x the smaller (linear is ~4x, quadratic ~16x, catastrophic regex backtracking
 * far more). A ratio, not a time limit, so a slow or loaded machine does not matter; the
 * least of `reps` runs shrugs off GC and scheduling spikes, and times under `floorMs`
 * count as `floorMs` so that sub-millisecond jitter cannot make a ratio.
 */
function assertLinear(what: string, input: (n: number) => string, decode: (text: string, n: number) => void, n: number, reps: number, floorMs: number): void {
  const small = input(n);
  const large = input(4 * n);
  const smallMs = fastest(() => decode(small, n), reps);
  const largeMs = fastest(() => decode(large, 4 * n), reps, 10 * Math.max(smallMs, floorMs));
  assert.ok(
    largeMs < 10 * Math.max(smallMs, floorMs),
    `${what}: size ${4 * n} took ${largeMs.toFixed(2)} ms, size ${n} ${smallMs.toFixed(2)} ms (x${(largeMs / Math.max(smallMs, 0.001)).toFixed(1)}; linear is ~x4, quadratic ~x16, the limit x10)`,
  );
}

test('size: decoding time grows linearly - a 2,500 against a 10,000-target cycle; regex-hostile lines of 25 k against 100 k characters', () => {
  const hop = (t: number) => `{"addr":"10.0.${t}.1","probe_ttl":${t},"probe_id":1,"probe_size":44,"tx":{"sec":1700000000,"usec":${t}},"rtt":${t}.5,"reply_ttl":60,"icmp_type":11,"icmp_code":0}`;
  const line = (i: number) =>
    `{"type":"trace","version":"0.1","method":"icmp-echo-paris","src":"192.0.2.10","dst":"198.51.${i >> 8}.${i & 255}","stop_reason":"GAPLIMIT","start":{"sec":1700000000,"usec":0},"hop_count":15,"attempts":2,"firsthop":1,"probe_count":20,"hops":[${Array.from({ length: 10 }, (_, t) => hop(t + 1)).join(',')}]}`;
  assertLinear(
    'scamper JSON cycle',
    (n) => Array.from({ length: n }, (_, i) => line(i)).join('\n'),
    (text, n) => {
      const { traces } = decodeScamperJson(text);
      assert.equal(traces.length, n);
      assert.equal(traces[n - 1].hops.length, 15);
    },
    2_500,
    3,
    5,
  );
  const one = 'traceroute to 198.51.100.1 (198.51.100.1), 30 hops max, 60 byte packets\n' + Array.from({ length: 15 }, (_, t) => ` ${t + 1}  10.0.${t}.1  1.000 ms  1.100 ms  1.200 ms`).join('\n') + '\n';
  assertLinear('traceroute text cycle', (n) => one.repeat(n), (text, n) => assert.equal(decodeTracerouteTexts(text, CTX).length, n), 2_500, 3, 5);
  // Inputs that make backtracking regexes blow up: long runs of digits, spaces, parens.
  const hostile: Array<[string, string, (n: number) => string]> = [
    ['traceroute', 'digits', (n) => ' 1  ' + '9'.repeat(n)],
    ['traceroute', 'spaces', (n) => ' 1 ' + ' '.repeat(n) + '!'],
    ['traceroute', 'open parens', (n) => 'traceroute to ' + '('.repeat(n)],
    ['traceroute', 'nested parens', (n) => ' 1  x ' + '('.repeat(n / 2) + ')'.repeat(n / 2)],
    ['traceroute', 'words', (n) => 'Tracing the path to ' + 'a '.repeat(n / 2)],
    ['mtrRaw', 'digits', (n) => 'p 0 ' + '1'.repeat(n) + ' 1'],
    ['mtrRaw', 'colons', (n) => 'h 0 ' + ':'.repeat(n)],
  ];
  for (const [name, what, input] of hostile) assertLinear(`${name}: hostile ${what}`, input, (text) => run(name, text), 25_000, 5, 2);
});
