// The BMP codec's public surface (RFC 7854, RFC 8671, RFC 9069); see each file for its RFC.
export * from './types.ts';
export { DEFAULT_MAX_MESSAGE_LENGTH, decodeCommonHeader, encodeCommonHeader, splitBmp, splitBmpStream, type BmpCommonHeader, type SplitStream } from './framing.ts';
export { decodePerPeerHeader, encodePerPeerHeader, distinguisherHex, peerTable, peerTime } from './per-peer-header.ts';
export { decodeTlvs, encodeTlvs, findText, infoText, textTlv } from './tlv.ts';
export { decodeRouteMonitoring, decodeRouteMonitoringUpdate, encodeRouteMonitoring, routeMonitoringOf } from './route-monitoring.ts';
export { decodeStatistics, encodeStatistics, statCounters } from './statistics.ts';
export { decodePeerDown, encodePeerDown, notificationText, peerDownText } from './peer-down.ts';
export { decodePeerUp, encodePeerUp, peerUpOf } from './peer-up.ts';
export { openFacts, type OpenFacts } from './open-facts.ts';
export { decodeInitiation, encodeInitiation } from './initiation.ts';
export { decodeTermination, encodeTermination, terminationReason, terminationReasonText } from './termination.ts';
export { decodeRouteMirroring, encodeRouteMirroring } from './route-mirroring.ts';
export { bmpMessageType, decodeBmpBody, decodeBmpMessage, encodeBmpMessage } from './message.ts';
