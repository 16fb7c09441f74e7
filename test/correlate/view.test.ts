// "Our route" in the configured view: a named router, the default (a BMP router's
// Loc-RIB, else best path over every post-policy table), and the peers filter.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routeInUse, sameForwarding, viewAccepts } from '../../src/correlate/view.ts';
import { formatAddress } from '../../src/model/address.ts';
import { formatPrefix } from '../../src/model/prefix.ts';
import { Rib } from '../../src/rib/rib.ts';
import { announce, attrs, ip, peer } from '../rib/helpers.ts';

const A = peer('10.0.0.2', 65002);
const B = peer('10.0.0.3', 65003);
const X = peer('10.9.0.1', 65100);

function rib(): Rib {
  const r = new Rib();
  r.apply(announce(A, '203.0.113.0/24', attrs([65002, 65004])));
  r.apply(announce(B, '203.0.113.0/24', attrs([65003, 65005, 65004])));
  r.apply(announce(B, '203.0.113.0/25', attrs([65003, 65004]), { router: 'r1', table: 'adj-rib-in-pre' }));
  return r;
}

const who = (r: Rib, v: Parameters<typeof routeInUse>[2]) => {
  const u = routeInUse(r, ip('203.0.113.10'), v);
  return u && `${formatPrefix(u.prefix)} ${u.route.router} ${formatAddress(u.route.peer.address)} ${u.route.table}`;
};

test('default view without a Loc-RIB: best path over the post-policy tables; pre-policy is not used while post holds a covering route', () => {
  const r = rib();
  assert.equal(who(r, {}), '203.0.113.0/24 r1 10.0.0.2 adj-rib-in-post');
});

test('default view: the first BMP router exporting a Loc-RIB is our route, even against shorter paths elsewhere', () => {
  const r = rib();
  r.apply({ kind: 'router-up', source: 'bmp', router: 'r9', info: {}, time: 1 });
  r.apply(announce(X, '203.0.113.0/24', attrs([65100, 65101, 65102, 65004]), { router: 'r9', table: 'loc-rib' }));
  assert.equal(who(r, {}), '203.0.113.0/24 r9 10.9.0.1 loc-rib');
  assert.equal(who(r, { router: 'r1' }), '203.0.113.0/24 r1 10.0.0.2 adj-rib-in-post', 'a configured router wins');
});

test('peers narrow the candidates; a router with no route is no route', () => {
  const r = rib();
  assert.equal(who(r, { peers: [B.address] }), '203.0.113.0/24 r1 10.0.0.3 adj-rib-in-post');
  assert.equal(who(r, { router: 'nope' }), undefined);
  assert.equal(viewAccepts(r.changes(announce(A, '198.51.100.0/24', attrs([65002])))[0], { peers: [B.address] }), false);
  assert.equal(viewAccepts(r.changes(announce(B, '198.51.100.0/24', attrs([65003])))[0], { peers: [B.address] }), true);
  assert.equal(viewAccepts(r.changes(announce(B, '198.51.100.0/24', attrs([65003]), { table: 'adj-rib-out-post' }))[0], {}), false, 'Adj-RIB-Out is never our route');
});

test('same forwarding: communities and MED do not move a route; a prepend or another next hop does', () => {
  const r = rib();
  const base = routeInUse(r, ip('203.0.113.10'), {});
  r.apply(announce(A, '203.0.113.0/24', attrs([65002, 65004], { communities: ['65002:1'], med: 5 })));
  const comm = routeInUse(r, ip('203.0.113.10'), {});
  assert.equal(sameForwarding(base, comm), true);
  r.apply(announce(A, '203.0.113.0/24', attrs([65002, 65002, 65004])));
  assert.equal(sameForwarding(comm, routeInUse(r, ip('203.0.113.10'), {})), false, 'prepend');
  const pre = routeInUse(r, ip('203.0.113.10'), {});
  r.apply(announce(A, '203.0.113.0/24', attrs([65002, 65002, 65004], { nextHop: ip('192.0.2.9') })));
  assert.equal(sameForwarding(pre, routeInUse(r, ip('203.0.113.10'), {})), false, 'next hop');
});
