// A random sequence of announces, withdraws, peer-downs and compactions leaves the RIB
// equal to a naive Map model, the change stream replays to the same state, and the
// interning tables hold exactly the sets still in use.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { FeedEvent } from '../../src/model/feed-event.ts';
import { formatPrefix, parsePrefix } from '../../src/model/prefix.ts';
import type { RouteChange } from '../../src/model/route-change.ts';
import type { RouteAttributes } from '../../src/model/route-event.ts';
import { Rib } from '../../src/rib/rib.ts';
import { announce, attrs, peer, withdraw } from './helpers.ts';

const PEERS = [peer('192.0.2.1', 65001), peer('192.0.2.2', 65002), peer('2001:db8::3', 65003)];
const PREFIXES = ['0.0.0.0/0', '10.0.0.0/8', '10.0.0.0/24', '10.0.1.0/24', '10.0.0.1/32', '2001:db8::/32', '2001:db8::/48', '::/0'];
const ATTRS: RouteAttributes[] = [
  attrs([1, 2]),
  attrs([1, 3]),
  attrs([1, 2], { med: 5 }),
  attrs([1, 2], { communities: ['1:1'] }),
  attrs([1, [2, 3]], { localPref: 50 }),
];

type Op =
  | { op: 'a'; p: number; x: number; a: number; id: number | undefined; shared: boolean }
  | { op: 'w'; p: number; x: number; id: number | undefined }
  | { op: 'down'; p: number }
  | { op: 'compact' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({
        op: fc.constant('a' as const),
        p: fc.nat(2),
        x: fc.nat(7),
        a: fc.nat(4),
        id: fc.option(fc.nat(1), { nil: undefined }),
        // The same object again (as one UPDATE's prefixes share it: the identity cache), or a copy.
        shared: fc.boolean(),
      }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('w' as const), p: fc.nat(2), x: fc.nat(7), id: fc.option(fc.nat(1), { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('down' as const), p: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('compact' as const) }) },
);

const key = (p: number, prefix: string, id: number | undefined) => `${p}|${prefix}|${id ?? '-'}`;

test('property: the RIB equals a naive Map model after any event sequence', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => {
      const rib = new Rib();
      const model = new Map<string, number>(); // key -> ATTRS index
      const replay = new Map<string, RouteAttributes>(); // rebuilt from the change stream only
      const sink = (c: RouteChange) => {
        const p = PEERS.findIndex((q) => q.asn === c.peer.asn);
        const k = key(p, formatPrefix(c.prefix), c.pathId);
        if (c.kind === 'withdraw') {
          assert.ok(replay.has(k), 'withdraw of a route the stream never announced');
          replay.delete(k);
        } else {
          assert.equal(replay.has(k), c.kind !== 'new');
          replay.set(k, c.after!);
        }
      };
      for (const o of ops) {
        let ev: FeedEvent | undefined;
        if (o.op === 'a') {
          const k = key(o.p, PREFIXES[o.x], o.id);
          const changed = model.get(k) !== o.a;
          model.set(k, o.a);
          ev = announce(PEERS[o.p], PREFIXES[o.x], o.shared ? ATTRS[o.a] : { ...ATTRS[o.a] }, { pathId: o.id });
          assert.equal(rib.apply(ev, sink), changed ? 1 : 0);
        } else if (o.op === 'w') {
          const k = key(o.p, PREFIXES[o.x], o.id);
          const had = model.delete(k);
          assert.equal(rib.apply(withdraw(PEERS[o.p], PREFIXES[o.x], { pathId: o.id }), sink), had ? 1 : 0);
        } else if (o.op === 'down') {
          let n = 0;
          for (const k of [...model.keys()]) if (k.startsWith(`${o.p}|`)) n += model.delete(k) ? 1 : 0;
          const cs = rib.changes({ kind: 'peer-down', source: 'bmp', router: 'r1', peer: PEERS[o.p], reason: 'x', time: 1 });
          cs.forEach(sink);
          assert.equal(cs.length, n);
        } else rib.compact();
      }
      const got = new Map<string, RouteAttributes>();
      for (const prefix of PREFIXES) {
        for (const r of rib.routes(parsePrefix(prefix)!)) got.set(key(PEERS.findIndex((q) => q.asn === r.peer.asn), prefix, r.pathId), r.attrs);
      }
      assert.deepEqual(got, new Map([...model].map(([k, i]) => [k, ATTRS[i]])));
      assert.deepEqual(replay, got);
      assert.equal(rib.stats().routes, model.size);
      assert.equal(rib.stats().attributeSets, new Set(model.values()).size);
      const prefixes = new Set([...model.keys()].map((k) => k.split('|')[1]));
      assert.equal(rib.stats().prefixes.v4 + rib.stats().prefixes.v6, prefixes.size);
    }),
    { numRuns: 400 },
  );
});
