// BGP message header: RFC 4271 section 4.1; maximum length 65,535 with RFC 8654.
//   marker (16) all ones | length (2) whole message incl. header, 19..4096 | type (1)
//   type: 1 OPEN, 2 UPDATE, 3 NOTIFICATION, 4 KEEPALIVE, 5 ROUTE-REFRESH (RFC 2918)
// Each type's minimum length is checked here too (RFC 4271 6.1 "Bad Message Length").
import type { Cursor, Writer } from '../cursor.ts';
import { DecodeError } from '../errors.ts';
import type { DecodeContext } from './types.ts';

export const HEADER_LENGTH = 19;
export const MAX_MESSAGE_LENGTH = 4096;
export const MAX_EXTENDED_MESSAGE_LENGTH = 65535;

export const MSG_OPEN = 1;
export const MSG_UPDATE = 2;
export const MSG_NOTIFICATION = 3;
export const MSG_KEEPALIVE = 4;
export const MSG_ROUTE_REFRESH = 5;

export interface BgpHeader {
  /** Whole message length, header included. */
  readonly length: number;
  readonly type: number;
}

/** Smallest valid length for each type (index = type); KEEPALIVE is exactly 19. */
const MIN_LENGTH = [0, 29, 23, 21, 19, 23];

/** Checks the marker at `at`, up to `n` bytes of it; throws bgp/bad-marker. */
export function checkMarker(buf: Uint8Array, at: number, n: number): void {
  for (let i = 0; i < n; i++) {
    if (buf[at + i] !== 0xff) throw new DecodeError('bgp', 'bad-marker', at + i, `marker byte ${i} is 0x${buf[at + i].toString(16)}, not 0xff`);
  }
}

/** Validates length and type of a header whose 19 bytes are at `at`. */
export function checkLengthAndType(length: number, type: number, at: number, ctx: DecodeContext): void {
  const max = ctx.extendedMessage === true ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
  if (length < HEADER_LENGTH) throw new DecodeError('bgp', 'length-too-short', at + 16, `message length ${length} < 19`);
  if (length > max) throw new DecodeError('bgp', 'length-too-long', at + 16, `message length ${length} > ${max}`);
  if (type < 1 || type > 5) throw new DecodeError('bgp', 'bad-type', at + 18, `message type ${type} is not 1..5`);
  if (length < MIN_LENGTH[type] || (type === MSG_KEEPALIVE && length !== HEADER_LENGTH)) {
    throw new DecodeError('bgp', 'length-for-type', at + 16, `message length ${length} is invalid for type ${type}`);
  }
}

export function decodeHeader(cur: Cursor, ctx: DecodeContext): BgpHeader {
  const at = cur.pos;
  if (cur.end - at < HEADER_LENGTH) {
    throw new DecodeError('bgp', 'header-truncated', at, `header needs 19 bytes, ${cur.end - at} left`);
  }
  checkMarker(cur.buf, at, 16);
  cur.skip(16, 'marker');
  const length = cur.u16('message length');
  const type = cur.u8('message type');
  checkLengthAndType(length, type, at, ctx);
  return { length, type };
}

export function encodeHeader(h: BgpHeader, w: Writer): void {
  for (let i = 0; i < 16; i++) w.u8(0xff);
  w.u16(h.length).u8(h.type);
}
