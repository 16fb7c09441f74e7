// UPDATE: RFC 4271 section 4.3, error handling per RFC 7606.
//   withdrawn routes length (2) | withdrawn routes (IPv4 unicast NLRI)
//   total path attribute length (2) | path attributes
//   NLRI (IPv4 unicast) to the end of the message
// The IPv4 NLRI and withdrawn routes carry path ids when ADD-PATH is on for "1/1".
// Framing errors (lengths that overrun, bad NLRI in the two IPv4 fields) throw: RFC 7606
// 5.3 has no treat-as-withdraw for them. Attribute problems are warnings (attrs/index.ts).
import type { Cursor, Writer } from '../cursor.ts';
import { DecodeError } from '../errors.ts';
import { checkMandatory, decodePathAttributes, encodePathAttributes } from './attrs/index.ts';
import { addPathOn, decodeNlri, encodeNlri } from './nlri.ts';
import type { DecodeContext, Nlri, UpdateMessage } from './types.ts';

const NO_NLRI: readonly Nlri[] = [];

export function decodeUpdate(cur: Cursor, ctx: DecodeContext): UpdateMessage {
  const at = cur.pos;
  if (cur.end - at < 4) throw new DecodeError('bgp', 'update-truncated', at, `UPDATE body needs 4 bytes, ${cur.end - at} left`);
  const addPath = addPathOn(ctx, 1, 1);
  const wlen = cur.u16('withdrawn routes length');
  if (wlen + 2 > cur.end - cur.pos) {
    throw new DecodeError('bgp', 'withdrawn-overrun', at, `withdrawn routes length ${wlen} leaves no room for the attributes length`);
  }
  const wcur = cur.sub(wlen, 'withdrawn routes');
  const withdrawn = wlen === 0 ? NO_NLRI : decodeNlri(wcur, 4, addPath);
  const alenAt = cur.pos;
  const alen = cur.u16('total path attribute length');
  if (alen > cur.end - cur.pos) {
    throw new DecodeError('bgp', 'attributes-overrun', alenAt, `path attribute length ${alen}, ${cur.end - cur.pos} byte(s) left`);
  }
  const acur = cur.sub(alen, 'path attributes', 'attr');
  const { attributes, warnings, treatAsWithdraw } = decodePathAttributes(acur, ctx);
  const nlri = cur.atEnd ? NO_NLRI : decodeNlri(cur, 4, addPath);
  let mpNlri = false;
  for (const a of attributes) if (a.kind === 'mp-reach' && (a.nlri.length > 0 || a.raw !== undefined)) mpNlri = true;
  const missing = checkMandatory(attributes, nlri.length > 0, mpNlri, warnings, alenAt);
  return { kind: 'update', withdrawn, attributes, nlri, warnings, treatAsWithdraw: treatAsWithdraw || missing };
}

export function encodeUpdate(m: UpdateMessage, w: Writer, ctx: DecodeContext): void {
  const addPath = addPathOn(ctx, 1, 1);
  let done = w.lengthPrefix(2);
  encodeNlri(m.withdrawn, w, addPath);
  done();
  done = w.lengthPrefix(2);
  encodePathAttributes(m.attributes, w, ctx);
  done();
  encodeNlri(m.nlri, w, addPath);
}
