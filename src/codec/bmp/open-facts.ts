// What a Peer Up's OPENs say about the session, read tolerantly: RFC 4271 4.2 layout,
// RFC 9072 extended parameters, capabilities per RFC 5492 (65 = 4-octet AS, RFC 6793;
// 69 = ADD-PATH, RFC 7911; 1 = multiprotocol, RFC 4760; 6 = extended message, RFC 8654).
//
// Why not only codec/bgp's decodeOpen: that one is a BGP speaker's strict reading, and
// it rejects the whole OPEN for one malformed capability. Routers put odd capabilities in
// the OPENs they report over BMP: FRR (8.0 to 10.x) fabricates Loc-RIB Peer Up OPENs with
// an ADD-PATH capability of length 0 (seen in the pmacct 208 and NetGauze upa captures).
// A monitor must still learn 4-octet AS and ADD-PATH from the rest, so here a capability
// whose length does not fit its code is skipped and noted, and the others still count.
import { Cursor } from '../cursor.ts';
import { DecodeError } from '../errors.ts';
import type { Address } from '../../model/address.ts';

export interface OpenFacts {
  /** The 2-octet My AS field. */
  readonly myAs: number;
  /** The speaker's AS: the 4-octet AS capability's value when present, else My AS. */
  readonly asn: number;
  /** The 4-octet AS capability is present. */
  readonly as4: boolean;
  readonly holdTime: number;
  readonly bgpId: Address;
  /** ADD-PATH send/receive value (1 receive, 2 send, 3 both) per "afi/safi". */
  readonly addPath: ReadonlyMap<string, number>;
  /** Multiprotocol capabilities as "afi/safi". */
  readonly multiprotocol: readonly string[];
  readonly extendedMessage: boolean;
  /** Capabilities skipped as malformed, in words. */
  readonly problems: readonly string[];
}

const OPEN_MIN = 29;

/** Reads the facts from a whole BGP OPEN message (header included). Throws only if its fixed part is broken. */
export function openFacts(msg: Uint8Array): OpenFacts {
  const cur = new Cursor(msg, 0, msg.length, 'bgp');
  if (msg.length < OPEN_MIN) throw new DecodeError('bgp', 'open-truncated', 0, `OPEN of ${msg.length} bytes is shorter than ${OPEN_MIN}`);
  cur.skip(19, 'BGP header');
  cur.u8('version');
  const myAs = cur.u16('my AS');
  const holdTime = cur.u16('hold time');
  const bgpId: Address = { family: 4, bytes: cur.bytes(4, 'BGP identifier') };
  let plen = cur.u8('optional parameters length');
  let extended = false;
  if (plen !== 0 && !cur.atEnd && cur.buf[cur.pos] === 255) {
    // RFC 9072 2: a first parameter type of 255 marks the extended layout.
    cur.u8('extended marker');
    plen = cur.u16('extended optional parameters length');
    extended = true;
  }
  const problems: string[] = [];
  if (plen > cur.remaining) problems.push(`optional parameters length ${plen} overruns the OPEN`);
  const params = cur.sub(Math.min(plen, cur.remaining), 'optional parameters');
  let asn = myAs;
  let as4 = false;
  let extendedMessage = false;
  const addPath = new Map<string, number>();
  const multiprotocol: string[] = [];
  while (params.remaining >= (extended ? 3 : 2)) {
    const type = params.u8('parameter type');
    const len = extended ? params.u16('parameter length') : params.u8('parameter length');
    if (len > params.remaining) {
      problems.push(`parameter ${type} length ${len} overruns the OPEN`);
      break;
    }
    const p = params.sub(len, 'parameter value');
    if (type !== 2) continue;
    while (p.remaining >= 2) {
      const code = p.u8('capability code');
      const clen = p.u8('capability length');
      if (clen > p.remaining) {
        problems.push(`capability ${code} length ${clen} overruns its parameter`);
        break;
      }
      const c = p.sub(clen, 'capability value');
      if (code === 65) {
        if (clen === 4) {
          asn = c.u32('AS');
          as4 = true;
        } else problems.push(`4-octet AS capability of length ${clen}`);
      } else if (code === 69) {
        if (clen === 0 || clen % 4 !== 0) problems.push(`ADD-PATH capability of length ${clen}`);
        else while (!c.atEnd) addPath.set(`${c.u16('AFI')}/${c.u8('SAFI')}`, c.u8('send/receive'));
      } else if (code === 1) {
        if (clen === 4) {
          const afi = c.u16('AFI');
          c.u8('reserved');
          multiprotocol.push(`${afi}/${c.u8('SAFI')}`);
        } else problems.push(`multiprotocol capability of length ${clen}`);
      } else if (code === 6) extendedMessage = true;
    }
  }
  return { myAs, asn, as4, holdTime, bgpId, addPath, multiprotocol, extendedMessage, problems };
}
