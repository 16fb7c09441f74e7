// A whole BGP message: header (RFC 4271 4.1) then the body for its type; framing of a
// byte stream into messages (as GoBGP's SplitBGP does). Lengths up to 4,096, or 65,535
// with ctx.extendedMessage (RFC 8654).
import { Cursor, Writer } from '../cursor.ts';
import { DecodeError } from '../errors.ts';
import {
  HEADER_LENGTH,
  MSG_KEEPALIVE,
  MSG_NOTIFICATION,
  MSG_OPEN,
  MSG_ROUTE_REFRESH,
  MSG_UPDATE,
  checkLengthAndType,
  checkMarker,
  decodeHeader,
  encodeHeader,
} from './header.ts';
import { decodeKeepalive, encodeKeepalive } from './keepalive.ts';
import { decodeNotification, encodeNotification } from './notification.ts';
import { decodeOpen, encodeOpen } from './open.ts';
import { decodeRouteRefresh, encodeRouteRefresh } from './route-refresh.ts';
import type { BgpMessage, DecodeContext } from './types.ts';
import { decodeUpdate, encodeUpdate } from './update.ts';

/** Reads one message from `cur` (header and body) and moves past it. */
export function readBgpMessage(cur: Cursor, ctx: DecodeContext): BgpMessage {
  const at = cur.pos;
  const h = decodeHeader(cur, ctx);
  if (h.length - HEADER_LENGTH > cur.end - cur.pos) {
    throw new DecodeError('bgp', 'message-truncated', at, `message length ${h.length}, ${cur.end - at} byte(s) available`);
  }
  const body = cur.sub(h.length - HEADER_LENGTH, 'message body', 'bgp');
  switch (h.type) {
    case MSG_OPEN: return decodeOpen(body);
    case MSG_UPDATE: return decodeUpdate(body, ctx);
    case MSG_NOTIFICATION: return decodeNotification(body);
    case MSG_KEEPALIVE: return decodeKeepalive(body);
    default: return decodeRouteRefresh(body); // MSG_ROUTE_REFRESH; decodeHeader rejected other types
  }
}

/** Decodes exactly one message that fills `bytes`. */
export function decodeBgpMessage(bytes: Uint8Array, ctx: DecodeContext): BgpMessage {
  const cur = new Cursor(bytes, 0, bytes.length, 'bgp');
  const m = readBgpMessage(cur, ctx);
  if (!cur.atEnd) throw new DecodeError('bgp', 'trailing-bytes', cur.pos, `${cur.remaining} byte(s) after the message`);
  return m;
}

/**
 * Framing: the length of the complete message starting at `offset`, or 0 when more bytes
 * are needed. Throws on a bad marker (as soon as a wrong marker byte is seen), length or type.
 */
export function splitBgpMessage(buf: Uint8Array, offset: number, ctx: DecodeContext): number {
  const avail = buf.length - offset;
  if (avail < HEADER_LENGTH) {
    if (avail > 0) checkMarker(buf, offset, Math.min(avail, 16));
    return 0;
  }
  checkMarker(buf, offset, 16);
  const length = (buf[offset + 16] << 8) | buf[offset + 17];
  checkLengthAndType(length, buf[offset + 18], offset, ctx);
  return length <= avail ? length : 0;
}

function typeOf(m: BgpMessage): number {
  switch (m.kind) {
    case 'open': return MSG_OPEN;
    case 'update': return MSG_UPDATE;
    case 'notification': return MSG_NOTIFICATION;
    case 'keepalive': return MSG_KEEPALIVE;
    case 'route-refresh': return MSG_ROUTE_REFRESH;
  }
}

/** The whole message, header included. Throws RangeError if it exceeds the maximum length. */
export function encodeBgpMessage(m: BgpMessage, ctx: DecodeContext): Uint8Array {
  const body = new Writer(256);
  switch (m.kind) {
    case 'open': encodeOpen(m, body); break;
    case 'update': encodeUpdate(m, body, ctx); break;
    case 'notification': encodeNotification(m, body); break;
    case 'keepalive': encodeKeepalive(m, body); break;
    case 'route-refresh': encodeRouteRefresh(m, body); break;
  }
  const length = HEADER_LENGTH + body.length;
  const max = ctx.extendedMessage === true ? 65535 : 4096;
  if (length > max) throw new RangeError(`BGP message of ${length} bytes exceeds ${max}`);
  const w = new Writer(length);
  encodeHeader({ length, type: typeOf(m) }, w);
  w.bytes(body.finish());
  return w.finish();
}
