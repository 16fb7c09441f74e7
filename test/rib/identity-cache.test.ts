// The attribute interning's identity cache (attr-intern.ts): one RouteAttributes object
// handed over for many prefixes is interned once, and the cache never maps an object to a
// set that was freed (its id reused) or to content the object no longer has.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RouteAttributes } from '../../src/model/route-event.ts';
import { Rib } from '../../src/rib/rib.ts';
import { announce, attrs, ip, peer, pfx, withdraw } from './helpers.ts';

const P1 = peer('192.0.2.1', 65001);
const P2 = peer('192.0.2.2', 65002);
type Mutable = { -readonly [K in keyof RouteAttributes]: RouteAttributes[K] };

test('one shared object for many prefixes: one set, counted per route, freed with the last', () => {
  const rib = new Rib();
  const a = attrs([65001, 64500], { communities: ['65001:1'] });
  for (let i = 0; i < 50; i++) assert.equal(rib.apply(announce(P1, `10.0.${i}.0/24`, a)), 1);
  assert.equal(rib.stats().attributeSets, 1);
  const id = 0;
  assert.equal(rib.attrs.refs(id), 50);
  // Duplicates through the cache change nothing and keep the count.
  for (let i = 0; i < 50; i++) assert.equal(rib.apply(announce(P1, `10.0.${i}.0/24`, a)), 0);
  assert.equal(rib.attrs.refs(id), 50);
  for (let i = 0; i < 50; i++) assert.equal(rib.apply(withdraw(P1, `10.0.${i}.0/24`)), 1);
  assert.equal(rib.stats().attributeSets, 0);
  // Announced again after its set was freed: interned afresh, content intact.
  rib.apply(announce(P1, '10.1.0.0/24', a));
  assert.deepEqual(rib.routes(pfx('10.1.0.0/24'))[0].attrs, a);
  assert.equal(rib.stats().attributeSets, 1);
});

test('a freed set id reused by other content is not reached through the cached object', () => {
  const rib = new Rib();
  const x = attrs([65001, 64500]);
  const y = attrs([65001, 3356, 64501], { med: 7 });
  rib.apply(announce(P1, '10.0.0.0/24', x));
  rib.apply(withdraw(P1, '10.0.0.0/24')); // x's set freed
  rib.apply(announce(P1, '10.0.1.0/24', y)); // takes the freed id
  rib.apply(announce(P1, '10.0.2.0/24', x)); // must not hit the stale entry
  assert.deepEqual(rib.routes(pfx('10.0.1.0/24'))[0].attrs, y);
  assert.deepEqual(rib.routes(pfx('10.0.2.0/24'))[0].attrs, x);
  assert.equal(rib.stats().attributeSets, 2);
});

test('more objects in rotation than cache entries, interleaved peers: every route keeps its own content', () => {
  const rib = new Rib();
  const objs = Array.from({ length: 13 }, (_, k) => attrs([65001, 64500 + k], { communities: [`65001:${k}`] }));
  for (let i = 0; i < 200; i++) {
    const k = (i * 7) % objs.length;
    rib.apply(announce(i % 2 === 0 ? P1 : P2, `10.${k}.${i}.0/24`, objs[k]));
  }
  for (let i = 0; i < 200; i++) {
    const k = (i * 7) % objs.length;
    const r = rib.routes(pfx(`10.${k}.${i}.0/24`));
    assert.equal(r.length, 1);
    assert.deepEqual(r[0].attrs, objs[k]);
  }
  assert.equal(rib.stats().attributeSets, objs.length);
  let refs = 0;
  for (let id = 0; id < objs.length; id++) refs += rib.attrs.refs(id);
  assert.equal(refs, 200);
});

test('an object refilled against the readonly contract is interned afresh, not taken from the cache', () => {
  const rib = new Rib();
  const a = attrs([65001, 64500]) as Mutable;
  rib.apply(announce(P1, '10.0.0.0/24', a));
  a.asPath = [65001, 174, 64500];
  rib.apply(announce(P1, '10.0.1.0/24', a));
  a.med = 50;
  rib.apply(announce(P1, '10.0.2.0/24', a));
  a.nextHop = ip('192.0.2.77');
  rib.apply(announce(P1, '10.0.3.0/24', a));
  a.communities = ['65001:9'];
  rib.apply(announce(P1, '10.0.4.0/24', a));
  (a.communities as string[]).push('65001:10'); // grown in place
  rib.apply(announce(P1, '10.0.5.0/24', a));
  const at = (p: string) => rib.routes(pfx(p))[0].attrs;
  assert.deepEqual(at('10.0.0.0/24').asPath, [65001, 64500]);
  assert.deepEqual(at('10.0.1.0/24').asPath, [65001, 174, 64500]);
  assert.equal(at('10.0.1.0/24').med, undefined);
  assert.equal(at('10.0.2.0/24').med, 50);
  assert.deepEqual(at('10.0.3.0/24').nextHop, ip('192.0.2.77'));
  assert.deepEqual(at('10.0.4.0/24').communities, ['65001:9']);
  assert.deepEqual(at('10.0.5.0/24').communities, ['65001:9', '65001:10']);
  assert.equal(rib.stats().attributeSets, 6);
});

test('a change through the cache is still classified by content', () => {
  const rib = new Rib();
  const a = attrs([65001, 64500]);
  const b = attrs([65001, 64500], { communities: ['65001:1'] });
  rib.apply(announce(P1, '10.0.0.0/24', a));
  rib.apply(announce(P1, '10.0.1.0/24', a));
  const cs = rib.changes(announce(P1, '10.0.0.0/24', b));
  assert.equal(cs[0].kind, 'attribute-change');
  assert.equal(rib.changes(announce(P1, '10.0.1.0/24', a)).length, 0);
  assert.equal(rib.changes(announce(P1, '10.0.1.0/24', b))[0].kind, 'attribute-change');
  assert.equal(rib.stats().attributeSets, 1);
});
