import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatPrefix, parsePrefix, prefix as mkPrefix, prefixContains } from '../../src/model/prefix.ts';
import { NONE, PrefixTrie, fromWords, toWords } from '../../src/rib/trie.ts';
import { ip, pfx } from './helpers.ts';

function words(p: { bytes: Uint8Array; len?: number }): Uint32Array {
  const k = new Uint32Array(4);
  toWords(p.bytes, k, p.len ?? p.bytes.length * 8);
  return k;
}

/** A trie holding `prefixes`, value = index in the list. */
function build(family: 4 | 6, prefixes: string[]): PrefixTrie {
  const t = new PrefixTrie(family, 2);
  prefixes.forEach((s, i) => {
    const p = pfx(s);
    t.setValue(t.insert(words(p), p.len), i);
  });
  return t;
}

function name(t: PrefixTrie, node: number): string | undefined {
  if (node === -1) return undefined;
  const k = new Uint32Array(4);
  const len = t.keyOf(node, k);
  return formatPrefix({ family: t.words === 1 ? 4 : 6, len, bytes: fromWords(k, t.words) });
}

test('IPv4 longest-prefix match: /0, overlaps, host routes', () => {
  const t = build(4, ['0.0.0.0/0', '10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.3/32', '192.168.0.0/16', '10.128.0.0/9']);
  const cases: [string, string][] = [
    ['10.1.2.3', '10.1.2.3/32'],
    ['10.1.2.4', '10.1.2.0/24'],
    ['10.1.3.1', '10.1.0.0/16'],
    ['10.2.0.1', '10.0.0.0/8'],
    ['10.200.0.1', '10.128.0.0/9'],
    ['11.0.0.1', '0.0.0.0/0'],
    ['192.168.255.255', '192.168.0.0/16'],
    ['255.255.255.255', '0.0.0.0/0'],
  ];
  for (const [a, want] of cases) assert.equal(name(t, t.longest(words(ip(a)), 32)), want, a);
  // A prefix query: the longest entry covering it.
  assert.equal(name(t, t.longest(words(pfx('10.1.2.128/25')), 25)), '10.1.2.0/24');
  assert.equal(name(t, t.longest(words(pfx('10.1.0.0/16')), 16)), '10.1.0.0/16');
});

test('IPv4 without a default route: no match outside', () => {
  const t = build(4, ['10.0.0.0/8', '10.1.2.3/32']);
  assert.equal(t.longest(words(ip('11.0.0.1')), 32), -1);
  assert.equal(t.longest(words(ip('9.255.255.255')), 32), -1);
  assert.equal(name(t, t.longest(words(ip('10.1.2.3')), 32)), '10.1.2.3/32');
});

test('IPv6 longest-prefix match', () => {
  const t = build(6, ['::/0', '2001:db8::/32', '2001:db8:1::/48', '2001:db8:1::1/128', '2001:db8:8000::/33', 'fe80::/10']);
  const cases: [string, string][] = [
    ['2001:db8:1::1', '2001:db8:1::1/128'],
    ['2001:db8:1::2', '2001:db8:1::/48'],
    ['2001:db8:2::1', '2001:db8::/32'],
    ['2001:db8:8000::1', '2001:db8:8000::/33'],
    ['2001:db9::1', '::/0'],
    ['fe80::1', 'fe80::/10'],
    ['febf:ffff::1', 'fe80::/10'],
    ['fec0::1', '::/0'],
  ];
  for (const [a, want] of cases) assert.equal(name(t, t.longest(words(ip(a)), 128)), want, a);
});

test('exact, covering and covered', () => {
  const list = ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.2.0.0/16', '10.1.2.0/25', '11.0.0.0/8'];
  const t = build(4, list);
  const e = (s: string) => name(t, t.exact(words(pfx(s)), pfx(s).len));
  assert.equal(e('10.1.0.0/16'), '10.1.0.0/16');
  assert.equal(e('10.1.0.0/17'), undefined);
  assert.equal(e('10.0.0.0/7'), undefined);
  assert.deepEqual(
    t.covering(words(pfx('10.1.2.0/25')), 25).map((n) => name(t, n)),
    ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.0/25'],
  );
  const inside = (s: string) => {
    const out: string[] = [];
    t.covered(words(pfx(s)), pfx(s).len, (n) => out.push(name(t, n)!));
    return out;
  };
  assert.deepEqual(inside('10.1.0.0/16'), ['10.1.0.0/16', '10.1.2.0/24', '10.1.2.0/25']);
  assert.deepEqual(inside('10.0.0.0/8'), ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.0/25', '10.2.0.0/16']);
  assert.deepEqual(inside('10.0.0.0/7'), ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '10.1.2.0/25', '10.2.0.0/16', '11.0.0.0/8']);
  assert.deepEqual(inside('10.3.0.0/16'), []);
  assert.deepEqual(inside('0.0.0.0/0').length, list.length);
});

test('removal prunes glue nodes and node ids are reused', () => {
  const list = ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24', '10.0.0.0/16'];
  const t = build(4, list);
  const nodes = t.nodes;
  for (const s of list) t.remove(t.exact(words(pfx(s)), pfx(s).len));
  assert.equal(t.entries, 0);
  assert.equal(t.nodes, 0);
  const used = t.used;
  const again = build(4, list);
  assert.equal(again.nodes, nodes);
  for (const s of list) t.setValue(t.insert(words(pfx(s)), pfx(s).len), 1);
  assert.equal(t.used, used, 'freed nodes are reused, not appended');
  assert.notEqual(t.value(t.exact(words(pfx('10.0.0.0/16')), 16)), NONE);
});

test('property: LPM, exact and removals agree with a linear scan (IPv4 and IPv6)', () => {
  const prefixArb = fc.oneof(
    fc.tuple(fc.constant(4 as const), fc.integer({ min: 0, max: 32 }), fc.uint8Array({ minLength: 4, maxLength: 4 })),
    fc.tuple(fc.constant(6 as const), fc.integer({ min: 0, max: 128 }), fc.uint8Array({ minLength: 16, maxLength: 16 })),
  );
  fc.assert(
    fc.property(fc.array(prefixArb, { maxLength: 60 }), fc.array(fc.nat(), { maxLength: 30 }), fc.array(prefixArb, { maxLength: 20 }), (adds, dels, probes) => {
      const tries = { 4: new PrefixTrie(4, 1), 6: new PrefixTrie(6, 1) };
      const live = new Map<string, ReturnType<typeof mkPrefix>>();
      for (const [fam, len, raw] of adds) {
        const p = mkPrefix(fam, len, raw);
        tries[fam].setValue(tries[fam].insert(words(p), len), 7);
        live.set(formatPrefix(p), p);
      }
      const keys = [...live.keys()];
      for (const d of dels) {
        if (keys.length === 0) break;
        const s = keys.splice(d % keys.length, 1)[0];
        const p = live.get(s)!;
        live.delete(s);
        const t = tries[p.family];
        t.remove(t.exact(words(p), p.len));
      }
      for (const [fam, len, raw] of [...adds, ...probes]) {
        const p = mkPrefix(fam, len, raw);
        const t = tries[fam];
        assert.equal(t.exact(words(p), len) !== -1, live.has(formatPrefix(p)));
        const a = { family: fam, bytes: raw };
        let want: string | undefined;
        let best = -1;
        for (const q of live.values()) {
          if (prefixContains(q, a) && q.len > best) {
            best = q.len;
            want = formatPrefix(q);
          }
        }
        assert.equal(name(t, t.longest(words(a), fam === 4 ? 32 : 128)), want);
      }
      assert.equal(tries[4].entries + tries[6].entries, live.size);
      assert.ok(tries[4].nodes < 2 * tries[4].entries + 1 && tries[6].nodes < 2 * tries[6].entries + 1, 'trie node count should stay below 2 * entries + 1');
    }),
    { numRuns: 300 },
  );
  assert.ok(parsePrefix('::/0'), '::/0 should parse');
});
