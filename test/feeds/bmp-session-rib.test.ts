// BMP session -> Rib -> ourRoute: what the session says in a peer-up (the router's own AS
// on that session) reaches best path's "eBGP over iBGP" step.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routeMonitoringOf } from '../../src/codec/bmp/index.ts';
import { BmpSession } from '../../src/feeds/bmp-session.ts';
import { formatAddress } from '../../src/model/address.ts';
import type { FeedEvent } from '../../src/model/feed-event.ts';
import { Rib } from '../../src/rib/rib.ts';
import { addr, attrs, bytesOf, initiation, peerHeader, peerUp, pfx, POST, update } from '../codec/bmp/util.ts';

function ribOf(bytes: Uint8Array): Rib {
  const session = new BmpSession('r', { clock: () => 42 });
  const events: FeedEvent[] = [];
  session.feed(bytes, events);
  const rib = new Rib();
  for (const e of events) rib.apply(e);
  return rib;
}

const withMed = (path: number[], med: number) => [...attrs(path), { kind: 'med' as const, flags: 0x80, value: med }];

test('bmp-session -> Rib -> ourRoute: eBGP beats iBGP (lower router id) when equal up to MED', () => {
  // Not FRR (no own-AS prepend stripping); the router is AS 65001 on both sessions.
  const ebgp = peerHeader({ address: addr('192.0.2.2'), asn: 65002, bgpId: addr('10.0.0.20') });
  const ibgp = peerHeader({ address: addr('192.0.2.9'), asn: 65001, bgpId: addr('10.0.0.3') });
  const post = (h: typeof ebgp) => ({ ...h, flags: h.flags | POST });
  const nlri = [{ prefix: pfx('198.51.100.0/24') }];
  const bytes = bytesOf(
    initiation('Cisco IOS XR', 'r1'),
    peerUp(ebgp, 65001),
    peerUp(ibgp, 65001),
    // Same length, origin, local-pref; different neighbour ASes so MED is not compared.
    routeMonitoringOf(post(ibgp), update({ attributes: withMed([65003, 65004], 10), nlri }), { as4: true }),
    routeMonitoringOf(post(ebgp), update({ attributes: withMed([65002, 65004], 10), nlri }), { as4: true }),
  );
  const rib = ribOf(bytes);
  const our = rib.ourRoute(addr('198.51.100.7'), 'r');
  assert.ok(our !== undefined, 'a route towards 198.51.100.7');
  assert.equal(our.from, 'adj-rib-in-post');
  assert.equal(formatAddress(our.route.peer.address), '192.0.2.2', 'the eBGP route, not the iBGP one with the lower router id');
});

test('bmp-session -> Rib -> ourRoute: the local AS is per peer session (local-as / VRF)', () => {
  // Session A: router speaks as 65010 to peer AS 65010 (iBGP); session B: router speaks
  // as 65001 to peer AS 65010 (eBGP). A router-wide local AS would get one of them wrong.
  const a = peerHeader({ address: addr('192.0.2.2'), asn: 65010, bgpId: addr('10.0.0.3') });
  const b = peerHeader({ address: addr('192.0.2.9'), asn: 65010, bgpId: addr('10.0.0.20') });
  const post = (h: typeof a) => ({ ...h, flags: h.flags | POST });
  const nlri = [{ prefix: pfx('198.51.100.0/24') }];
  const bytes = bytesOf(
    initiation('Cisco IOS XR', 'r1'),
    peerUp(a, 65010),
    peerUp(b, 65001),
    routeMonitoringOf(post(a), update({ attributes: withMed([65003, 65004], 0), nlri }), { as4: true }),
    routeMonitoringOf(post(b), update({ attributes: withMed([65010, 65004], 0), nlri }), { as4: true }),
  );
  const our = ribOf(bytes).ourRoute(addr('198.51.100.7'), 'r');
  assert.ok(our !== undefined, 'a route towards 198.51.100.7');
  assert.equal(formatAddress(our.route.peer.address), '192.0.2.9', 'the eBGP session B, not iBGP session A (lower router id)');
});
