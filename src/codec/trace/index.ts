// Traceroute outputs -> Trace (src/model/trace.ts). Pure: text or JSON in, Trace out;
// malformed input throws DecodeError (layer 'trace') and nothing else.
export { type TraceContext } from './common.ts';
export { decodeMtrJson, decodeMtrRaw } from './mtr.ts';
export { decodeScamperJson, decodeScamperTrace, type ScamperDecoded, type ScamperSkipped } from './scamper.ts';
export { decodeTraceroute, decodeTracerouteTexts } from './traceroute.ts';
export { decodeAtlasResult, decodeAtlasResults } from './atlas.ts';
