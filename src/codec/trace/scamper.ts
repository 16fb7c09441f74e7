// scamper `-O json` (and sc_warts2json) output -> Trace.
//
// One JSON object per line. "trace" objects become Traces; "cycle-start",
// "cycle-stop" and "list" are bookkeeping and are passed over; anything else
// (ping, tracelb, dealias, ...) is reported in `skipped`. tracelb (MDA) is a graph
// of nodes and links, not a hop list: flattening it would throw away exactly what it
// measured, so it is left for a codec of its own.
//
// A trace's "hops" array holds replies only, flat, in probe order: several per
// probe_ttl when more than one probe was answered (ECMP shows as several addresses),
// none for a silent TTL, and no "hops" key at all when nothing answered. So:
// - hops firsthop..hop_count are all present; a silent one gets `attempts` probes;
// - at an answered TTL, scamper stops after the first answered attempt, so the probes
//   sent are the highest probe_id (attempt number, from 1) seen there. Summed, this
//   gives the header's probe_count back (checked by the tests on every fixture);
// - a second reply to the same probe_id is a duplicate: flag 'dup', not counted;
// - end time is the last reply's arrival (tx + rtt); JSON has no stop time per trace.
// ICMP unreachables become traceroute's annotations (!N !H !P !F !S !X !V !C !<code>);
// a TCP SYN-ACK / RST reply becomes 'open' / 'closed'. scamper's JSON writer spells
// the next-hop MTU key "icmp_nhmtu:" (colon inside the quotes); both spellings are read.
import type { Method, Trace } from '../../model/trace.ts';
import {
  type Json,
  type JsonObject,
  AnsweredProbes,
  HopTable,
  asArray,
  asNumber,
  asObject,
  asString,
  canonAddress,
  checkCount,
  checkMpls,
  checkRtt,
  checkTime,
  checkTtl,
  fail,
  parseJson,
  targetAnswered,
} from './common.ts';
import type { MplsEntry } from '../../model/trace.ts';

export interface ScamperSkipped {
  readonly type: string;
  /** Character offset of the object's line. */
  readonly offset: number;
}

export interface ScamperDecoded {
  readonly traces: Trace[];
  readonly skipped: ScamperSkipped[];
}

// A Map, not an object literal: a method named "constructor" must not find Object's.
const METHODS = new Map<string, Method>(Object.entries({
  'icmp-echo': 'icmp',
  'icmp-echo-paris': 'icmp-paris',
  udp: 'udp',
  'udp-paris': 'udp-paris',
  tcp: 'tcp',
  'tcp-ack': 'tcp-ack',
  'tcp-ack-sport': 'tcp-ack',
} satisfies Record<string, Method>));

const BOOKKEEPING = new Set(['cycle-start', 'cycle-stop', 'cycle-def', 'list']);

/** Decodes a whole scamper JSON output (one object per line, or a JSON array of them). */
export function decodeScamperJson(text: string): ScamperDecoded {
  const traces: Trace[] = [];
  const skipped: ScamperSkipped[] = [];
  const handle = (v: Json, offset: number) => {
    const o = asObject(v, offset, 'scamper object');
    const type = asString(o.type, offset, 'scamper object "type"');
    if (type === 'trace') traces.push(decodeScamperTrace(o, offset));
    else if (!BOOKKEEPING.has(type)) skipped.push({ type, offset });
  };
  const trimmed = text.trimStart();
  if (trimmed === '') fail('empty', 0, 'scamper output is empty');
  if (trimmed.startsWith('[')) {
    for (const v of asArray(parseJson(text, 0, 'scamper JSON array'), 0, 'scamper JSON array')) handle(v, 0);
    return { traces, skipped };
  }
  let offset = 0;
  for (const line of text.split('\n')) {
    const off = offset;
    offset += line.length + 1;
    if (line.trim() === '') continue;
    handle(parseJson(line, off, 'scamper JSON line'), off);
  }
  return { traces, skipped };
}

function optInt(o: JsonObject, key: string, offset: number, what: string): number | undefined {
  if (o[key] === undefined) return undefined;
  return checkCount(asNumber(o[key], offset, `${what} ${key}`), offset, `${what} ${key}`);
}

function timeMs(v: Json | undefined, offset: number, what: string): number {
  const t = asObject(v, offset, what);
  const sec = asNumber(t.sec, offset, `${what}.sec`);
  const usec = t.usec === undefined ? 0 : asNumber(t.usec, offset, `${what}.usec`);
  if (!Number.isInteger(sec) || !Number.isInteger(usec) || usec < 0 || usec >= 1_000_000) fail('bad-time', offset, `${what} is not whole sec/usec`);
  return checkTime(sec * 1000 + usec / 1000, offset, what);
}

/** ICMP type/code -> traceroute's annotation, or undefined for time-exceeded, echo reply, port unreachable. */
function icmpFlag(v6: boolean, type: number, code: number, mtu: number | undefined): string | undefined {
  if (!v6 && type === 3) {
    const f = ['!N', '!H', '!P', undefined, '!F', '!S'][code];
    if (code <= 5) return code === 4 && mtu ? `!F-${mtu}` : f;
    return code === 13 ? '!X' : code === 14 ? '!V' : code === 15 ? '!C' : `!${code}`;
  }
  if (v6 && type === 1) return ['!N', '!X', '!S', '!H', undefined][code] ?? (code > 4 ? `!${code}` : undefined);
  if (v6 && type === 2) return mtu ? `!F-${mtu}` : '!F';
  return undefined;
}

function mplsOf(v: Json | undefined, offset: number): MplsEntry[] {
  const out: MplsEntry[] = [];
  for (const ie of asArray(v, offset, 'scamper icmpext')) {
    const o = asObject(ie, offset, 'scamper icmpext entry');
    if (o.mpls_labels === undefined) continue;
    for (const l of asArray(o.mpls_labels, offset, 'scamper mpls_labels')) {
      const m = asObject(l, offset, 'scamper MPLS label');
      out.push(checkMpls({
        label: asNumber(m.mpls_label, offset, 'mpls_label'),
        exp: asNumber(m.mpls_exp, offset, 'mpls_exp'),
        s: asNumber(m.mpls_s, offset, 'mpls_s'),
        ttl: asNumber(m.mpls_ttl, offset, 'mpls_ttl'),
      }, offset));
    }
  }
  return out;
}

/** Decodes one scamper "trace" object. `offset` is where its line starts (for errors). */
export function decodeScamperTrace(o: JsonObject, offset = 0): Trace {
  if (o.type !== 'trace') fail('scamper-not-trace', offset, `scamper object type ${JSON.stringify(o.type)} is not "trace"`);
  const target = canonAddress(asString(o.dst, offset, 'scamper dst'), offset, 'scamper dst');
  const v6 = target.includes(':');
  const source = o.src === undefined ? undefined : canonAddress(asString(o.src, offset, 'scamper src'), offset, 'scamper src');
  const scamperMethod = asString(o.method, offset, 'scamper method');
  const method = METHODS.get(scamperMethod) ?? 'unknown';
  const stop = o.stop_reason === undefined ? undefined : asString(o.stop_reason, offset, 'scamper stop_reason').toLowerCase();
  const start = timeMs(o.start, offset, 'scamper start');
  const attempts = optInt(o, 'attempts', offset, 'scamper') ?? 1;
  const firsthop = optInt(o, 'firsthop', offset, 'scamper') ?? 1;
  const hopCount = optInt(o, 'hop_count', offset, 'scamper') ?? 0;
  if (hopCount > 255) fail('bad-ttl', offset, `scamper hop_count ${hopCount} is over 255`);
  const probeCount = optInt(o, 'probe_count', offset, 'scamper');

  const table = new HopTable();
  const maxAttempt = new Map<number, number>();
  const answered = new AnsweredProbes();
  let end = start;
  const replies = o.hops === undefined ? [] : asArray(o.hops, offset, 'scamper hops');
  replies.forEach((v, i) => {
    const where = `scamper hops[${i}]`;
    const h = asObject(v, offset, where);
    const addr = canonAddress(asString(h.addr, offset, `${where} addr`), offset, `${where} addr`);
    const ttl = checkTtl(asNumber(h.probe_ttl, offset, `${where} probe_ttl`), offset, where);
    const probeId = optInt(h, 'probe_id', offset, where) ?? 1;
    const rtt = checkRtt(asNumber(h.rtt, offset, `${where} rtt`), offset, where);
    if (h.tx !== undefined) end = Math.max(end, timeMs(h.tx, offset, `${where} tx`) + rtt);
    maxAttempt.set(ttl, Math.max(maxAttempt.get(ttl) ?? 0, probeId));
    const r = table.hop(ttl).responder(addr);
    if (!answered.first(ttl, probeId)) {
      r.flag('dup');
      return;
    }
    r.rtts.push(rtt);
    r.received++;
    if (h.name !== undefined) r.name = asString(h.name, offset, `${where} name`);
    if (h.reply_ttl !== undefined) r.replyTtl = optInt(h, 'reply_ttl', offset, where);
    const qttl = optInt(h, 'icmp_q_ttl', offset, where);
    if (qttl !== undefined && qttl !== 1) r.quotedTtl = qttl;
    if (h.icmp_type !== undefined) {
      const type = optInt(h, 'icmp_type', offset, where)!;
      const code = optInt(h, 'icmp_code', offset, where) ?? 0;
      r.icmpType = type;
      r.icmpCode = code;
      const mtu = optInt(h, 'icmp_nhmtu', offset, where) ?? optInt(h, 'icmp_nhmtu:', offset, where);
      const f = icmpFlag(v6, type, code, mtu);
      if (f) r.flag(f);
    }
    if (h.tcp_flags !== undefined) {
      const fl = optInt(h, 'tcp_flags', offset, where)!;
      if ((fl & 0x04) !== 0) r.flag('closed');
      else if ((fl & 0x12) === 0x12) r.flag('open');
    }
    if (h.icmpext !== undefined) r.addMpls(mplsOf(h.icmpext, offset));
  });
  for (const [ttl, n] of maxAttempt) table.hop(ttl).sent = n;
  const hops = table.build(firsthop, Math.max(hopCount, table.maxTtl()), attempts);
  const reached = targetAnswered(hops, target);
  const meta: Record<string, string | number> = { scamperMethod };
  if (probeCount !== undefined) meta.probeCount = probeCount;
  meta.attempts = attempts;
  // The flow identity: with Paris traceroute, the same ports keep the same ECMP path.
  for (const k of ['sport', 'dport', 'icmp_sum'] as const) {
    const v = optInt(o, k, offset, 'scamper');
    if (v !== undefined) meta[k === 'icmp_sum' ? 'icmpSum' : k] = v;
  }
  return {
    target,
    backend: 'scamper',
    method,
    start,
    end,
    reached,
    ...(stop !== undefined ? { stopReason: stop === 'unreach' ? 'unreachable' : stop } : {}),
    hops,
    ...(source !== undefined ? { source } : {}),
    meta,
  };
}
