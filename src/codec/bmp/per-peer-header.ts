// Per-peer header: RFC 7854 section 4.2 (flags O from RFC 8671 4, peer type 3 from RFC 9069 4.1).
//   peer type (1) | peer flags (1) | peer distinguisher (8) | peer address (16)
//   peer AS (4) | peer BGP ID (4) | timestamp seconds (4) | timestamp microseconds (4)
// Flags for peer types 0-2: V 0x80 IPv6 address, L 0x40 post-policy, A 0x20 legacy 2-byte
// AS_PATH, O 0x10 Adj-RIB-Out. For peer type 3 (Loc-RIB) only F 0x80 (filtered) is defined
// and the address is zero-filled, so V does not pick the family there.
// An IPv4 peer address sits in the last 4 of the 16 bytes (RFC 7854 4.2).
import type { Cursor, Writer } from '../cursor.ts';
import { DecodeError } from '../errors.ts';
import type { Address } from '../../model/address.ts';
import type { RouteTable } from '../../model/route-event.ts';
import { FLAG_L, FLAG_O, FLAG_V, PEER_LOC_RIB, PER_PEER_HEADER_LENGTH, type PerPeerHeader } from './types.ts';

function zero12(b: Uint8Array, at: number): boolean {
  for (let i = 0; i < 12; i++) if (b[at + i] !== 0) return false;
  return true;
}

export function decodePerPeerHeader(cur: Cursor): PerPeerHeader {
  const at = cur.pos;
  if (cur.end - at < PER_PEER_HEADER_LENGTH) {
    throw new DecodeError('bmp', 'per-peer-header-truncated', at, `per-peer header needs ${PER_PEER_HEADER_LENGTH} bytes, ${cur.end - at} left`);
  }
  const peerType = cur.u8('peer type');
  const flags = cur.u8('peer flags');
  const distinguisher = cur.bytes(8, 'peer distinguisher');
  const v6 = peerType === PEER_LOC_RIB ? !zero12(cur.buf, cur.pos) : (flags & FLAG_V) !== 0;
  let address: Address;
  if (v6) address = { family: 6, bytes: cur.bytes(16, 'peer address') };
  else {
    cur.skip(12, 'peer address padding');
    address = { family: 4, bytes: cur.bytes(4, 'peer address') };
  }
  const asn = cur.u32('peer AS');
  const bgpId: Address = { family: 4, bytes: cur.bytes(4, 'peer BGP ID') };
  const seconds = cur.u32('timestamp seconds');
  const microseconds = cur.u32('timestamp microseconds');
  return { peerType, flags, distinguisher, address, asn, bgpId, seconds, microseconds };
}

export function encodePerPeerHeader(h: PerPeerHeader, w: Writer): void {
  w.u8(h.peerType).u8(h.flags).bytes(h.distinguisher);
  if (h.address.family === 4) {
    for (let i = 0; i < 12; i++) w.u8(0);
  }
  w.bytes(h.address.bytes).u32(h.asn).bytes(h.bgpId.bytes).u32(h.seconds).u32(h.microseconds);
}

/** Which RIB the header's flags say the routes belong to. */
export function peerTable(peerType: number, flags: number): RouteTable {
  if (peerType === PEER_LOC_RIB) return 'loc-rib';
  const post = (flags & FLAG_L) !== 0;
  if ((flags & FLAG_O) !== 0) return post ? 'adj-rib-out-post' : 'adj-rib-out-pre';
  return post ? 'adj-rib-in-post' : 'adj-rib-in-pre';
}

/** The header's timestamp in ms since the epoch; 0 when the router did not set one. */
export function peerTime(h: PerPeerHeader): number {
  return h.seconds * 1000 + Math.floor(h.microseconds / 1000);
}

const HEX = '0123456789abcdef';

/** The distinguisher as 16 hex digits, or undefined when it is all zero (global peers). */
export function distinguisherHex(d: Uint8Array): string | undefined {
  let any = 0;
  for (let i = 0; i < d.length; i++) any |= d[i];
  if (any === 0) return undefined;
  let s = '';
  for (let i = 0; i < d.length; i++) s += HEX[d[i] >>> 4] + HEX[d[i] & 15];
  return s;
}
