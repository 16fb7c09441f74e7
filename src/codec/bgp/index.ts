// The BGP codec's public surface (RFC 4271 and extensions); see each file for its RFC.
export * from './types.ts';
export { decodeNlri, decodeNlriInto, encodeNlri, addPathOn } from './nlri.ts';
export {
  decodePathAttributes,
  encodePathAttributes,
  encodePathAttribute,
  attributeType,
  malformedAction,
  checkMandatory,
  type DecodedAttributes,
} from './attrs/index.ts';
export { AS_TRANS, asPathCount, effectiveAggregator, effectiveAsPath, mergeAs4Path } from './as4.ts';
export { formatExtendedCommunity, toAsPath, toRouteAttributes } from './route-attributes.ts';
export { decodeHeader, encodeHeader, HEADER_LENGTH, MAX_MESSAGE_LENGTH, MAX_EXTENDED_MESSAGE_LENGTH, type BgpHeader } from './header.ts';
export { decodeOpen, encodeOpen } from './open.ts';
export { decodeCapability, encodeCapability } from './capabilities.ts';
export { decodeUpdate, encodeUpdate } from './update.ts';
export { decodeNotification, encodeNotification } from './notification.ts';
export { decodeKeepalive, encodeKeepalive } from './keepalive.ts';
export { decodeRouteRefresh, encodeRouteRefresh } from './route-refresh.ts';
export { decodeBgpMessage, encodeBgpMessage, readBgpMessage, splitBgpMessage } from './message.ts';
