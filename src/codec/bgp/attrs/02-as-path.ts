// AS_PATH, type 2, well-known mandatory: RFC 4271 section 4.3 (b), 5.1.2; AS numbers are
// 2 octets between OLD speakers and 4 octets once both sides advertise the 4-octet AS
// capability (RFC 6793 section 4); segment types 3 and 4 from RFC 5065 section 3.
//   value: repeated { segment type (1), AS count (1), AS numbers (count * 2 or 4) }
//   type: 1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET
// Malformed (unknown segment type, zero-length segment, overrun, a lone trailing byte):
// treat-as-withdraw, RFC 7606 section 7.2. The same segment reader serves AS4_PATH.
import type { Cursor, Writer } from '../../cursor.ts';
import type { AsPathSegment, AsPathSegmentKind, AttrOf } from '../types.ts';

const KINDS: readonly AsPathSegmentKind[] = ['set', 'sequence', 'confed-sequence', 'confed-set'];
const AS_TRANS = 23456;

export function decodeAsPathSegments(cur: Cursor, asSize: 2 | 4): AsPathSegment[] {
  const segments: AsPathSegment[] = [];
  while (cur.pos < cur.end) {
    const left = cur.end - cur.pos;
    if (left < 2) cur.fail('as-path-underrun', `AS path: ${left} byte left, a segment header needs 2`);
    const at = cur.pos;
    const type = cur.u8('segment type');
    const count = cur.u8('segment length');
    if (type < 1 || type > 4) cur.fail('as-path-segment-type', `AS path segment type ${type} is not 1..4`, at);
    if (count === 0) cur.fail('as-path-segment-empty', 'AS path segment with 0 AS numbers', at);
    if (count * asSize > cur.end - cur.pos) {
      cur.fail('as-path-segment-overrun', `AS path segment of ${count} AS overruns the attribute by ${count * asSize - (cur.end - cur.pos)} byte(s)`, at);
    }
    const asns: number[] = [];
    if (asSize === 4) for (let i = 0; i < count; i++) asns.push(cur.u32('AS number'));
    else for (let i = 0; i < count; i++) asns.push(cur.u16('AS number'));
    segments.push({ kind: KINDS[type - 1], asns });
  }
  return segments;
}

export function encodeAsPathSegments(segments: readonly AsPathSegment[], w: Writer, asSize: 2 | 4): void {
  for (const seg of segments) {
    const type = KINDS.indexOf(seg.kind) + 1;
    // A segment holds at most 255 AS numbers; longer ones are split (RFC 4271 9.2.2.1 does the same when prepending).
    for (let from = 0; from < seg.asns.length; from += 255) {
      const part = seg.asns.slice(from, from + 255);
      w.u8(type).u8(part.length);
      for (const asn of part) {
        if (asSize === 4) w.u32(asn);
        else w.u16(asn > 0xffff ? AS_TRANS : asn); // RFC 6793 4.2.2: AS_TRANS stands in for a 4-octet AS
      }
    }
  }
}

export function decodeAsPath(cur: Cursor, flags: number, as4: boolean): AttrOf<'as-path'> {
  const segments = decodeAsPathSegments(cur, as4 ? 4 : 2);
  return { kind: 'as-path', flags, segments, as4 };
}

export function encodeAsPath(a: AttrOf<'as-path'>, w: Writer): void {
  encodeAsPathSegments(a.segments, w, a.as4 ? 4 : 2);
}
