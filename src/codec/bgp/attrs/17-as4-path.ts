// AS4_PATH, type 17, optional transitive: RFC 6793 section 3 (same segment layout as
// AS_PATH, always 4-octet AS numbers).
//   value: repeated { segment type (1), AS count (1), AS numbers (count * 4) }
// Malformed: attribute-discard, RFC 6793 section 6 (RFC 7606 section 7 defers to it).
// Merging with AS_PATH is in ../as4.ts.
import type { Cursor, Writer } from '../../cursor.ts';
import type { AttrOf } from '../types.ts';
import { decodeAsPathSegments, encodeAsPathSegments } from './02-as-path.ts';

export function decodeAs4Path(cur: Cursor, flags: number): AttrOf<'as4-path'> {
  return { kind: 'as4-path', flags, segments: decodeAsPathSegments(cur, 4) };
}

export function encodeAs4Path(a: AttrOf<'as4-path'>, w: Writer): void {
  encodeAsPathSegments(a.segments, w, 4);
}
