// NOTIFICATION: RFC 4271 section 4.5.
//   error code (1) | error subcode (1) | data (rest of the message)
// The cursor covers the message body (after the 19-byte header).
import type { Cursor, Writer } from '../cursor.ts';
import { DecodeError } from '../errors.ts';
import type { NotificationMessage } from './types.ts';

export function decodeNotification(cur: Cursor): NotificationMessage {
  if (cur.end - cur.pos < 2) throw new DecodeError('bgp', 'notification-truncated', cur.pos, `NOTIFICATION body needs 2 bytes, ${cur.end - cur.pos} left`);
  const code = cur.u8('error code');
  const subcode = cur.u8('error subcode');
  return { kind: 'notification', code, subcode, data: cur.rest() };
}

export function encodeNotification(m: NotificationMessage, w: Writer): void {
  w.u8(m.code).u8(m.subcode).bytes(m.data);
}
