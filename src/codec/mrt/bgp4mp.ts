// BGP4MP (type 16) and BGP4MP_ET (type 17, same bodies after the µs field), RFC 6396
// §4.4 and RFC 8050 §3.
//
// STATE_CHANGE (0) / STATE_CHANGE_AS4 (5):
//   Peer AS (2|4) | Local AS (2|4) | Interface Index (2) | AFI (2) | Peer IP (4|16) | Local IP (4|16)
//   Old State (2) | New State (2)
// MESSAGE (1), MESSAGE_AS4 (4), MESSAGE_LOCAL (6), MESSAGE_AS4_LOCAL (7) and the ADD-PATH
// forms 8, 9, 10, 11:
//   Peer AS (2|4) | Local AS (2|4) | Interface Index (2) | AFI (2) | Peer IP | Local IP | BGP Message
// The embedded BGP message is decoded by the BGP codec; the subtype says whether its
// AS_PATH has 2- or 4-byte ASNs and whether its NLRI carry path identifiers.
//
// Also the deprecated type 5 "BGP" (MRTd), which bgpdump still reads:
//   UPDATE (1), KEEPALIVE (7): Peer AS (2) | Peer IP (4) | Local AS (2) | Local IP (4) | UPDATE body
//   STATE_CHANGE (3): Peer AS (2) | Peer IP (4) | Old State (2) | New State (2)
import { address } from '../../model/address.ts';
import type { Cursor } from '../cursor.ts';
import { AFI_IPV4, AFI_IPV6, readAddress } from './common.ts';
import type { MrtHeader } from './framing.ts';
import type { Bgp4mpMessageRecord, Bgp4mpStateChangeRecord, LegacyBgpRecord } from './types.ts';

export const BGP4MP_SUBTYPE = {
  STATE_CHANGE: 0,
  MESSAGE: 1,
  ENTRY: 2,
  SNAPSHOT: 3,
  MESSAGE_AS4: 4,
  STATE_CHANGE_AS4: 5,
  MESSAGE_LOCAL: 6,
  MESSAGE_AS4_LOCAL: 7,
  MESSAGE_ADDPATH: 8,
  MESSAGE_AS4_ADDPATH: 9,
  MESSAGE_LOCAL_ADDPATH: 10,
  MESSAGE_AS4_LOCAL_ADDPATH: 11,
} as const;

/** as4 / local / addPath for the MESSAGE subtypes; undefined for the others. */
export function messageSubtype(st: number): { as4: boolean; local: boolean; addPath: boolean } | undefined {
  switch (st) {
    case 1:
      return { as4: false, local: false, addPath: false };
    case 4:
      return { as4: true, local: false, addPath: false };
    case 6:
      return { as4: false, local: true, addPath: false };
    case 7:
      return { as4: true, local: true, addPath: false };
    case 8:
      return { as4: false, local: false, addPath: true };
    case 9:
      return { as4: true, local: false, addPath: true };
    case 10:
      return { as4: false, local: true, addPath: true };
    case 11:
      return { as4: true, local: true, addPath: true };
    default:
      return undefined;
  }
}

const ZERO4 = address(new Uint8Array(4));

export function decodeBgp4mpStateChange(cur: Cursor, header: MrtHeader, offset: number): Bgp4mpStateChangeRecord {
  const as4 = header.subtype === BGP4MP_SUBTYPE.STATE_CHANGE_AS4;
  const bodyLen = cur.remaining;
  const peerAs = as4 ? cur.u32('state change peer AS') : cur.u16('state change peer AS');
  const localAs = as4 ? cur.u32('state change local AS') : cur.u16('state change local AS');
  if (!as4 && bodyLen === 8) {
    // Old Zebra wrote 8-byte state changes: ASes and states only. bgpdump reads them as
    // an IPv4 peer 0.0.0.0; so do we.
    const oldState = cur.u16('state change old state');
    const newState = cur.u16('state change new state');
    return {
      kind: 'bgp4mp-state-change',
      header,
      offset,
      as4,
      peerAs,
      localAs,
      ifIndex: 0,
      afi: AFI_IPV4,
      peerAddress: ZERO4,
      localAddress: ZERO4,
      oldState,
      newState,
      short: true,
    };
  }
  const ifIndex = cur.u16('state change interface index');
  const afiAt = cur.pos;
  const afi = cur.u16('state change AFI');
  // bgpdump accepts exactly these body lengths (2- and 4-byte AS forms alike).
  const ok = afi === AFI_IPV4 ? bodyLen === 20 || bodyLen === 24 : afi === AFI_IPV6 ? bodyLen === 44 || bodyLen === 48 : true;
  if (!ok) cur.fail('state-change-length', `STATE_CHANGE body of ${bodyLen} bytes does not fit AFI ${afi}`, afiAt);
  const peerAddress = readAddress(cur, afi, 'state change peer address', 'state-change-afi');
  const localAddress = readAddress(cur, afi, 'state change local address', 'state-change-afi');
  const oldState = cur.u16('state change old state');
  const newState = cur.u16('state change new state');
  return {
    kind: 'bgp4mp-state-change',
    header,
    offset,
    as4,
    peerAs,
    localAs,
    ifIndex,
    afi,
    peerAddress,
    localAddress,
    oldState,
    newState,
    short: false,
  };
}

export function decodeBgp4mpMessage(cur: Cursor, header: MrtHeader, offset: number): Bgp4mpMessageRecord {
  const st = messageSubtype(header.subtype);
  if (!st) return cur.fail('bgp4mp-subtype', `BGP4MP subtype ${header.subtype} is not a MESSAGE subtype`);
  const peerAs = st.as4 ? cur.u32('bgp4mp peer AS') : cur.u16('bgp4mp peer AS');
  const localAs = st.as4 ? cur.u32('bgp4mp local AS') : cur.u16('bgp4mp local AS');
  const ifAt = cur.pos;
  let ifIndex = cur.u16('bgp4mp interface index');
  let afi = cur.u16('bgp4mp AFI');
  let peerAddress = ZERO4;
  let localAddress = ZERO4;
  if (afi === 0xffff && ifIndex === 0xffff) {
    // Old Zebra wrote OPENs without interface, AFI and addresses: those 4 bytes are the
    // start of the marker. bgpdump works around it the same way.
    cur.pos = ifAt;
    ifIndex = 0;
    afi = AFI_IPV4;
  } else {
    peerAddress = readAddress(cur, afi, 'bgp4mp peer address', 'bgp4mp-afi');
    localAddress = readAddress(cur, afi, 'bgp4mp local address', 'bgp4mp-afi');
  }
  const message = cur.rest();
  return { kind: 'bgp4mp-message', header, offset, ...st, peerAs, localAs, ifIndex, afi, peerAddress, localAddress, message };
}

export function decodeLegacyBgp(cur: Cursor, header: MrtHeader, offset: number): LegacyBgpRecord {
  const st = header.subtype;
  const peerAs = cur.u16('mrtd bgp peer AS');
  const peerAddress = address(cur.bytes(4, 'mrtd bgp peer address').slice());
  if (st === 3) {
    const oldState = cur.u16('mrtd bgp old state');
    const newState = cur.u16('mrtd bgp new state');
    return { kind: 'bgp-legacy', header, offset, subtype: st, peerAs, peerAddress, localAs: 0, localAddress: ZERO4, oldState, newState };
  }
  const localAs = cur.u16('mrtd bgp local AS');
  const localAddress = address(cur.bytes(4, 'mrtd bgp local address').slice());
  return { kind: 'bgp-legacy', header, offset, subtype: st, peerAs, peerAddress, localAs, localAddress, update: cur.rest() };
}

/** The BGP message header (RFC 4271 §4.1) of an embedded message, checked the way bgpdump checks it. */
export interface BgpMessageView {
  readonly type: number;
  /** The bytes after the 19-byte header, cut to what the record holds. */
  readonly body: Uint8Array;
  /** Declared length minus what the record holds (> 0: the message was cut). */
  readonly cutBytes: number;
}

export function viewBgpMessage(cur: Cursor): BgpMessageView {
  const at = cur.pos;
  const marker = cur.bytes(16, 'bgp marker');
  for (let i = 0; i < 16; i++) if (marker[i] !== 0xff) cur.fail('bgp4mp-marker', 'embedded BGP message has a bad marker', at);
  const lenAt = cur.pos;
  const len = cur.u16('bgp message length');
  if (len < 19) cur.fail('bgp4mp-message-length', `embedded BGP message length ${len} is below 19`, lenAt);
  const type = cur.u8('bgp message type');
  const want = len - 19;
  const have = Math.min(want, cur.remaining);
  const body = cur.bytes(have, 'bgp message body');
  return { type, body, cutBytes: want - have };
}
