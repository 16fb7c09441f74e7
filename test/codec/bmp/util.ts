// Builders of valid BMP messages for the codec and feed tests.
import { encodeBgpMessage } from '../../../src/codec/bgp/message.ts';
import type { OpenMessage, PathAttribute, UpdateMessage } from '../../../src/codec/bgp/types.ts';
import {
  type BmpMessage,
  FLAG_L,
  FLAG_V,
  type PerPeerHeader,
  encodeBmpMessage,
  peerUpOf,
  routeMonitoringOf,
  textTlv,
} from '../../../src/codec/bmp/index.ts';
import type { Address } from '../../../src/model/address.ts';
import { addr, pfx } from '../../helpers/net.ts';

export { addr, pfx };



export function peerHeader(p: Partial<PerPeerHeader> & { address?: Address } = {}): PerPeerHeader {
  const address = p.address ?? addr('192.0.2.2');
  return {
    peerType: p.peerType ?? 0,
    flags: p.flags ?? (address.family === 6 ? FLAG_V : 0),
    distinguisher: p.distinguisher ?? new Uint8Array(8),
    address,
    asn: p.asn ?? 65002,
    bgpId: p.bgpId ?? addr('10.0.0.2'),
    seconds: p.seconds ?? 1_700_000_000,
    microseconds: p.microseconds ?? 250_000,
  };
}

export function open(asn: number, bgpId: string, addPath?: { afi: number; safi: number; sendReceive: number }[]): OpenMessage {
  const caps: OpenMessage['capabilities'][number][] = [
    { code: 1, value: { kind: 'multiprotocol', afi: 1, safi: 1 } },
    { code: 1, value: { kind: 'multiprotocol', afi: 2, safi: 1 } },
    { code: 65, value: { kind: 'as4', asn } },
  ];
  if (addPath) caps.push({ code: 69, value: { kind: 'add-path', entries: addPath } });
  return { kind: 'open', version: 4, myAs: asn > 0xffff ? 23456 : asn, holdTime: 90, bgpId: addr(bgpId), capabilities: caps, otherParams: [] };
}

export function initiation(sysDescr = 'FRRouting 8.4.4', sysName = 'r1'): BmpMessage {
  return { kind: 'initiation', tlvs: [textTlv(1, sysDescr), textTlv(2, sysName)] };
}

export function peerUp(peer: PerPeerHeader, localAs = 65001, addPath?: { mine: number; theirs: number }): BmpMessage {
  const ap = (v: number) => (addPath ? [{ afi: 1, safi: 1, sendReceive: v }] : undefined);
  return peerUpOf({
    peer,
    localAddress: peer.address.family === 4 ? addr('192.0.2.1') : addr('2001:db8::1'),
    localPort: 179,
    remotePort: 40000,
    sentOpen: open(localAs, '10.0.0.1', ap(addPath?.mine ?? 0)),
    receivedOpen: open(peer.asn, '10.0.0.2', ap(addPath?.theirs ?? 0)),
  });
}

export function attrs(path: number[], nextHop = '192.0.2.2'): PathAttribute[] {
  return [
    { kind: 'origin', flags: 0x40, value: 0 },
    { kind: 'as-path', flags: 0x40, segments: [{ kind: 'sequence', asns: path }], as4: true },
    { kind: 'next-hop', flags: 0x40, address: addr(nextHop) },
  ];
}

export function update(u: Partial<UpdateMessage>): UpdateMessage {
  return { kind: 'update', withdrawn: u.withdrawn ?? [], attributes: u.attributes ?? [], nlri: u.nlri ?? [], warnings: [], treatAsWithdraw: false };
}

/** A Route Monitoring message announcing `prefixes` with `path` (4-octet AS, no ADD-PATH unless pathIds). */
export function announceMsg(peer: PerPeerHeader, prefixes: string[], path: number[], pathIds?: number[]): BmpMessage {
  const nlri = prefixes.map((p, i) => (pathIds ? { prefix: pfx(p), pathId: pathIds[i] } : { prefix: pfx(p) }));
  const ctx = pathIds ? { as4: true, addPath: new Set(['1/1']) } : { as4: true };
  return routeMonitoringOf(peer, update({ attributes: attrs(path), nlri }), ctx);
}

export function withdrawMsg(peer: PerPeerHeader, prefixes: string[]): BmpMessage {
  return routeMonitoringOf(peer, update({ withdrawn: prefixes.map((p) => ({ prefix: pfx(p) })) }), { as4: true });
}

export function bytesOf(...msgs: BmpMessage[]): Uint8Array {
  const parts = msgs.map(encodeBmpMessage);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const POST = FLAG_L;
export { encodeBgpMessage };
