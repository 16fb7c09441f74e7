import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPrefix } from '../../src/model/prefix.ts';
import type { RouteChange } from '../../src/model/route-change.ts';
import { Rib } from '../../src/rib/rib.ts';
import { announce, attrs, ip, peer, pfx, withdraw } from './helpers.ts';

const P1 = peer('192.0.2.1', 65001);
const P2 = peer('192.0.2.2', 65002);

function brief(cs: RouteChange[]): string[] {
  return cs.map((c) => `${c.kind}/${c.cause} ${formatPrefix(c.prefix)} ${c.peer.asn}${c.pathId !== undefined ? `#${c.pathId}` : ''}`);
}

test('change classification: new, path, next hop, attribute-only, duplicate, withdraw', () => {
  const rib = new Rib();
  const a = attrs([65001, 3356, 64500]);
  let cs = rib.changes(announce(P1, '10.0.0.0/24', a, { time: 5_000 }));
  assert.deepEqual(brief(cs), ['new/update 10.0.0.0/24 65001']);
  assert.equal(cs[0].before, undefined);
  assert.deepEqual(cs[0].after, a);
  assert.equal(cs[0].time, 5_000);

  // Same content in a new object: a duplicate, no change, `since` kept.
  assert.deepEqual(rib.changes(announce(P1, '10.0.0.0/24', attrs([65001, 3356, 64500]), { time: 9_000 })), []);
  assert.equal(rib.routes(pfx('10.0.0.0/24'))[0].since, 5_000);

  cs = rib.changes(announce(P1, '10.0.0.0/24', attrs([65001, 174, 64500]), { time: 10_000 }));
  assert.deepEqual(brief(cs), ['path-change/update 10.0.0.0/24 65001']);
  assert.equal(cs[0].nextHopChanged, false);
  assert.deepEqual(cs[0].before?.asPath, [65001, 3356, 64500]);
  assert.deepEqual(cs[0].after?.asPath, [65001, 174, 64500]);
  assert.equal(rib.routes(pfx('10.0.0.0/24'))[0].since, 10_000);

  cs = rib.changes(announce(P1, '10.0.0.0/24', attrs([65001, 174, 64500], { nextHop: ip('192.0.2.9') })));
  assert.deepEqual(brief(cs), ['next-hop-change/update 10.0.0.0/24 65001']);

  cs = rib.changes(announce(P1, '10.0.0.0/24', attrs([65001, 174, 64500], { nextHop: ip('192.0.2.9'), communities: ['65001:1'] })));
  assert.deepEqual(brief(cs), ['attribute-change/update 10.0.0.0/24 65001']);
  cs = rib.changes(announce(P1, '10.0.0.0/24', attrs([65001, 174, 64500], { nextHop: ip('192.0.2.9'), communities: ['65001:1'], med: 5 })));
  assert.deepEqual(brief(cs), ['attribute-change/update 10.0.0.0/24 65001']);

  cs = rib.changes(announce(P1, '10.0.0.0/24', attrs([65001, 64500], { nextHop: ip('192.0.2.1') })));
  assert.deepEqual(brief(cs), ['path-change/update 10.0.0.0/24 65001']);
  assert.equal(cs[0].nextHopChanged, true);

  cs = rib.changes(withdraw(P1, '10.0.0.0/24'));
  assert.deepEqual(brief(cs), ['withdraw/withdraw 10.0.0.0/24 65001']);
  assert.deepEqual(cs[0].before?.asPath, [65001, 64500]);
  assert.equal(cs[0].after, undefined);
  // A withdraw of something absent changes nothing.
  assert.deepEqual(rib.changes(withdraw(P1, '10.0.0.0/24')), []);
  assert.deepEqual(rib.changes(withdraw(P2, '10.9.0.0/24')), []);
  assert.equal(rib.stats().routes, 0);
  assert.equal(rib.stats().prefixes.v4, 0);
});

test('interned attribute sets are shared and freed with their last route', () => {
  const rib = new Rib();
  const a = attrs([65001, 64500], { communities: ['65001:100'] });
  rib.apply(announce(P1, '10.0.0.0/24', a));
  rib.apply(announce(P1, '10.0.1.0/24', a));
  rib.apply(announce(P2, '10.0.0.0/24', attrs([65001, 64500], { communities: ['65001:100'] })));
  assert.equal(rib.stats().attributeSets, 1);
  const [r1] = rib.routes(pfx('10.0.0.0/24'));
  const [r2] = rib.routes(pfx('10.0.1.0/24'));
  assert.deepEqual(r1.attrs, a);
  assert.deepEqual(r2.attrs, a);
  assert.equal(r1.attrs.asPath, r2.attrs.asPath, 'one AS path array for one path');
  assert.notEqual(r1.attrs.asPath, a.asPath, 'a copy, not the feed array');
  rib.apply(announce(P2, '10.0.0.0/24', attrs([65002, 64500])));
  assert.equal(rib.stats().attributeSets, 2);
  assert.equal(rib.stats().asPaths, 2);
  rib.apply(withdraw(P1, '10.0.0.0/24'));
  rib.apply(withdraw(P1, '10.0.1.0/24'));
  assert.equal(rib.stats().attributeSets, 1);
  assert.equal(rib.stats().asPaths, 1);
  rib.apply(withdraw(P2, '10.0.0.0/24'));
  const s = rib.stats();
  assert.equal(s.attributeSets, 0);
  assert.equal(s.asPaths, 0);
  assert.equal(rib.attrs.lists.size, 0);
  assert.equal(rib.attrs.hops.size, 0);
});

test('ADD-PATH path ids are separate routes; no path id is yet another', () => {
  const rib = new Rib();
  assert.equal(rib.apply(announce(P1, '10.0.0.0/24', attrs([65001, 1]), { pathId: 1 })), 1);
  assert.equal(rib.apply(announce(P1, '10.0.0.0/24', attrs([65001, 2]), { pathId: 2 })), 1);
  assert.equal(rib.apply(announce(P1, '10.0.0.0/24', attrs([65001, 0]), { pathId: 0 })), 1);
  assert.equal(rib.apply(announce(P1, '10.0.0.0/24', attrs([65001, 9]))), 1);
  const ids = rib
    .routes(pfx('10.0.0.0/24'))
    .map((r) => `${r.pathId ?? '-'}:${r.attrs.asPath[1]}`)
    .sort();
  assert.deepEqual(ids, ['-:9', '0:0', '1:1', '2:2']);
  const cs = rib.changes(withdraw(P1, '10.0.0.0/24', { pathId: 2 }));
  assert.deepEqual(brief(cs), ['withdraw/withdraw 10.0.0.0/24 65001#2']);
  assert.equal(rib.routes(pfx('10.0.0.0/24')).length, 3);
});

test('peer-down withdraws only that peer (and only that table when given), with its cause', () => {
  const rib = new Rib();
  for (const p of ['10.0.0.0/24', '10.0.1.0/24', '2001:db8::/32']) {
    rib.apply(announce(P1, p, attrs([65001, 1])));
    rib.apply(announce(P2, p, attrs([65002, 1])));
  }
  rib.apply(announce(P1, '10.0.0.0/24', attrs([65001, 1]), { table: 'adj-rib-in-pre' }));
  rib.apply(announce(P1, '10.0.0.0/24', attrs([65001, 1]), { router: 'r2' }));
  let cs = rib.changes({ kind: 'peer-down', source: 'bmp', router: 'r1', peer: P1, table: 'adj-rib-in-pre', reason: 'x', time: 7 });
  assert.deepEqual(brief(cs), ['withdraw/peer-down 10.0.0.0/24 65001']);
  cs = rib.changes({ kind: 'peer-down', source: 'bmp', router: 'r1', peer: P1, reason: 'remote closed', time: 8 });
  assert.deepEqual(brief(cs).sort(), [
    'withdraw/peer-down 10.0.0.0/24 65001',
    'withdraw/peer-down 10.0.1.0/24 65001',
    'withdraw/peer-down 2001:db8::/32 65001',
  ]);
  assert.ok(cs.every((c) => c.reason === 'remote closed' && c.time === 8 && c.before !== undefined && c.router === 'r1'), 'session-down changes should say remote closed, time 8, router r1, with a before');
  assert.equal(rib.stats().routes, 4, "P2's three and r2's one remain");
  assert.equal(rib.routes(pfx('10.0.0.0/24')).length, 2);
  const r1 = rib.routers().find((r) => r.router === 'r1')!;
  assert.ok(r1.peers.filter((p) => p.peer.asn === 65001).every((p) => p.state === 'down' && p.routes === 0), 'AS65001 peers should be down with no routes');
  assert.ok(r1.peers.filter((p) => p.peer.asn === 65002).every((p) => p.state === 'up' && p.routes === 3), 'AS65002 peers should be up with 3 routes');
});

test('router-down withdraws every route of the router; reconnect leaves nothing stale', () => {
  const rib = new Rib();
  rib.apply({ kind: 'router-up', source: 'bmp', router: 'r1', info: { sysName: 'r1' }, time: 1 });
  rib.apply(announce(P1, '10.0.0.0/24', attrs([65001, 1])));
  rib.apply(announce(P1, '10.0.1.0/24', attrs([65001, 1])));
  rib.apply(announce(P2, '10.0.0.0/24', attrs([65002, 1]), { table: 'loc-rib' }));
  rib.apply(announce(P2, '10.0.0.0/24', attrs([65002, 1]), { router: 'r2' }));
  const cs = rib.changes({ kind: 'router-down', source: 'bmp', router: 'r1', reason: 'connection-closed', time: 50 });
  assert.equal(cs.length, 3);
  assert.ok(cs.every((c) => c.cause === 'router-down' && c.kind === 'withdraw' && c.reason === 'connection-closed'), 'router-down should withdraw every route with reason connection-closed');
  assert.equal(rib.stats().routes, 1);
  assert.equal(rib.routers().find((r) => r.router === 'r1')!.state, 'down');

  // Reconnect: the router re-announces only one of its routes; the others must not come back.
  rib.apply({ kind: 'router-up', source: 'bmp', router: 'r1', info: {}, time: 60 });
  rib.apply({ kind: 'peer-up', source: 'bmp', router: 'r1', peer: P1, table: 'adj-rib-in-post', time: 61 });
  rib.apply(announce(P1, '10.0.1.0/24', attrs([65001, 1]), { time: 2_000_000 }));
  rib.apply({ kind: 'end-of-rib', source: 'bmp', router: 'r1', peer: P1, table: 'adj-rib-in-post', afi: 1, safi: 1, time: 63 });
  assert.deepEqual(
    rib.routes(pfx('10.0.0.0/24')).map((r) => r.router),
    ['r2'],
  );
  assert.deepEqual(
    rib.routes(pfx('10.0.1.0/24')).map((r) => [r.router, r.since]),
    [['r1', 2_000_000]],
  );
  const r1 = rib.routers().find((r) => r.router === 'r1')!;
  assert.equal(r1.state, 'up');
  assert.equal(r1.routes, 1);
  assert.equal(r1.lastMessage, 2_000_000);
  assert.ok(r1.peers.some((p) => p.table === 'adj-rib-in-post' && p.endOfRib && p.state === 'up'), 'expected an up adj-rib-in-post peer with End-of-RIB');
});

test('a second router-up or peer-up without a down is a new session: old routes go', () => {
  const rib = new Rib();
  rib.apply({ kind: 'router-up', source: 'bmp', router: 'r1', info: {}, time: 1 });
  rib.apply(announce(P1, '10.0.0.0/24', attrs([65001, 1])));
  rib.apply(announce(P2, '10.0.0.0/24', attrs([65002, 1])));
  let cs = rib.changes({ kind: 'peer-up', source: 'bmp', router: 'r1', peer: P1, time: 2 });
  assert.deepEqual(brief(cs), ['withdraw/peer-down 10.0.0.0/24 65001']);
  cs = rib.changes({ kind: 'router-up', source: 'bmp', router: 'r1', info: {}, time: 3 });
  assert.deepEqual(brief(cs), ['withdraw/router-down 10.0.0.0/24 65002']);
  assert.equal(rib.stats().routes, 0);
});

test('lookup: covering prefix, origin ASes (MOAS, AS_SET) and routes', () => {
  const rib = new Rib();
  rib.apply(announce(P1, '10.0.0.0/8', attrs([65001, 3356, 64500])));
  rib.apply(announce(P1, '10.1.0.0/16', attrs([65001, 64510])));
  rib.apply(announce(P2, '10.1.0.0/16', attrs([65002, 64511])));
  rib.apply(announce(P1, '2001:db8::/32', attrs([65001, 64600, [64602, 64601, 64602]])));
  const a = rib.lookup(ip('10.1.2.3'))!;
  assert.equal(formatPrefix(a.prefix), '10.1.0.0/16');
  assert.deepEqual(a.origins, [64510, 64511]);
  assert.equal(a.routes.length, 2);
  assert.deepEqual(rib.lookup(ip('10.9.0.1'))!.origins, [64500]);
  assert.equal(rib.lookup(ip('11.0.0.1')), undefined);
  assert.deepEqual(rib.lookup(ip('2001:db8::1'))!.origins, [64601, 64602]);
  // routes(): exact by default, the covering entry with exact: false.
  assert.deepEqual(rib.routes(pfx('10.1.2.0/24')), []);
  assert.equal(formatPrefix(rib.routes(pfx('10.1.2.0/24'), { exact: false })[0].prefix), '10.1.0.0/16');
  assert.deepEqual(
    rib.covered(pfx('10.0.0.0/8')).map((x) => `${formatPrefix(x.prefix)}:${x.routes.length}`),
    ['10.0.0.0/8:1', '10.1.0.0/16:2'],
  );
});

test('ourRoute: Loc-RIB when exported, else best path over Adj-RIB-In post-policy', () => {
  const rib = new Rib();
  rib.apply(announce(P1, '10.0.0.0/8', attrs([65001, 64500])));
  rib.apply(announce(P2, '10.0.0.0/8', attrs([65002, 64500], { localPref: 200 })));
  rib.apply(announce(P1, '10.1.0.0/16', attrs([65001, 64501])));
  let our = rib.ourRoute(ip('10.2.0.1'), 'r1')!;
  assert.equal(our.from, 'adj-rib-in-post');
  assert.equal(our.route.peer.asn, 65002, 'higher local-pref');
  our = rib.ourRoute(ip('10.1.0.1'), 'r1')!;
  assert.equal(formatPrefix(our.prefix), '10.1.0.0/16');
  // Now the router exports its Loc-RIB: that wins, even against a better-looking Adj-RIB-In route.
  rib.apply(announce(peer('0.0.0.0', 0), '10.0.0.0/8', attrs([65001, 64500]), { table: 'loc-rib' }));
  our = rib.ourRoute(ip('10.1.0.1'), 'r1')!;
  assert.equal(our.from, 'loc-rib');
  assert.equal(formatPrefix(our.prefix), '10.0.0.0/8', 'the Loc-RIB has no /16');
  assert.equal(rib.ourRoute(ip('10.1.0.1'), 'nope'), undefined);
});

test('decode errors, stats and gaps only touch the router\'s last-message time', () => {
  const rib = new Rib();
  rib.apply(announce(P1, '10.0.0.0/8', attrs([65001])));
  rib.apply({ kind: 'decode-error', source: 'bmp', router: 'r1', problem: { layer: 'bmp', code: 'x', offset: 0, message: 'm' }, time: 2_000_000 });
  assert.equal(rib.routers()[0].lastMessage, 2_000_000);
  assert.equal(rib.stats().routes, 1);
});

test('every attribute survives interning, and each one tells sets apart', () => {
  const rib = new Rib();
  const full = attrs([65001, [1, 2], 3], {
    nextHop: ip('2001:db8::1'),
    origin: 'egp',
    med: 0,
    localPref: 0,
    atomicAggregate: true,
    aggregator: { asn: 3, address: ip('10.0.0.3') },
    communities: ['65535:65281', '1:2'],
    largeCommunities: ['1:2:3'],
    extendedCommunities: ['0002fde800000001'],
    originatorId: ip('10.0.0.9'),
    clusterList: [ip('10.0.0.1'), ip('10.0.0.2')],
    onlyToCustomer: 65001,
  });
  rib.apply(announce(P1, '10.0.0.0/24', full));
  assert.deepEqual(rib.routes(pfx('10.0.0.0/24'))[0].attrs, full);
  const variants: Partial<typeof full>[] = [
    { med: undefined },
    { localPref: undefined },
    { origin: 'igp' },
    { atomicAggregate: undefined },
    { aggregator: { asn: 4, address: ip('10.0.0.3') } },
    { communities: ['1:2', '65535:65281'] },
    { largeCommunities: [] },
    { extendedCommunities: [] },
    { originatorId: ip('10.0.0.8') },
    { clusterList: [ip('10.0.0.1')] },
    { onlyToCustomer: undefined },
    { nextHop: ip('10.0.0.1') },
    { asPath: [65001, 1, 2, 3] },
  ];
  for (const v of variants) {
    const a = { ...full, ...v };
    const cs = rib.changes(announce(P1, '10.0.0.0/24', a));
    assert.equal(cs.length, 1, JSON.stringify(v));
    assert.deepEqual(rib.routes(pfx('10.0.0.0/24'))[0].attrs, Object.fromEntries(Object.entries(a).filter(([, x]) => x !== undefined)));
    rib.apply(announce(P1, '10.0.0.0/24', full));
  }
  assert.equal(rib.stats().attributeSets, 1);
});
