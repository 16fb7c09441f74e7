// Route Mirroring: RFC 7854 section 4.7. Per-peer header, then TLVs: 0 BGP message (a
// whole PDU, possibly malformed: that is why it is mirrored), 1 information (2 bytes:
// 0 errored PDU, 1 messages lost). We only count these, so the TLVs stay raw.
import type { Cursor, Writer } from '../cursor.ts';
import { decodePerPeerHeader, encodePerPeerHeader } from './per-peer-header.ts';
import { decodeTlvs, encodeTlvs } from './tlv.ts';
import type { RouteMirroring } from './types.ts';

export function decodeRouteMirroring(cur: Cursor): RouteMirroring {
  const peer = decodePerPeerHeader(cur);
  return { kind: 'route-mirroring', peer, tlvs: decodeTlvs(cur, 'Route Mirroring') };
}

export function encodeRouteMirroring(m: RouteMirroring, w: Writer): void {
  encodePerPeerHeader(m.peer, w);
  encodeTlvs(m.tlvs, w);
}
