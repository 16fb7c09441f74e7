// UPDATE: RFC 4271 section 4.3, error handling per RFC 7606.
//   withdrawn routes length (2) | withdrawn routes (IPv4 unicast NLRI)
//   total path attribute length (2) | path attributes
//   NLRI (IPv4 unicast) to the end of the message
// The IPv4 NLRI and withdrawn routes carry path ids when ADD-PATH is on for "1/1".
// Only lengths that overrun the message throw. Attribute problems are warnings
// (attrs/index.ts), an attribute running past the attributes block included (RFC 7606
// section 4: treat-as-withdraw, since the NLRI field can still be located). A bad prefix in the withdrawn routes or NLRI field is an RFC 7606 5.3
// session-reset warning with attribute type 0; the prefixes before it are kept, as
// bgpdump does, so a monitor still sees what the peer did send.
import type { Cursor, Writer } from '../cursor.ts';
import { DecodeError } from '../errors.ts';
import { checkMandatory, decodePathAttributes, encodePathAttributes } from './attrs/index.ts';
import { addPathOn, decodeNlriInto, encodeNlri } from './nlri.ts';
import type { AttrWarning, DecodeContext, Nlri, UpdateMessage } from './types.ts';

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
  const alenAt = cur.pos;
  const alen = cur.u16('total path attribute length');
  if (alen > cur.end - cur.pos) {
    throw new DecodeError('bgp', 'attributes-overrun', alenAt, `path attribute length ${alen}, ${cur.end - cur.pos} byte(s) left`);
  }
  // The block fits the message, so the NLRI field after it can be located: an attribute
  // running past the block is treat-as-withdraw (RFC 7606 section 4), not a DecodeError.
  const { attributes, warnings, treatAsWithdraw, cut } = decodePathAttributes(cur.sub(alen, 'path attributes', 'attr'), ctx, { framing: 'treat-as-withdraw' });
  const withdrawn = wlen === 0 ? NO_NLRI : prefixField(wcur, addPath, warnings, 'withdrawn routes');
  const nlri = cur.atEnd ? NO_NLRI : prefixField(cur, addPath, warnings, 'NLRI');
  let mpNlri = false;
  for (const a of attributes) if (a.kind === 'mp-reach' && (a.nlri.length > 0 || a.raw !== undefined)) mpNlri = true;
  // After a cut block "missing" attributes may just be past the cut: no such warnings.
  const missing = cut !== true && checkMandatory(attributes, nlri.length > 0, mpNlri, warnings, alenAt);
  return { kind: 'update', withdrawn, attributes, nlri, warnings, treatAsWithdraw: treatAsWithdraw || missing };
}

/** One IPv4 prefix field; a bad prefix becomes a session-reset warning, the ones before it are kept. */
function prefixField(cur: Cursor, addPath: boolean, warnings: AttrWarning[], what: string): Nlri[] {
  const out: Nlri[] = [];
  try {
    decodeNlriInto(cur, 4, addPath, out);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    warnings.push({ kind: 'attr-warning', type: 0, action: 'session-reset', code: e.code, offset: e.offset, message: `${what}: ${e.message}` });
  }
  return out;
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
