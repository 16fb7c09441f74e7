// Peer Down Notification: RFC 7854 section 4.9, reason 6 from RFC 9069 5.5.
//   per-peer header | reason (1) | data
//   1 local system closed, NOTIFICATION PDU follows      2 local system closed, FSM event (2)
//   3 remote system closed, NOTIFICATION PDU follows     4 remote system closed, no data
//   5 peer de-configured (no more data for this peer)    6 local system closed, TLVs follow
//                                                          (Loc-RIB instance gone; TLV 3 = VRF/table name)
// Unknown reasons keep their data raw; reasons 4 and 5 keep stray data raw too, so a
// vendor's extra bytes never cost us the Peer Down itself.
import type { Cursor, Writer } from '../cursor.ts';
import { DecodeError } from '../errors.ts';
import { readBgpMessage, encodeBgpMessage } from '../bgp/message.ts';
import type { DecodeContext } from '../bgp/types.ts';
import { decodePerPeerHeader, encodePerPeerHeader } from './per-peer-header.ts';
import { decodeTlvs, encodeTlvs } from './tlv.ts';
import {
  DOWN_DECONFIGURED,
  DOWN_LOCAL_FSM,
  DOWN_LOCAL_NOTIFICATION,
  DOWN_LOCAL_TLV,
  DOWN_REMOTE_NOTIFICATION,
  DOWN_REMOTE_NO_DATA,
  type PeerDown,
  type PeerDownData,
} from './types.ts';

/** NOTIFICATIONs inside BMP may come from an RFC 8654 session. */
const PDU_CTX: DecodeContext = { as4: true, extendedMessage: true };
const NONE: PeerDownData = { kind: 'none' };

export function decodePeerDown(cur: Cursor): PeerDown {
  const peer = decodePerPeerHeader(cur);
  if (cur.atEnd) throw new DecodeError('bmp', 'peer-down-reason-truncated', cur.pos, 'Peer Down has no reason byte');
  const reason = cur.u8('reason');
  let data: PeerDownData;
  switch (reason) {
    case DOWN_LOCAL_NOTIFICATION:
    case DOWN_REMOTE_NOTIFICATION: {
      const at = cur.pos;
      if (cur.atEnd) throw new DecodeError('bmp', 'peer-down-notification-missing', at, `Peer Down reason ${reason} without its NOTIFICATION`);
      const m = readBgpMessage(cur, PDU_CTX);
      if (m.kind !== 'notification') throw new DecodeError('bmp', 'peer-down-not-notification', at, `Peer Down reason ${reason} carries a BGP ${m.kind}, not a NOTIFICATION`);
      if (!cur.atEnd) throw new DecodeError('bmp', 'peer-down-trailing', cur.pos, `${cur.remaining} byte(s) after the NOTIFICATION`);
      data = { kind: 'notification', notification: m };
      break;
    }
    case DOWN_LOCAL_FSM:
      if (cur.remaining !== 2) throw new DecodeError('bmp', 'peer-down-fsm-length', cur.pos, `Peer Down reason 2 needs a 2-byte FSM event, ${cur.remaining} byte(s) follow`);
      data = { kind: 'fsm-event', event: cur.u16('FSM event') };
      break;
    case DOWN_REMOTE_NO_DATA:
    case DOWN_DECONFIGURED:
      data = cur.atEnd ? NONE : { kind: 'raw', raw: cur.rest() };
      break;
    case DOWN_LOCAL_TLV:
      data = { kind: 'tlvs', tlvs: decodeTlvs(cur, 'Peer Down') };
      break;
    default:
      data = { kind: 'raw', raw: cur.rest() };
  }
  return { kind: 'peer-down', peer, reason, data };
}

export function encodePeerDown(m: PeerDown, w: Writer): void {
  encodePerPeerHeader(m.peer, w);
  w.u8(m.reason);
  const d = m.data;
  switch (d.kind) {
    case 'notification': w.bytes(encodeBgpMessage(d.notification, PDU_CTX)); break;
    case 'fsm-event': w.u16(d.event); break;
    case 'tlvs': encodeTlvs(d.tlvs, w); break;
    case 'raw': w.bytes(d.raw); break;
    case 'none': break;
  }
}

const NOTIFICATION_CODES = ['', 'message header error', 'OPEN error', 'UPDATE error', 'hold timer expired', 'FSM error', 'cease', 'ROUTE-REFRESH error'];
const CEASE_SUBCODES = [
  '',
  'maximum prefixes reached',
  'administrative shutdown',
  'peer de-configured',
  'administrative reset',
  'connection rejected',
  'other configuration change',
  'connection collision resolution',
  'out of resources',
  'hard reset',
  'BFD down',
];

/** The NOTIFICATION in words, e.g. "cease/administrative shutdown (6/2)". */
export function notificationText(code: number, subcode: number): string {
  const c = NOTIFICATION_CODES[code] || `error ${code}`;
  const s = code === 6 && CEASE_SUBCODES[subcode] ? `/${CEASE_SUBCODES[subcode]}` : '';
  return `${c}${s} (${code}/${subcode})`;
}

/** The reason of a Peer Down in words, for operators (and FeedEvent 'peer-down'). */
export function peerDownText(m: PeerDown): string {
  const d = m.data;
  switch (m.reason) {
    case DOWN_LOCAL_NOTIFICATION:
    case DOWN_REMOTE_NOTIFICATION: {
      const who = m.reason === DOWN_LOCAL_NOTIFICATION ? 'local system closed the session' : 'remote system closed the session';
      return d.kind === 'notification' ? `${who}: NOTIFICATION ${notificationText(d.notification.code, d.notification.subcode)}` : who;
    }
    case DOWN_LOCAL_FSM:
      return `local system closed the session without NOTIFICATION (FSM event ${d.kind === 'fsm-event' ? d.event : '?'})`;
    case DOWN_REMOTE_NO_DATA:
      return 'remote system closed the session without NOTIFICATION';
    case DOWN_DECONFIGURED:
      return 'peer de-configured (no longer monitored)';
    case DOWN_LOCAL_TLV:
      return 'local system closed: Loc-RIB instance no longer available';
    default:
      return `unknown reason ${m.reason}`;
  }
}
