// BMP common header and stream framing: RFC 7854 section 4.1.
//   version (1) = 3 | message length (4), whole message incl. this header | message type (1)
// Framing lives here, from the header alone (as GoBGP's SplitBMP does): a TCP stream is cut
// into messages by `splitBmp`, which never looks past the header. A version other than 3
// (BMP v1/v2 had no length field; the v4 drafts change the body layout) or an impossible
// length means message boundaries can no longer be trusted, so these are thrown: the
// caller drops the session rather than guess where the next message starts.
import type { Cursor, Writer } from '../cursor.ts';
import { DecodeError } from '../errors.ts';
import { BMP_VERSION, COMMON_HEADER_LENGTH } from './types.ts';

/**
 * Default upper bound on one message. The largest legitimate message is a Peer Up with two
 * RFC 9072 OPENs or a Route Monitoring with an RFC 8654 UPDATE, both well under 256 KiB;
 * a header declaring more is a damaged stream, not a message to buffer.
 */
export const DEFAULT_MAX_MESSAGE_LENGTH = 1 << 20;

export interface BmpCommonHeader {
  readonly version: number;
  readonly length: number;
  readonly type: number;
}

function checkVersion(version: number, at: number): void {
  if (version !== BMP_VERSION) {
    throw new DecodeError('bmp', 'unsupported-version', at, `BMP version ${version}; only version ${BMP_VERSION} (RFC 7854) is supported`);
  }
}

function checkLength(length: number, at: number, max: number): void {
  if (length < COMMON_HEADER_LENGTH) throw new DecodeError('bmp', 'length-too-short', at + 1, `message length ${length} < ${COMMON_HEADER_LENGTH}`);
  if (length > max) throw new DecodeError('bmp', 'length-too-long', at + 1, `message length ${length} > ${max}`);
}

/**
 * The length of the complete message starting at `offset`, or 0 when more bytes are
 * needed. Throws DecodeError (unsupported-version, length-too-short, length-too-long) as
 * soon as the bytes present show the header is wrong.
 */
export function splitBmp(buf: Uint8Array, offset: number, maxLength = DEFAULT_MAX_MESSAGE_LENGTH): number {
  const avail = buf.length - offset;
  if (avail <= 0) return 0;
  checkVersion(buf[offset], offset);
  if (avail < 5) return 0;
  const length = declaredLength(buf, offset);
  checkLength(length, offset, maxLength);
  return length <= avail ? length : 0;
}

export function decodeCommonHeader(cur: Cursor, maxLength = DEFAULT_MAX_MESSAGE_LENGTH): BmpCommonHeader {
  const at = cur.pos;
  if (cur.end - at < COMMON_HEADER_LENGTH) {
    throw new DecodeError('bmp', 'header-truncated', at, `common header needs ${COMMON_HEADER_LENGTH} bytes, ${cur.end - at} left`);
  }
  const version = cur.u8('version');
  checkVersion(version, at);
  const length = cur.u32('message length');
  checkLength(length, at, maxLength);
  const type = cur.u8('message type');
  return { version, length, type };
}

export function encodeCommonHeader(h: { length: number; type: number }, w: Writer): void {
  w.u8(BMP_VERSION).u32(h.length).u8(h.type);
}

function declaredLength(buf: Uint8Array, at: number): number {
  return ((buf[at + 1] << 24) >>> 0) + ((buf[at + 2] << 16) | (buf[at + 3] << 8) | buf[at + 4]);
}

export interface SplitStream {
  /** Each whole message, as a view into the input. */
  readonly messages: Uint8Array[];
  /** Offset where framing stopped (input length when everything was whole). */
  readonly end: number;
  /** Why framing stopped before the end: a bad header, or an incomplete last message. */
  readonly error?: DecodeError;
}

/**
 * Frames a whole recorded stream (a capture, a file). Bytes left at the end that do not
 * make a whole message are reported as `incomplete-message` (or `incomplete-header`).
 */
export function splitBmpStream(buf: Uint8Array, maxLength = DEFAULT_MAX_MESSAGE_LENGTH): SplitStream {
  const messages: Uint8Array[] = [];
  let pos = 0;
  while (pos < buf.length) {
    let n: number;
    try {
      n = splitBmp(buf, pos, maxLength);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      return { messages, end: pos, error: e };
    }
    if (n === 0) {
      const left = buf.length - pos;
      const error =
        left < COMMON_HEADER_LENGTH
          ? new DecodeError('bmp', 'incomplete-header', pos, `stream ends inside a common header (${left} of ${COMMON_HEADER_LENGTH} bytes)`)
          : new DecodeError('bmp', 'incomplete-message', pos, `stream ends inside a message (${left} of ${declaredLength(buf, pos)} bytes)`);
      return { messages, end: pos, error };
    }
    messages.push(buf.subarray(pos, pos + n));
    pos += n;
  }
  return { messages, end: pos };
}
