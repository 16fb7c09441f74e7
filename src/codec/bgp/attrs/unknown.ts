// Any attribute type this codec does not interpret (RFC 4271 section 5: optional
// attributes may be unrecognised; transitive ones are passed on with the Partial bit).
//   value: kept as a view and re-encoded unchanged, flags included.
import type { Cursor, Writer } from '../../cursor.ts';
import type { AttrOf } from '../types.ts';

export function decodeUnknownAttribute(cur: Cursor, flags: number, type: number): AttrOf<'unknown'> {
  return { kind: 'unknown', flags, type, raw: cur.rest() };
}

export function encodeUnknownAttribute(a: AttrOf<'unknown'>, w: Writer): void {
  w.bytes(a.raw);
}
