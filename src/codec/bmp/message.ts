// One whole BMP message: the common header (framing.ts) and the body for its type.
// Unknown types come back as { kind: 'unknown', type, raw } (the traffic-reproducer
// capture has Huawei's non-standard type 100) and re-encode unchanged.
import { Cursor, Writer } from '../cursor.ts';
import { DecodeError } from '../errors.ts';
import { DEFAULT_MAX_MESSAGE_LENGTH, decodeCommonHeader, encodeCommonHeader } from './framing.ts';
import { decodeInitiation, encodeInitiation } from './initiation.ts';
import { decodePeerDown, encodePeerDown } from './peer-down.ts';
import { decodePeerUp, encodePeerUp } from './peer-up.ts';
import { decodeRouteMirroring, encodeRouteMirroring } from './route-mirroring.ts';
import { decodeRouteMonitoring, encodeRouteMonitoring } from './route-monitoring.ts';
import { decodeStatistics, encodeStatistics } from './statistics.ts';
import { decodeTermination, encodeTermination } from './termination.ts';
import {
  type BmpMessage,
  COMMON_HEADER_LENGTH,
  MSG_INITIATION,
  MSG_PEER_DOWN,
  MSG_PEER_UP,
  MSG_ROUTE_MIRRORING,
  MSG_ROUTE_MONITORING,
  MSG_STATISTICS,
  MSG_TERMINATION,
} from './types.ts';

/** Decodes the body of a message of `type` (everything after the common header). */
export function decodeBmpBody(type: number, body: Cursor): BmpMessage {
  switch (type) {
    case MSG_ROUTE_MONITORING: return decodeRouteMonitoring(body);
    case MSG_STATISTICS: return decodeStatistics(body);
    case MSG_PEER_DOWN: return decodePeerDown(body);
    case MSG_PEER_UP: return decodePeerUp(body);
    case MSG_INITIATION: return decodeInitiation(body);
    case MSG_TERMINATION: return decodeTermination(body);
    case MSG_ROUTE_MIRRORING: return decodeRouteMirroring(body);
    default: return { kind: 'unknown', type, raw: body.rest() };
  }
}

/**
 * Decodes exactly one message that fills `bytes` (as framed by splitBmp). Offsets in
 * errors are relative to `bytes`.
 */
export function decodeBmpMessage(bytes: Uint8Array, maxLength = DEFAULT_MAX_MESSAGE_LENGTH): BmpMessage {
  const cur = new Cursor(bytes, 0, bytes.length, 'bmp');
  const h = decodeCommonHeader(cur, maxLength);
  if (h.length !== bytes.length) {
    throw new DecodeError('bmp', 'length-mismatch', 1, `message length ${h.length}, ${bytes.length} byte(s) given`);
  }
  return decodeBmpBody(h.type, cur.sub(h.length - COMMON_HEADER_LENGTH, 'message body'));
}

export function bmpMessageType(m: BmpMessage): number {
  switch (m.kind) {
    case 'route-monitoring': return MSG_ROUTE_MONITORING;
    case 'statistics': return MSG_STATISTICS;
    case 'peer-down': return MSG_PEER_DOWN;
    case 'peer-up': return MSG_PEER_UP;
    case 'initiation': return MSG_INITIATION;
    case 'termination': return MSG_TERMINATION;
    case 'route-mirroring': return MSG_ROUTE_MIRRORING;
    case 'unknown': return m.type;
  }
}

function encodeBody(m: BmpMessage, w: Writer): void {
  switch (m.kind) {
    case 'route-monitoring': encodeRouteMonitoring(m, w); break;
    case 'statistics': encodeStatistics(m, w); break;
    case 'peer-down': encodePeerDown(m, w); break;
    case 'peer-up': encodePeerUp(m, w); break;
    case 'initiation': encodeInitiation(m, w); break;
    case 'termination': encodeTermination(m, w); break;
    case 'route-mirroring': encodeRouteMirroring(m, w); break;
    case 'unknown': w.bytes(m.raw); break;
  }
}

/** The whole message, common header included. */
export function encodeBmpMessage(m: BmpMessage): Uint8Array {
  const body = new Writer(256);
  encodeBody(m, body);
  const length = COMMON_HEADER_LENGTH + body.length;
  const w = new Writer(length);
  encodeCommonHeader({ length, type: bmpMessageType(m) }, w);
  w.bytes(body.finish());
  return w.finish();
}
