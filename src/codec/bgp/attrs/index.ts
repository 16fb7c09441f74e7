// Path attributes block: RFC 4271 section 4.3, error handling per RFC 7606.
//   repeated { flags (1), type (1), length (1, or 2 when flags & 0x10), value (length) }
//   flags: 0x80 optional, 0x40 transitive, 0x20 partial, 0x10 extended length
//
// Framing failures (a header or a value running past the block) depend on the caller
// (PathAttributesOptions.framing):
// - 'throw' (the default; MRT TABLE_DUMP / TABLE_DUMP_V2 attribute blocks, the bgpdump
//   reader and the replay tool, which rely on the DecodeError and its offset): throw.
// - 'treat-as-withdraw' (decodeUpdate, once it has checked that the Total Path Attribute
//   Length fits the UPDATE, so the IPv4 NLRI field after the block can still be located):
//   RFC 7606 section 4 says treat-as-withdraw. The attributes decoded before the broken one
//   are returned with an AttrWarning (action 'treat-as-withdraw', code 'attr-overrun',
//   'attr-header-truncated' or 'attr-length-truncated') and treatAsWithdraw: true; the rest
//   of the block is skipped. MP_REACH_NLRI / MP_UNREACH_NLRI that are the broken attribute
//   or come after it cannot be located, so their prefixes are neither withdrawn nor
//   announced (RFC 7606 would reset the session there; a monitor cannot): only the IPv4
//   NLRI field and MP attributes decoded before the break are acted on.
// Everything else about one attribute (its length for its type, its flags, its contents)
// becomes an AttrWarning carrying the RFC's action, the attribute is left out, and
// decoding carries on.
import { type Cursor, Writer } from '../../cursor.ts';
import { DecodeError } from '../../errors.ts';
import type { AttrAction, AttrWarning, DecodeContext, PathAttribute } from '../types.ts';
import { decodeOrigin, encodeOrigin } from './01-origin.ts';
import { decodeAsPath, encodeAsPath } from './02-as-path.ts';
import { decodeNextHop, encodeNextHop } from './03-next-hop.ts';
import { decodeMed, encodeMed } from './04-med.ts';
import { decodeLocalPref, encodeLocalPref } from './05-local-pref.ts';
import { decodeAtomicAggregate, encodeAtomicAggregate } from './06-atomic-aggregate.ts';
import { decodeAggregator, encodeAggregator } from './07-aggregator.ts';
import { decodeCommunities, encodeCommunities } from './08-communities.ts';
import { decodeOriginatorId, encodeOriginatorId } from './09-originator-id.ts';
import { decodeClusterList, encodeClusterList } from './10-cluster-list.ts';
import { decodeMpReach, encodeMpReach } from './14-mp-reach-nlri.ts';
import { decodeMpUnreach, encodeMpUnreach } from './15-mp-unreach-nlri.ts';
import { decodeExtendedCommunities, encodeExtendedCommunities } from './16-extended-communities.ts';
import { decodeAs4Path, encodeAs4Path } from './17-as4-path.ts';
import { decodeAs4Aggregator, encodeAs4Aggregator } from './18-as4-aggregator.ts';
import { decodeLargeCommunities, encodeLargeCommunities } from './32-large-communities.ts';
import { decodeOnlyToCustomer, encodeOnlyToCustomer } from './35-only-to-customer.ts';
import { decodeUnknownAttribute, encodeUnknownAttribute } from './unknown.ts';

export const ATTR_ORIGIN = 1;
export const ATTR_AS_PATH = 2;
export const ATTR_NEXT_HOP = 3;
export const ATTR_MP_REACH = 14;
export const ATTR_MP_UNREACH = 15;

export interface DecodedAttributes {
  attributes: PathAttribute[];
  warnings: AttrWarning[];
  /** Some warning's action is treat-as-withdraw. */
  treatAsWithdraw: boolean;
  /** The block ended at a framing error ('treat-as-withdraw' framing): attributes after it are unknown. */
  cut?: true;
}

/** Optional and Transitive bits each known type must carry (RFC 4271 5, RFC 7606 3(c)); -1 when not checked. */
function expectedFlags(type: number): number {
  switch (type) {
    case 1: case 2: case 3: case 5: case 6:
      return 0x40; // well-known
    case 4: case 9: case 10: case 14: case 15:
      return 0x80; // optional non-transitive
    case 7: case 8: case 16: case 17: case 18: case 32: case 35:
      return 0xc0; // optional transitive
    default:
      return -1;
  }
}

/** What RFC 7606 section 7 (and RFC 6793 6, RFC 8092 6, RFC 9234 5) says to do with a malformed attribute. */
export function malformedAction(type: number): AttrAction {
  switch (type) {
    case 6: case 7: case 17: case 18:
      return 'attribute-discard';
    case 14: case 15:
      return 'session-reset';
    default:
      return 'treat-as-withdraw';
  }
}

/**
 * RFC 7606 3(c): conflicting Optional/Transitive bits are treat-as-withdraw unless the
 * attribute's own rules say otherwise. For the MP attributes the value is still decoded
 * (their NLRI are what gets withdrawn), so a flag conflict alone does not reset the session.
 */
function flagsAction(type: number): AttrAction {
  const a = malformedAction(type);
  return a === 'session-reset' ? 'treat-as-withdraw' : a;
}

function decodeOne(type: number, flags: number, v: Cursor, ctx: DecodeContext): PathAttribute {
  switch (type) {
    case 1: return decodeOrigin(v, flags);
    case 2: return decodeAsPath(v, flags, ctx.as4);
    case 3: return decodeNextHop(v, flags);
    case 4: return decodeMed(v, flags);
    case 5: return decodeLocalPref(v, flags);
    case 6: return decodeAtomicAggregate(v, flags);
    case 7: return decodeAggregator(v, flags, ctx.as4);
    case 8: return decodeCommunities(v, flags);
    case 9: return decodeOriginatorId(v, flags);
    case 10: return decodeClusterList(v, flags);
    case 14: return decodeMpReach(v, flags, ctx);
    case 15: return decodeMpUnreach(v, flags, ctx);
    case 16: return decodeExtendedCommunities(v, flags);
    case 17: return decodeAs4Path(v, flags);
    case 18: return decodeAs4Aggregator(v, flags);
    case 32: return decodeLargeCommunities(v, flags);
    case 35: return decodeOnlyToCustomer(v, flags);
    default: return decodeUnknownAttribute(v, flags, type);
  }
}

function warning(type: number, action: AttrAction, code: string, offset: number, message: string): AttrWarning {
  return { kind: 'attr-warning', type, action, code, offset, message };
}

export interface PathAttributesOptions {
  /**
   * What a header or length running past the block does: 'throw' a DecodeError (default),
   * or 'treat-as-withdraw' (RFC 7606 section 4; only for an UPDATE whose Total Path
   * Attribute Length is consistent with the message). See the top of this file.
   */
  readonly framing?: 'throw' | 'treat-as-withdraw';
}

/** Decodes every attribute up to the end of `cur`. */
export function decodePathAttributes(cur: Cursor, ctx: DecodeContext, opts?: PathAttributesOptions): DecodedAttributes {
  const attributes: PathAttribute[] = [];
  const warnings: AttrWarning[] = [];
  let treatAsWithdraw = false;
  const lenient = opts?.framing === 'treat-as-withdraw';
  /** A framing error: thrown, or (lenient) the block ends here, treat-as-withdraw. */
  const framing = (type: number, code: string, offset: number, message: string): DecodedAttributes => {
    if (!lenient) throw new DecodeError('attr', code, offset, message);
    warnings.push(warning(type, 'treat-as-withdraw', code, offset, message));
    cur.pos = cur.end;
    return { attributes, warnings, treatAsWithdraw: true, cut: true };
  };
  // Types seen so far, for RFC 7606 3(g): a bit per type below 64, a list above.
  let seenLo = 0;
  let seenHi = 0;
  let seenRest: number[] | undefined;
  const end = cur.end;
  while (cur.pos < end) {
    const start = cur.pos;
    if (end - start < 3) {
      const t = end - start >= 2 ? cur.buf[start + 1] : 0;
      return framing(t, 'attr-header-truncated', start, `attribute header needs 3 bytes, ${end - start} left`);
    }
    const flags = cur.u8('attribute flags');
    const type = cur.u8('attribute type');
    let len: number;
    if ((flags & 0x10) !== 0) {
      if (end - cur.pos < 2) return framing(type, 'attr-length-truncated', start, `type ${type}: extended length needs 2 bytes`);
      len = cur.u16('attribute length');
    } else {
      len = cur.u8('attribute length');
    }
    if (len > end - cur.pos) {
      return framing(type, 'attr-overrun', start, `type ${type}: length ${len} overruns the attributes by ${len - (end - cur.pos)} byte(s)`);
    }
    const v = cur.sub(len, 'attribute value', 'attr');

    let dup: boolean;
    if (type < 32) {
      dup = (seenLo & (1 << type)) !== 0;
      seenLo |= 1 << type;
    } else if (type < 64) {
      dup = (seenHi & (1 << (type - 32))) !== 0;
      seenHi |= 1 << (type - 32);
    } else {
      if (seenRest === undefined) seenRest = [];
      dup = seenRest.includes(type);
      if (!dup) seenRest.push(type);
    }
    if (dup) {
      // RFC 7606 3(g): repeated MP_REACH/MP_UNREACH is "Malformed Attribute List"; any other repeat is dropped.
      if (type === 14 || type === 15) {
        warnings.push(warning(type, 'session-reset', 'duplicate-mp-attribute', start, `type ${type} appears more than once`));
      } else {
        warnings.push(warning(type, 'attribute-discard', 'duplicate-attribute', start, `type ${type} appears more than once; later copies discarded`));
      }
      continue;
    }

    const want = expectedFlags(type);
    if (want !== -1 && (flags & 0xc0) !== want) {
      const action = flagsAction(type);
      warnings.push(warning(type, action, 'attr-flags', start, `type ${type}: flags 0x${flags.toString(16)}, optional/transitive should be 0x${want.toString(16)}`));
      if (action === 'treat-as-withdraw') treatAsWithdraw = true;
      else continue; // attribute-discard
    }

    let attr: PathAttribute;
    try {
      attr = decodeOne(type, flags, v, ctx);
    } catch (e) {
      // Only the attribute's own bounded cursor can have thrown here; its value is skipped already.
      if (!(e instanceof DecodeError)) throw e;
      const action = malformedAction(type);
      warnings.push(warning(type, action, e.code, e.offset, e.message));
      if (action === 'treat-as-withdraw') treatAsWithdraw = true;
      continue;
    }
    attributes.push(attr);
  }
  return { attributes, warnings, treatAsWithdraw };
}

/**
 * RFC 7606 3(d): a missing well-known mandatory attribute is treat-as-withdraw. ORIGIN and
 * AS_PATH are needed whenever something is announced; NEXT_HOP only for the UPDATE's own
 * (IPv4) NLRI field (RFC 4760 section 3). Appends to `warnings`; returns true if any.
 */
export function checkMandatory(
  attributes: readonly PathAttribute[],
  ipv4Nlri: boolean,
  mpNlri: boolean,
  warnings: AttrWarning[],
  offset: number,
): boolean {
  if (!ipv4Nlri && !mpNlri) return false;
  let origin = false;
  let asPath = false;
  let nextHop = false;
  for (const a of attributes) {
    if (a.kind === 'origin') origin = true;
    else if (a.kind === 'as-path') asPath = true;
    else if (a.kind === 'next-hop') nextHop = true;
  }
  // An attribute already reported as malformed is not reported again as missing.
  for (const w of warnings) {
    if (w.type === 1) origin = true;
    else if (w.type === 2) asPath = true;
    else if (w.type === 3) nextHop = true;
  }
  let any = false;
  if (!origin) {
    warnings.push(warning(1, 'treat-as-withdraw', 'missing-origin', offset, 'ORIGIN missing from an UPDATE with NLRI'));
    any = true;
  }
  if (!asPath) {
    warnings.push(warning(2, 'treat-as-withdraw', 'missing-as-path', offset, 'AS_PATH missing from an UPDATE with NLRI'));
    any = true;
  }
  if (ipv4Nlri && !nextHop) {
    warnings.push(warning(3, 'treat-as-withdraw', 'missing-next-hop', offset, 'NEXT_HOP missing from an UPDATE with IPv4 NLRI'));
    any = true;
  }
  return any;
}

/** The attribute type code of a decoded attribute. */
export function attributeType(a: PathAttribute): number {
  switch (a.kind) {
    case 'origin': return 1;
    case 'as-path': return 2;
    case 'next-hop': return 3;
    case 'med': return 4;
    case 'local-pref': return 5;
    case 'atomic-aggregate': return 6;
    case 'aggregator': return 7;
    case 'communities': return 8;
    case 'originator-id': return 9;
    case 'cluster-list': return 10;
    case 'mp-reach': return 14;
    case 'mp-unreach': return 15;
    case 'extended-communities': return 16;
    case 'as4-path': return 17;
    case 'as4-aggregator': return 18;
    case 'large-communities': return 32;
    case 'only-to-customer': return 35;
    case 'unknown': return a.type;
  }
}

function encodeValue(a: PathAttribute, w: Writer, ctx: DecodeContext): void {
  switch (a.kind) {
    case 'origin': encodeOrigin(a, w); break;
    case 'as-path': encodeAsPath(a, w); break;
    case 'next-hop': encodeNextHop(a, w); break;
    case 'med': encodeMed(a, w); break;
    case 'local-pref': encodeLocalPref(a, w); break;
    case 'atomic-aggregate': encodeAtomicAggregate(a, w); break;
    case 'aggregator': encodeAggregator(a, w); break;
    case 'communities': encodeCommunities(a, w); break;
    case 'originator-id': encodeOriginatorId(a, w); break;
    case 'cluster-list': encodeClusterList(a, w); break;
    case 'mp-reach': encodeMpReach(a, w, ctx); break;
    case 'mp-unreach': encodeMpUnreach(a, w, ctx); break;
    case 'extended-communities': encodeExtendedCommunities(a, w); break;
    case 'as4-path': encodeAs4Path(a, w); break;
    case 'as4-aggregator': encodeAs4Aggregator(a, w); break;
    case 'large-communities': encodeLargeCommunities(a, w); break;
    case 'only-to-customer': encodeOnlyToCustomer(a, w); break;
    case 'unknown': encodeUnknownAttribute(a, w); break;
  }
}

/**
 * Writes one attribute: the flags as given, plus the extended-length bit when the value
 * exceeds 255 bytes (a flag already set is kept, so decoded attributes re-encode unchanged).
 */
export function encodePathAttribute(a: PathAttribute, w: Writer, ctx: DecodeContext): void {
  const tmp = new Writer(64);
  encodeValue(a, tmp, ctx);
  const value = tmp.finish();
  if (value.length > 0xffff) throw new RangeError(`attribute type ${attributeType(a)} value of ${value.length} bytes exceeds 65535`);
  const ext = (a.flags & 0x10) !== 0 || value.length > 255;
  w.u8(ext ? a.flags | 0x10 : a.flags).u8(attributeType(a));
  if (ext) w.u16(value.length);
  else w.u8(value.length);
  w.bytes(value);
}

export function encodePathAttributes(attributes: readonly PathAttribute[], w: Writer, ctx: DecodeContext): void {
  for (const a of attributes) encodePathAttribute(a, w, ctx);
}
