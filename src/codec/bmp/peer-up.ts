// Peer Up Notification: RFC 7854 section 4.10 (Loc-RIB form: RFC 9069 5.3).
//   per-peer header | local address (16) | local port (2) | remote port (2)
//   sent OPEN (whole BGP message) | received OPEN (whole BGP message) | information TLVs
//   TLVs: 0 string, 3 VRF/table name (RFC 9069), 4 admin label.
// The local address family follows the peer's (V flag); an IPv4 address sits in the last
// 4 bytes. For a Loc-RIB peer the OPENs are fabricated by the router (RFC 9069 5.3) and
// the addresses may be zero, so there the family is told by the bytes.
// The OPENs stay whole BGP messages (views): only their BGP headers are checked here,
// since that is what frames the Peer Up. Their contents are read by openFacts (tolerant,
// what the session needs: 4-octet AS, ADD-PATH) or codec/bgp's decodeBgpMessage (strict).
import type { Cursor, Writer } from '../cursor.ts';
import { DecodeError } from '../errors.ts';
import { HEADER_LENGTH, MSG_OPEN, checkMarker } from '../bgp/header.ts';
import { encodeBgpMessage } from '../bgp/message.ts';
import type { OpenMessage } from '../bgp/types.ts';
import type { Address } from '../../model/address.ts';
import { decodePerPeerHeader, encodePerPeerHeader } from './per-peer-header.ts';
import { decodeTlvs, encodeTlvs } from './tlv.ts';
import { FLAG_V, type InfoTlv, PEER_LOC_RIB, type PerPeerHeader, type PeerUp } from './types.ts';

const OPEN_MIN = 29;

function readOpen(cur: Cursor, which: string): Uint8Array {
  const at = cur.pos;
  const left = cur.end - at;
  if (left < HEADER_LENGTH) throw new DecodeError('bmp', 'peer-up-open-truncated', at, `Peer Up: ${which} OPEN needs a 19-byte header, ${left} byte(s) left`);
  const b = cur.buf;
  checkMarker(b, at, 16);
  const length = (b[at + 16] << 8) | b[at + 17];
  if (b[at + 18] !== MSG_OPEN) throw new DecodeError('bmp', 'peer-up-not-open', at + 18, `Peer Up: ${which} message is BGP type ${b[at + 18]}, not OPEN (1)`);
  if (length < OPEN_MIN) throw new DecodeError('bmp', 'peer-up-open-length', at + 16, `Peer Up: ${which} OPEN length ${length} < ${OPEN_MIN}`);
  if (length > left) throw new DecodeError('bmp', 'peer-up-open-overrun', at + 16, `Peer Up: ${which} OPEN length ${length}, ${left} byte(s) left`);
  return cur.bytes(length, `${which} OPEN`);
}

export function decodePeerUp(cur: Cursor): PeerUp {
  const peer = decodePerPeerHeader(cur);
  const at = cur.pos;
  if (cur.end - at < 20) throw new DecodeError('bmp', 'peer-up-truncated', at, `Peer Up needs 20 bytes of local address and ports, ${cur.end - at} left`);
  let v6 = (peer.flags & FLAG_V) !== 0;
  if (peer.peerType === PEER_LOC_RIB) {
    v6 = false;
    for (let i = 0; i < 12; i++) if (cur.buf[at + i] !== 0) v6 = true;
  }
  let localAddress: Address;
  if (v6) localAddress = { family: 6, bytes: cur.bytes(16, 'local address') };
  else {
    cur.skip(12, 'local address padding');
    localAddress = { family: 4, bytes: cur.bytes(4, 'local address') };
  }
  const localPort = cur.u16('local port');
  const remotePort = cur.u16('remote port');
  const sentOpen = readOpen(cur, 'sent');
  const receivedOpen = readOpen(cur, 'received');
  const info = decodeTlvs(cur, 'Peer Up');
  return { kind: 'peer-up', peer, localAddress, localPort, remotePort, sentOpen, receivedOpen, info };
}

export function encodePeerUp(m: PeerUp, w: Writer): void {
  encodePerPeerHeader(m.peer, w);
  if (m.localAddress.family === 4) for (let i = 0; i < 12; i++) w.u8(0);
  w.bytes(m.localAddress.bytes).u16(m.localPort).u16(m.remotePort);
  w.bytes(m.sentOpen).bytes(m.receivedOpen);
  encodeTlvs(m.info, w);
}

/** Builds a Peer Up from decoded OPENs (the replay tool's path). */
export function peerUpOf(p: {
  peer: PerPeerHeader;
  localAddress: Address;
  localPort: number;
  remotePort: number;
  sentOpen: OpenMessage;
  receivedOpen: OpenMessage;
  info?: readonly InfoTlv[];
}): PeerUp {
  const ctx = { as4: true, extendedMessage: true };
  return {
    kind: 'peer-up',
    peer: p.peer,
    localAddress: p.localAddress,
    localPort: p.localPort,
    remotePort: p.remotePort,
    sentOpen: encodeBgpMessage(p.sentOpen, ctx),
    receivedOpen: encodeBgpMessage(p.receivedOpen, ctx),
    info: p.info ?? [],
  };
}
