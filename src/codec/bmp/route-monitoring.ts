// Route Monitoring: RFC 7854 section 4.6. Per-peer header, then one whole BGP UPDATE
// message (marker, length, type 2, body). Which RIB it describes comes from the per-peer
// header (peerTable). Decoding the UPDATE needs what only the session knows (4-octet AS
// from the A flag and the Peer Up OPENs, ADD-PATH per AFI/SAFI), so decodeRouteMonitoring
// checks the BGP header and hands back a view; decodeRouteMonitoringUpdate decodes it.
// The UPDATE may be longer than 4,096 bytes (RFC 8654 sessions), so its length is checked
// against the BMP message, not against BGP's default maximum.
import { Cursor, type Writer } from '../cursor.ts';
import { DecodeError } from '../errors.ts';
import { HEADER_LENGTH, MSG_UPDATE, checkMarker } from '../bgp/header.ts';
import { encodeBgpMessage } from '../bgp/message.ts';
import type { DecodeContext, UpdateMessage } from '../bgp/types.ts';
import { decodeUpdate } from '../bgp/update.ts';
import { decodePerPeerHeader, encodePerPeerHeader } from './per-peer-header.ts';
import type { PerPeerHeader, RouteMonitoring } from './types.ts';

/** Smallest UPDATE: header plus the two empty length fields. */
const MIN_UPDATE = HEADER_LENGTH + 4;

export function decodeRouteMonitoring(cur: Cursor): RouteMonitoring {
  const peer = decodePerPeerHeader(cur);
  const at = cur.pos;
  const left = cur.end - at;
  if (left < MIN_UPDATE) throw new DecodeError('bmp', 'rm-update-truncated', at, `Route Monitoring needs a ${MIN_UPDATE}-byte UPDATE, ${left} byte(s) left`);
  const b = cur.buf;
  checkMarker(b, at, 16);
  const length = (b[at + 16] << 8) | b[at + 17];
  if (length !== left) throw new DecodeError('bmp', 'rm-update-length', at + 16, `UPDATE length ${length}, ${left} byte(s) follow the per-peer header`);
  if (b[at + 18] !== MSG_UPDATE) throw new DecodeError('bmp', 'rm-not-update', at + 18, `BGP message type ${b[at + 18]} in Route Monitoring, expected 2 (UPDATE)`);
  return { kind: 'route-monitoring', peer, update: cur.bytes(left, 'UPDATE') };
}

/** Decodes the UPDATE of a Route Monitoring message with the session's context. */
export function decodeRouteMonitoringUpdate(m: RouteMonitoring, ctx: DecodeContext): UpdateMessage {
  return decodeUpdate(new Cursor(m.update, HEADER_LENGTH, m.update.length, 'bgp'), ctx);
}

export function encodeRouteMonitoring(m: RouteMonitoring, w: Writer): void {
  encodePerPeerHeader(m.peer, w);
  w.bytes(m.update);
}

/** Builds a Route Monitoring message from a decoded UPDATE (the replay tool's path). */
export function routeMonitoringOf(peer: PerPeerHeader, update: UpdateMessage, ctx: DecodeContext): RouteMonitoring {
  return { kind: 'route-monitoring', peer, update: encodeBgpMessage(update, { ...ctx, extendedMessage: true }) };
}
