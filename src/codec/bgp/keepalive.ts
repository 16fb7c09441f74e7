// KEEPALIVE: RFC 4271 section 4.4. The header alone; the body must be empty.
import type { Cursor, Writer } from '../cursor.ts';
import { DecodeError } from '../errors.ts';
import type { KeepaliveMessage } from './types.ts';

const KEEPALIVE: KeepaliveMessage = { kind: 'keepalive' };

export function decodeKeepalive(cur: Cursor): KeepaliveMessage {
  if (!cur.atEnd) throw new DecodeError('bgp', 'keepalive-length', cur.pos, `KEEPALIVE has ${cur.remaining} byte(s) of body`);
  return KEEPALIVE;
}

export function encodeKeepalive(_m: KeepaliveMessage, _w: Writer): void {
  // no body
}
