// A BMP router of the test's own, over loopback TCP to a Service's collector: r1 with two
// post-policy peers for one prefix. Peer A's path (65002 65004) is shorter than B's
// (65003 65005 65004), so A's is the route in use; withdrawing it moves the prefix to B.
// Used by the correlator, alerting and console tests that need a real routing change.
import { connect } from 'node:net';
import { routeMonitoringOf } from '../../src/codec/bmp/index.ts';
import { addr, announceMsg, bytesOf, initiation, peerHeader, peerUp, POST, update, withdrawMsg } from '../codec/bmp/util.ts';
import { type Running, waitFor } from './helpers.ts';

type After = { after(fn: () => void | Promise<void>): void };

export interface TwoPeerRouter {
  /** Peer A withdraws the prefix: the route in use moves to B's longer path. */
  withdrawBest(): void;
}

/** Connects, sends both peers' tables and End-of-RIB, and waits until the RIB is in sync. */
export async function twoPeerRouter(t: After, s: Running, prefix = '203.0.113.0/24'): Promise<TwoPeerRouter> {
  const seconds = Math.floor(Date.now() / 1000);
  const a = { ...peerHeader({ address: addr('10.0.0.2'), asn: 65002, bgpId: addr('10.0.0.2'), seconds }), flags: POST };
  const b = { ...peerHeader({ address: addr('10.0.0.3'), asn: 65003, bgpId: addr('10.0.0.3'), seconds }), flags: POST };
  const sock = connect({ host: '127.0.0.1', port: s.bmpPort });
  t.after(() => {
    sock.destroy();
  });
  await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
  const eor = (p: typeof a) => routeMonitoringOf(p, update({}), { as4: true });
  sock.write(bytesOf(initiation('Cisco IOS XR', 'r1'), peerUp(a), peerUp(b), announceMsg(a, [prefix], [65002, 65004]), announceMsg(b, [prefix], [65003, 65005, 65004]), eor(a), eor(b)));
  await waitFor('both peers at End-of-RIB', () => s.service.rib.routers().some((r) => r.peers.filter((p) => p.endOfRib).length === 2));
  return { withdrawBest: () => void sock.write(bytesOf(withdrawMsg(a, [prefix]))) };
}
