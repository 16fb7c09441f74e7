// RIS Live server -> client frames (JSON text, https://ris-live.ripe.net/manual/) -> FeedEvents.
//
//   {"type":"ris_message","data":{timestamp, peer, peer_asn, id, host, type, ...}}
//     UPDATE          announcements[{next_hop, prefixes[]}], withdrawals[], path, origin, ...
//     RIS_PEER_STATE  state "down" | "connected"
//     OPEN, NOTIFICATION, KEEPALIVE  (session chatter: ignored, the client counts them)
//   {"type":"ris_error","data":{"message": ...}}      the server refused something we sent
//   {"type":"ris_subscribe_ok","data":{...}}           acknowledge of one ris_subscribe
//   {"type":"pong"}                                    answer to a JSON ping
//
// Pure and total: any text gives a frame, never an exception. Every route event is
// table 'adj-rib-in-pre': a RIS collector is a passive BGP listener with no import policy;
// what RIS Live streams is each peer's full feed exactly as the collector received it,
// which is what Adj-RIB-In pre-policy means (RFC 7854 section 2).
//
// Format drift handled: `host` "rrc00" or "rrc00.ripe.net" (router is always "rrc00");
// `peer_asn` as a string (always so far) or a number; origin in any case; AS_SETs as
// nested arrays; `path` present but empty on withdrawals (ignored there); a next hop
// "global,link-local"; one prefix announced twice in one UPDATE with its global and its
// link-local next hop (one event, the global next hop). The 2018 beta format (no
// ris_message wrapper, one-letter `type`, hex `body`) is reported as 'legacy-format'.
import type { DecodeProblem, FeedEvent } from '../../model/feed-event.ts';
import { parseAddress } from '../../model/address.ts';
import { type Prefix, parsePrefix, prefixKey } from '../../model/prefix.ts';
import type { PeerRef, RouteAttributes } from '../../model/route-event.ts';
import { decodeRisAttributes, parseAsn, parseNextHop } from './attributes.ts';

/** The router name of problems that belong to no collector (bad JSON, ris_error). */
export const FEED_ROUTER = 'ris-live';

export type RisLiveFrame =
  /** A ris_message; `handled` is false for the types we ignore (OPEN, KEEPALIVE, ...). */
  | { readonly kind: 'message'; readonly type: string; readonly handled: boolean; readonly events: readonly FeedEvent[] }
  /** ris_error: one decode-error event with code 'ris-error' carrying the server's words. */
  | { readonly kind: 'ris-error'; readonly message: string; readonly events: readonly FeedEvent[] }
  | { readonly kind: 'subscribe-ok'; readonly data: unknown; readonly events: readonly FeedEvent[] }
  | { readonly kind: 'pong'; readonly events: readonly FeedEvent[] }
  /** Not JSON, not an object, an unknown or legacy frame: one decode-error event. */
  | { readonly kind: 'invalid'; readonly events: readonly FeedEvent[] };

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function problemEvent(router: string, code: string, message: string, time: number, offset = 0): FeedEvent {
  const problem: DecodeProblem = { layer: 'rislive', code, offset, message };
  return { kind: 'decode-error', source: 'ris-live', router, problem, time };
}

function invalid(code: string, message: string, received: number, offset = 0): RisLiveFrame {
  return { kind: 'invalid', events: [problemEvent(FEED_ROUTER, code, message, received, offset)] };
}

/** "rrc00.ripe.net" and "RRC00" -> "rrc00". */
export function collectorName(host: string): string {
  const h = host.trim().toLowerCase();
  return h.endsWith('.ripe.net') ? h.slice(0, -'.ripe.net'.length) : h;
}

const LEGACY_TYPES = new Set(['A', 'W', 'O', 'S', 'N']);

/** Decodes one websocket text frame. `received` is our clock (ms since epoch). */
export function decodeRisLiveFrame(text: string, received: number): RisLiveFrame {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    // V8 names the position ("... in JSON at position 42"); it is the problem's offset.
    const m = /position (\d+)/.exec(e instanceof Error ? e.message : '');
    return invalid('invalid-json', 'frame is not valid JSON', received, m ? Number(m[1]) : text.length);
  }
  if (!isObj(v)) return invalid('not-an-object', 'frame is JSON but not an object', received);
  const type = v.type;
  if (type === 'ris_message') {
    if (!isObj(v.data)) return invalid('missing-field', 'ris_message without a "data" object', received);
    return decodeMessage(v.data, received);
  }
  if (type === 'ris_error') {
    const msg = isObj(v.data) && typeof v.data.message === 'string' ? v.data.message : '(no message)';
    return { kind: 'ris-error', message: msg, events: [problemEvent(FEED_ROUTER, 'ris-error', `RIS Live server error: ${msg}`, received)] };
  }
  if (type === 'ris_subscribe_ok') return { kind: 'subscribe-ok', data: v.data, events: [] };
  if (type === 'pong') return { kind: 'pong', events: [] };
  if (typeof type === 'string' && LEGACY_TYPES.has(type) && v.data === undefined) {
    const router = typeof v.host === 'string' && v.host !== '' ? collectorName(v.host) : FEED_ROUTER;
    const message = `2018 RIS Live beta frame (type "${type}") is not supported`;
    return { kind: 'invalid', events: [problemEvent(router, 'legacy-format', message, received)] };
  }
  if (type === undefined) return invalid('missing-field', 'frame without "type"', received);
  return invalid('unknown-type', `unknown frame type ${JSON.stringify(type).slice(0, 40)}`, received);
}

/** The FeedEvents of one frame (see decodeRisLiveFrame for what a frame may be). */
export function decodeRisLiveMessage(text: string, received: number): FeedEvent[] {
  return decodeRisLiveFrame(text, received).events.slice();
}

interface Header {
  readonly router: string;
  readonly peer: PeerRef;
  readonly time: number;
}

function decodeHeader(d: Obj, received: number): Header | FeedEvent {
  const router = typeof d.host === 'string' && d.host.trim() !== '' ? collectorName(d.host) : undefined;
  const at = router ?? FEED_ROUTER;
  if (router === undefined) return problemEvent(at, 'missing-field', 'ris_message without "host"', received);
  if (typeof d.peer !== 'string') return problemEvent(at, 'missing-field', 'ris_message without "peer"', received);
  const address = parseAddress(d.peer);
  if (!address) return problemEvent(at, 'bad-peer', '"peer" is not an IP address', received);
  if (d.peer_asn === undefined) return problemEvent(at, 'missing-field', 'ris_message without "peer_asn"', received);
  const asn = parseAsn(d.peer_asn);
  if (asn === undefined) return problemEvent(at, 'bad-peer-asn', '"peer_asn" is not a 32-bit ASN', received);
  if (d.timestamp === undefined) return problemEvent(at, 'missing-field', 'ris_message without "timestamp"', received);
  // Seconds with a fraction; a numeric string is taken too (cheap insurance against drift).
  const ts = typeof d.timestamp === 'string' && d.timestamp.trim() !== '' ? Number(d.timestamp) : d.timestamp;
  // Bounded so the milliseconds stay an exact integer (a huge value would become Infinity).
  if (typeof ts !== 'number' || !(ts >= 0 && ts * 1000 <= Number.MAX_SAFE_INTEGER)) return problemEvent(at, 'bad-timestamp', '"timestamp" is not seconds since the epoch', received);
  return { router, peer: { address, asn }, time: Math.round(ts * 1000) };
}

function decodeMessage(d: Obj, received: number): RisLiveFrame {
  const type = typeof d.type === 'string' ? d.type : '';
  if (type !== 'UPDATE' && type !== 'RIS_PEER_STATE') {
    // OPEN, NOTIFICATION, KEEPALIVE: the session chatter between a collector and its peer.
    // A NOTIFICATION is followed by a RIS_PEER_STATE "down", which is what we act on.
    if (type === '') return { kind: 'message', type, handled: false, events: [problemEvent(FEED_ROUTER, 'missing-field', 'ris_message without "type"', received)] };
    return { kind: 'message', type, handled: false, events: [] };
  }
  const h = decodeHeader(d, received);
  if ('kind' in h) return { kind: 'message', type, handled: true, events: [h] };
  const events = type === 'UPDATE' ? decodeUpdate(d, h, received) : decodePeerState(d, h, received);
  return { kind: 'message', type, handled: true, events };
}

function decodePeerState(d: Obj, h: Header, received: number): FeedEvent[] {
  const base = { source: 'ris-live' as const, router: h.router, peer: h.peer, time: h.time };
  if (d.state === 'down') {
    const why = typeof d.reason === 'string' ? `: ${d.reason}` : '';
    return [{ kind: 'peer-down', ...base, reason: `ris-peer-state down${why}` }];
  }
  if (d.state === 'connected') return [{ kind: 'peer-up', ...base, table: 'adj-rib-in-pre' }];
  if (d.state === undefined) return [problemEvent(h.router, 'missing-field', 'RIS_PEER_STATE without "state"', received)];
  return [problemEvent(h.router, 'unknown-peer-state', `RIS_PEER_STATE state ${JSON.stringify(d.state).slice(0, 40)} is not down/connected`, received)];
}

function prefixList(v: unknown, field: string, h: Header, received: number, out: FeedEvent[]): Prefix[] {
  if (!Array.isArray(v)) {
    out.push(problemEvent(h.router, 'bad-field', `"${field}" is not an array`, received));
    return [];
  }
  const prefixes: Prefix[] = [];
  for (const s of v) {
    const p = typeof s === 'string' ? parsePrefix(s) : undefined;
    // One bad prefix spoils only itself; its neighbours in the list are still good.
    if (p) prefixes.push(p);
    else out.push(problemEvent(h.router, 'bad-prefix', `a "${field}" entry is not a prefix`, received));
  }
  return prefixes;
}

function decodeUpdate(d: Obj, h: Header, received: number): FeedEvent[] {
  const out: FeedEvent[] = [];
  const base = { source: 'ris-live' as const, router: h.router, peer: h.peer, table: 'adj-rib-in-pre' as const, time: h.time, received };
  // Withdrawals first: in one UPDATE an announcement of the same prefix wins (RFC 4271 9.1).
  if (d.withdrawals !== undefined) {
    for (const prefix of prefixList(d.withdrawals, 'withdrawals', h, received, out)) {
      out.push({ kind: 'route', event: { kind: 'withdraw', ...base, prefix } });
    }
  }
  if (d.announcements === undefined) return out;
  if (!Array.isArray(d.announcements)) {
    out.push(problemEvent(h.router, 'bad-field', '"announcements" is not an array', received));
    return out;
  }
  // One entry per prefix: RIS Live splits a global+link-local MP_REACH next hop into two
  // announcements of the same prefixes; the RIB must get one route, with the global hop.
  const routes = new Map<string, { prefix: Prefix; nextHop: ReturnType<typeof parseNextHop> }>();
  let nextHopBad = false;
  for (const a of d.announcements) {
    if (!isObj(a)) {
      out.push(problemEvent(h.router, 'bad-field', 'an "announcements" entry is not an object', received));
      continue;
    }
    const nextHop = parseNextHop(a.next_hop);
    if (!nextHop) nextHopBad = true;
    for (const prefix of a.prefixes === undefined ? [] : prefixList(a.prefixes, 'prefixes', h, received, out)) {
      const key = prefixKey(prefix);
      const had = routes.get(key);
      if (!had || (had.nextHop?.linkLocal && nextHop && !nextHop.linkLocal)) routes.set(key, { prefix, nextHop });
    }
  }
  if (routes.size === 0) return out;
  const r = decodeRisAttributes(d);
  if (!r.ok || nextHopBad) {
    // RFC 7606 treat-as-withdraw: what the peer had announced before is no longer valid,
    // and what it announced now cannot be believed.
    const problem = r.ok ? { code: 'bad-next-hop', message: 'an announcement\'s "next_hop" is not an address' } : r.problem;
    out.push(problemEvent(h.router, problem.code, `${problem.message}; ${routes.size} prefix(es) treated as withdrawn`, received));
    for (const { prefix } of routes.values()) out.push({ kind: 'route', event: { kind: 'withdraw', ...base, prefix } });
    return out;
  }
  if (r.discarded) out.push(problemEvent(h.router, r.discarded.code, r.discarded.message, received));
  for (const { prefix, nextHop } of routes.values()) {
    const attrs: RouteAttributes = nextHop ? { ...r.attrs, nextHop: nextHop.address } : r.attrs;
    out.push({ kind: 'route', event: { kind: 'announce', ...base, prefix, attrs } });
  }
  return out;
}
