// ribRouting over a real Rib: every routed prefix exactly once (shorter than the /8 and /4
// slices included), origins, covering route, and "announced" read from post-policy routes
// where the router exports them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rib } from '../../../src/rib/rib.ts';
import { ribRouting } from '../../../src/targets/auto/routing.ts';
import { announce, attrs, peer, withdraw } from '../../rib/helpers.ts';

test('prefixes(): each routed prefix once, in slices; origins and covering', () => {
  const rib = new Rib();
  const r = ribRouting(rib);
  assert.equal(r.announced('198.51.100.0/24'), undefined, 'an empty RIB knows nothing');
  const p1 = peer('192.0.2.1', 65001);
  const p2 = peer('192.0.2.2', 65002);
  const list = ['0.0.0.0/0', '100.64.0.0/10', '100.64.0.0/12', '100.96.0.0/16', '198.51.100.0/24', '::/0', '2001:db8::/32', '2001:db8:1::/48', 'f000::/4'];
  for (const p of list) rib.apply(announce(p1, p, attrs([65001, 65004])));
  rib.apply(announce(p2, '198.51.100.0/24', attrs([65002, 65005])));
  const seen = [...r.prefixes()];
  assert.deepEqual(seen.map((x) => x.prefix).sort(), [...list].sort());
  assert.deepEqual(seen.find((x) => x.prefix === '198.51.100.0/24')?.paths.length, 2);
  assert.deepEqual(r.origins('198.51.100.0/24'), [65004, 65005]);
  assert.deepEqual(r.covering('100.96.2.3'), { prefix: '100.96.0.0/16', origins: [65004] });
  assert.deepEqual(r.covering('100.96.2.0/24'), { prefix: '100.96.0.0/16', origins: [65004] });
  assert.equal(r.announced('198.51.100.0/24'), true);
  rib.apply(withdraw(p1, '100.96.0.0/16'));
  assert.equal(r.announced('100.96.0.0/16'), true, '100.64.0.0/10 still covers it');
  rib.apply(withdraw(p1, '0.0.0.0/0'));
  rib.apply(withdraw(p1, '198.51.100.0/24'));
  assert.equal(r.announced('198.51.100.0/24'), true, 'the other peer still has it');
  rib.apply(withdraw(p2, '198.51.100.0/24'));
  assert.equal(r.announced('198.51.100.0/24'), false);
});

test('announced(): a pre-policy route left behind counts only where the router exports no post-policy view', () => {
  const rib = new Rib();
  const r = ribRouting(rib);
  const p = peer('10.77.13.2', 4200000003);
  // r1 exports both views (as FRR does): the pre-policy table keeps a looped path after the withdrawal.
  rib.apply(announce(p, '203.0.113.0/24', attrs([4200000003, 65004]), { router: 'r1', table: 'adj-rib-in-post' }));
  rib.apply(announce(p, '203.0.113.0/24', attrs([4200000003, 65001, 65002, 65004]), { router: 'r1', table: 'adj-rib-in-pre' }));
  assert.equal(r.announced('203.0.113.0/24'), true);
  rib.apply(withdraw(p, '203.0.113.0/24', { router: 'r1', table: 'adj-rib-in-post' }));
  assert.equal(r.announced('203.0.113.0/24'), false, 'the post-policy view says withdrawn');
  // A router that exports pre-policy only: its routes are all there is.
  rib.apply(announce(p, '192.0.2.0/24', attrs([65009]), { router: 'r2', table: 'adj-rib-in-pre' }));
  assert.equal(r.announced('192.0.2.0/24'), true);
});
