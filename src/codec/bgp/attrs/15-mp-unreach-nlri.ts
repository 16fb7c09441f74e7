// MP_UNREACH_NLRI, type 15, optional non-transitive: RFC 4760 section 4.
//   AFI (2) | SAFI (1) | withdrawn NLRI ...
// Interpreted for AFI 1/2 x SAFI 1/2 (with ADD-PATH path ids per `${afi}/${safi}`);
// other AFI/SAFI keep the whole value in `raw`.
// Malformed (shorter than 3 bytes, bad NLRI): session-reset, RFC 7606 sections 7.12, 5.3.
import type { Cursor, Writer } from '../../cursor.ts';
import { addPathOn, decodeNlri, encodeNlri } from '../nlri.ts';
import type { AttrOf, DecodeContext, Nlri } from '../types.ts';
import { isInterpretedAfiSafi } from './14-mp-reach-nlri.ts';

const NO_NLRI: readonly Nlri[] = [];

export function decodeMpUnreach(cur: Cursor, flags: number, ctx: DecodeContext): AttrOf<'mp-unreach'> {
  const start = cur.pos;
  if (cur.end - start < 3) cur.fail('mp-unreach-truncated', `MP_UNREACH_NLRI of ${cur.end - start} byte(s) is shorter than its 3 fixed bytes`);
  const afi = cur.u16('AFI');
  const safi = cur.u8('SAFI');
  if (!isInterpretedAfiSafi(afi, safi)) {
    const raw = cur.buf.subarray(start, cur.end);
    cur.pos = cur.end;
    return { kind: 'mp-unreach', flags, afi, safi, withdrawn: NO_NLRI, raw };
  }
  const withdrawn = decodeNlri(cur, afi === 1 ? 4 : 6, addPathOn(ctx, afi, safi));
  return { kind: 'mp-unreach', flags, afi, safi, withdrawn, raw: undefined };
}

export function encodeMpUnreach(a: AttrOf<'mp-unreach'>, w: Writer, ctx: DecodeContext): void {
  if (a.raw !== undefined) {
    w.bytes(a.raw);
    return;
  }
  w.u16(a.afi).u8(a.safi);
  encodeNlri(a.withdrawn, w, addPathOn(ctx, a.afi, a.safi));
}
