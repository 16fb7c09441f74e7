// TABLE_DUMP_V2 (MRT type 13), RFC 6396 §4.3 and RFC 8050 §4 (ADD-PATH subtypes).
//
// PEER_INDEX_TABLE (1):
//   Collector BGP ID (4) | View Name Length (2) | View Name | Peer Count (2)
//   Peer Entries: Peer Type (1: bit0 IPv6, bit1 AS4) | Peer BGP ID (4) | Peer IP (4|16) | Peer AS (2|4)
// RIB_IPV4_UNICAST (2), RIB_IPV4_MULTICAST (3), RIB_IPV6_UNICAST (4), RIB_IPV6_MULTICAST (5),
// and their ADD-PATH forms 8, 9, 10, 11:
//   Sequence (4) | Prefix Length (1) | Prefix (ceil(len/8)) | Entry Count (2) | RIB Entries
// RIB_GENERIC (6) and RIB_GENERIC_ADDPATH (12):
//   Sequence (4) | AFI (2) | SAFI (1) | NLRI (one, BGP encoding) | Entry Count (2) | RIB Entries
// RIB Entry:
//   Peer Index (2) | Originated Time (4) | [Path Identifier (4), ADD-PATH subtypes] |
//   Attribute Length (2) | BGP Attributes (always 4-byte AS; MP_REACH_NLRI abbreviated, §4.3.4)
import { type Address, address } from '../../model/address.ts';
import type { Cursor, Writer } from '../cursor.ts';
import { AFI_IPV4, AFI_IPV6, readPrefix, writePrefix } from './common.ts';
import type { MrtHeader } from './framing.ts';
import type { PeerIndexEntry, PeerIndexTableRecord, RibEntry, RibRecord } from './types.ts';

export const TDV2_SUBTYPE = {
  PEER_INDEX_TABLE: 1,
  RIB_IPV4_UNICAST: 2,
  RIB_IPV4_MULTICAST: 3,
  RIB_IPV6_UNICAST: 4,
  RIB_IPV6_MULTICAST: 5,
  RIB_GENERIC: 6,
  GEO_PEER_TABLE: 7,
  RIB_IPV4_UNICAST_ADDPATH: 8,
  RIB_IPV4_MULTICAST_ADDPATH: 9,
  RIB_IPV6_UNICAST_ADDPATH: 10,
  RIB_IPV6_MULTICAST_ADDPATH: 11,
  RIB_GENERIC_ADDPATH: 12,
} as const;

export const PEER_TYPE_IPV6 = 0x01;
export const PEER_TYPE_AS4 = 0x02;

export function decodePeerIndexTable(cur: Cursor, header: MrtHeader, offset: number): PeerIndexTableRecord {
  const collectorId = address(cur.bytes(4, 'peer index collector BGP ID').slice());
  const nameLen = cur.u16('peer index view name length');
  const viewName = new TextDecoder().decode(cur.sub(nameLen, 'peer index view name').rest());
  const count = cur.u16('peer index peer count');
  const peers: PeerIndexEntry[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const peerType = cur.u8('peer entry type');
    const bgpId = address(cur.bytes(4, 'peer entry BGP ID').slice());
    const addr: Address = address(cur.bytes(peerType & PEER_TYPE_IPV6 ? 16 : 4, 'peer entry address').slice());
    const asn = peerType & PEER_TYPE_AS4 ? cur.u32('peer entry AS') : cur.u16('peer entry AS');
    peers[i] = { peerType, bgpId, address: addr, asn };
  }
  return { kind: 'peer-index-table', header, offset, collectorId, viewName, peers };
}

export function encodePeerIndexTable(r: Omit<PeerIndexTableRecord, 'header' | 'offset' | 'kind'>, w: Writer): void {
  w.bytes(r.collectorId.bytes);
  const name = new TextEncoder().encode(r.viewName);
  w.u16(name.length).bytes(name).u16(r.peers.length);
  for (const p of r.peers) {
    w.u8(p.peerType).bytes(p.bgpId.bytes).bytes(p.address.bytes);
    if (p.peerType & PEER_TYPE_AS4) w.u32(p.asn);
    else w.u16(p.asn);
  }
}

function ribFamily(subtype: number): { afi: number; safi: number; addPath: boolean } | undefined {
  switch (subtype) {
    case 2:
      return { afi: AFI_IPV4, safi: 1, addPath: false };
    case 3:
      return { afi: AFI_IPV4, safi: 2, addPath: false };
    case 4:
      return { afi: AFI_IPV6, safi: 1, addPath: false };
    case 5:
      return { afi: AFI_IPV6, safi: 2, addPath: false };
    case 8:
      return { afi: AFI_IPV4, safi: 1, addPath: true };
    case 9:
      return { afi: AFI_IPV4, safi: 2, addPath: true };
    case 10:
      return { afi: AFI_IPV6, safi: 1, addPath: true };
    case 11:
      return { afi: AFI_IPV6, safi: 2, addPath: true };
    default:
      return undefined;
  }
}

function decodeEntries(cur: Cursor, addPath: boolean): RibEntry[] {
  const count = cur.u16('rib entry count');
  const entries: RibEntry[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const peerIndex = cur.u16('rib entry peer index');
    const originatedTime = cur.u32('rib entry originated time');
    const pathId = addPath ? cur.u32('rib entry path identifier') : undefined;
    const len = cur.u16('rib entry attribute length');
    const attributes = cur.bytes(len, 'rib entry attributes');
    entries[i] = pathId === undefined ? { peerIndex, originatedTime, attributes } : { peerIndex, originatedTime, pathId, attributes };
  }
  return entries;
}

/** RIB_* subtypes 2-6 and 8-12. */
export function decodeRib(cur: Cursor, header: MrtHeader, offset: number): RibRecord {
  const st = header.subtype;
  const generic = st === TDV2_SUBTYPE.RIB_GENERIC || st === TDV2_SUBTYPE.RIB_GENERIC_ADDPATH;
  if (generic) {
    const addPath = st === TDV2_SUBTYPE.RIB_GENERIC_ADDPATH;
    const sequence = cur.u32('rib sequence');
    const afi = cur.u16('rib generic AFI');
    const safi = cur.u8('rib generic SAFI');
    if ((afi === AFI_IPV4 || afi === AFI_IPV6) && (safi === 1 || safi === 2)) {
      const p = readPrefix(cur, afi, 'rib generic prefix');
      const entries = decodeEntries(cur, addPath);
      return { kind: 'rib', header, offset, afi, safi, addPath, generic, sequence, prefix: p, entries };
    }
    // Other families (VPN, EVPN, flowspec...): one NLRI whose first byte is its length in bits.
    const at = cur.pos;
    const bits = cur.u8('rib generic NLRI length');
    cur.skip((bits + 7) >>> 3, 'rib generic NLRI');
    const rawNlri = cur.buf.slice(at, cur.pos);
    const entries = decodeEntries(cur, addPath);
    return { kind: 'rib', header, offset, afi, safi, addPath, generic, sequence, rawNlri, entries };
  }
  const fam = ribFamily(st);
  if (!fam) return cur.fail('tdv2-rib-subtype', `TABLE_DUMP_V2 subtype ${st} is not a RIB subtype`);
  const sequence = cur.u32('rib sequence');
  const p = readPrefix(cur, fam.afi, 'rib prefix');
  const entries = decodeEntries(cur, fam.addPath);
  return { kind: 'rib', header, offset, ...fam, generic: false, sequence, prefix: p, entries };
}

/** Writes the body of a RIB_* record (the subtype decides the layout; see the header comment). */
export function encodeRib(r: Omit<RibRecord, 'header' | 'offset' | 'kind'>, w: Writer): void {
  w.u32(r.sequence);
  if (r.generic) w.u16(r.afi).u8(r.safi);
  if (r.prefix) writePrefix(r.prefix, w);
  else if (r.rawNlri) w.bytes(r.rawNlri);
  w.u16(r.entries.length);
  for (const e of r.entries) {
    w.u16(e.peerIndex).u32(e.originatedTime);
    if (r.addPath) w.u32(e.pathId ?? 0);
    w.u16(e.attributes.length).bytes(e.attributes);
  }
}
