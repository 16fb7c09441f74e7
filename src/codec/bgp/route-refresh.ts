// ROUTE-REFRESH: RFC 2918 section 3, subtype byte from RFC 7313 section 3.
//   AFI (2) | subtype (1): 0 normal, 1 BoRR, 2 EoRR (formerly reserved) | SAFI (1)
// Subtypes 1 and 2 have exactly 4 body bytes (RFC 7313 5). After a subtype 0 request,
// RFC 5291 ORF entries may follow; they are kept raw in `orf`.
import type { Cursor, Writer } from '../cursor.ts';
import { DecodeError } from '../errors.ts';
import type { RouteRefreshMessage } from './types.ts';

export function decodeRouteRefresh(cur: Cursor): RouteRefreshMessage {
  const at = cur.pos;
  if (cur.end - at < 4) throw new DecodeError('bgp', 'route-refresh-truncated', at, `ROUTE-REFRESH body needs 4 bytes, ${cur.end - at} left`);
  const afi = cur.u16('AFI');
  const subtype = cur.u8('subtype');
  const safi = cur.u8('SAFI');
  if (cur.atEnd) return { kind: 'route-refresh', afi, subtype, safi };
  if (subtype !== 0) throw new DecodeError('bgp', 'route-refresh-length', at, `ROUTE-REFRESH subtype ${subtype} with ${cur.end - at} body bytes, expected 4`);
  return { kind: 'route-refresh', afi, subtype, safi, orf: cur.rest() };
}

export function encodeRouteRefresh(m: RouteRefreshMessage, w: Writer): void {
  w.u16(m.afi).u8(m.subtype).u8(m.safi);
  if (m.orf !== undefined) w.bytes(m.orf);
}
