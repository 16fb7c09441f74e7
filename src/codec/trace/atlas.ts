// RIPE Atlas traceroute results (firmware 4460 .. 5020+) -> Trace.
//
// Input: the API's JSON array, one result object, or NDJSON (one per line).
// Shapes handled (all seen in the fixtures):
//   {"x":"*"}                      a probe that timed out (counts as sent)
//   {"from","rtt","size","ttl"}    a reply; "ttl" is the reply's IP TTL
//   "err": "N"|"H"|"A"|"P"|"p"|"h"|<number>   ICMP unreachable: !N !H !X !P !p !h !<code>
//   "late": n (no rtt)             a reply that came after its probe was given up on: it
//                                  proves the responder, not an RTT; not a probe, not received
//   "dup": true                    a duplicate reply: flag 'dup', not counted
//   "ittl": n                      TTL quoted in the ICMP error (absent means 1)
//   "mtu": n                       IPv6 packet too big: !F-<mtu>
//   "icmpext":{"obj":[{"class":1,"type":1,"mpls":[{label,exp,s,ttl}]}]}   MPLS stack
//   {"hop":255, ...}               Atlas's last probe after a gap; kept as ttl 255
//   {"hop":1,"error":"..."}        the probe could not send: stopReason 'error'
//   result [{"error":"..."}]       the whole measurement failed (no hop at all)
//   no "dst_addr" (old firmware, failed name resolution): target is dst_name
// Method: Atlas traceroutes are Paris traceroutes (paris_id is the variation used), so
// ICMP -> icmp-paris, UDP -> udp-paris; TCP -> tcp. A measurement made with paris=0
// cannot be told apart from a result; paris_id is in meta.
// start is "timestamp", end is "endtime" (both seconds); lts (seconds since the probe's
// clock was last synchronised, -1 unknown) is in meta: a large lts means the times drift.
import type { Method, MplsEntry, Trace } from '../../model/trace.ts';
import { parseAddress } from '../../model/address.ts';
import {
  type Json,
  type JsonObject,
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
  isObject,
  isUnreachableHop,
  parseJson,
  targetAnswered,
} from './common.ts';

// A Map, not an object literal: err "toString" must not find Object's.
const ERR_FLAG = new Map(Object.entries({ N: '!N', H: '!H', A: '!X', P: '!P', p: '!p', h: '!h' }));

/** Decodes Atlas results: a JSON array, a single object, or one object per line. */
export function decodeAtlasResults(text: string): Trace[] {
  const t = text.trimStart();
  if (t === '') fail('empty', 0, 'Atlas input is empty');
  if (t.startsWith('[')) {
    return asArray(parseJson(text, 0, 'Atlas results'), 0, 'Atlas results').map((v, i) => decodeAtlasResult(asObject(v, 0, `Atlas result ${i}`)));
  }
  const out: Trace[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const off = offset;
    offset += line.length + 1;
    if (line.trim() === '') continue;
    out.push(decodeAtlasResult(asObject(parseJson(line, off, 'Atlas result line'), off, 'Atlas result'), off));
  }
  return out;
}

function optNum(o: JsonObject, key: string, offset: number, what: string): number | undefined {
  return o[key] === undefined ? undefined : asNumber(o[key], offset, `${what} ${key}`);
}

function mplsOf(v: Json, offset: number): MplsEntry[] {
  const ext = asObject(v, offset, 'Atlas icmpext');
  const out: MplsEntry[] = [];
  if (ext.obj === undefined) return out;
  for (const ob of asArray(ext.obj, offset, 'Atlas icmpext obj')) {
    const o = asObject(ob, offset, 'Atlas icmpext object');
    if (o.mpls === undefined) continue;
    for (const e of asArray(o.mpls, offset, 'Atlas mpls')) {
      const m = asObject(e, offset, 'Atlas MPLS entry');
      out.push(checkMpls({
        label: asNumber(m.label, offset, 'MPLS label'),
        exp: asNumber(m.exp, offset, 'MPLS exp'),
        s: asNumber(m.s, offset, 'MPLS s'),
        ttl: asNumber(m.ttl, offset, 'MPLS ttl'),
      }, offset));
    }
  }
  return out;
}

/** Decodes one Atlas traceroute result object. */
export function decodeAtlasResult(o: JsonObject, offset = 0): Trace {
  if (o.type !== undefined && o.type !== 'traceroute') fail('atlas-not-traceroute', offset, `Atlas result type ${JSON.stringify(o.type)} is not "traceroute"`);
  let target: string;
  let targetName: string | undefined;
  const dstName = o.dst_name === undefined ? undefined : asString(o.dst_name, offset, 'Atlas dst_name');
  if (o.dst_addr !== undefined) {
    target = canonAddress(asString(o.dst_addr, offset, 'Atlas dst_addr'), offset, 'Atlas dst_addr');
    if (dstName !== undefined && !parseAddress(dstName)) targetName = dstName;
  } else if (dstName !== undefined) {
    const a = parseAddress(dstName);
    target = a ? canonAddress(dstName, offset, 'Atlas dst_name') : dstName;
    if (!a) targetName = dstName;
  } else {
    return fail('missing-field', offset, 'Atlas result has neither dst_addr nor dst_name');
  }
  const start = checkTime(asNumber(o.timestamp, offset, 'Atlas timestamp') * 1000, offset, 'Atlas timestamp');
  const endtime = optNum(o, 'endtime', offset, 'Atlas');
  const end = endtime === undefined ? start : checkTime(endtime * 1000, offset, 'Atlas endtime');
  if (end < start) fail('bad-time', offset, `Atlas endtime ${endtime} is before timestamp`);
  const proto = o.proto === undefined ? 'UDP' : asString(o.proto, offset, 'Atlas proto').toUpperCase();
  const method: Method = proto === 'ICMP' ? 'icmp-paris' : proto === 'UDP' ? 'udp-paris' : proto === 'TCP' ? 'tcp' : 'unknown';
  const source = typeof o.src_addr === 'string' && o.src_addr !== '' ? canonAddress(o.src_addr, offset, 'Atlas src_addr') : undefined;

  const meta: Record<string, string | number> = {};
  for (const k of ['msm_id', 'prb_id', 'fw', 'lts', 'paris_id'] as const) {
    const v = o[k];
    if (typeof v === 'number') meta[k.replace(/_(\w)/, (_, c: string) => c.toUpperCase())] = v;
  }
  if (typeof o.mver === 'string') meta.mver = o.mver;

  const table = new HopTable();
  let error: string | undefined;
  const seenTtl = new Set<number>();
  asArray(o.result, offset, 'Atlas result list').forEach((hv, i) => {
    const where = `Atlas hop ${i}`;
    const h = asObject(hv, offset, where);
    if (h.error !== undefined) {
      error = asString(h.error, offset, `${where} error`);
      return;
    }
    const ttl = checkTtl(asNumber(h.hop, offset, `${where} hop`), offset, where);
    if (seenTtl.has(ttl)) fail('duplicate-hop', offset, `${where}: hop ${ttl} twice`);
    seenTtl.add(ttl);
    const hop = table.hop(ttl);
    if (h.result === undefined) return;
    asArray(h.result, offset, `${where} result`).forEach((rv, j) => {
      const w = `${where} reply ${j}`;
      if (!isObject(rv)) fail('bad-shape', offset, `${w} is not an object`);
      if (rv.x !== undefined) {
        hop.sent++;
        return;
      }
      if (rv.from === undefined) fail('missing-field', offset, `${w} has neither "x" nor "from"`);
      const r = hop.responder(canonAddress(asString(rv.from, offset, `${w} from`), offset, `${w} from`));
      if (rv.late !== undefined) {
        checkCount(asNumber(rv.late, offset, `${w} late`), offset, `${w} late`);
        r.late++;
        r.flag('late');
        return;
      }
      if (rv.dup === true) {
        r.flag('dup');
        return;
      }
      hop.sent++;
      if (rv.rtt === undefined) fail('missing-field', offset, `${w} has a "from" but neither "rtt" nor "late"`);
      r.rtts.push(checkRtt(asNumber(rv.rtt, offset, `${w} rtt`), offset, w));
      r.received++;
      const ttlv = optNum(rv, 'ttl', offset, w);
      if (ttlv !== undefined) r.replyTtl = checkCount(ttlv, offset, `${w} ttl`);
      const ittl = optNum(rv, 'ittl', offset, w);
      if (ittl !== undefined && ittl !== 1) r.quotedTtl = checkCount(ittl, offset, `${w} ittl`);
      if (rv.err !== undefined) {
        const e = rv.err;
        const f = typeof e === 'number' ? `!${checkCount(e, offset, `${w} err`)}` : ERR_FLAG.get(asString(e, offset, `${w} err`));
        if (f === undefined) fail('atlas-bad-err', offset, `${w}: err ${JSON.stringify(e)} is not N/H/A/P/p/h or a number`);
        r.flag(f);
      }
      const mtu = optNum(rv, 'mtu', offset, w);
      if (mtu !== undefined) r.flag(`!F-${checkCount(mtu, offset, `${w} mtu`)}`);
      if (rv.icmpext !== undefined) r.addMpls(mplsOf(rv.icmpext, offset));
    });
  });
  // Hops are kept as Atlas lists them (it does not probe between the last gap and 255).
  const hops = table.build();
  const reached = targetAnswered(hops, target);
  const last = hops[hops.length - 1];
  const stopReason = error !== undefined
    ? 'error'
    : reached
      ? 'completed'
      : isUnreachableHop(last)
        ? 'unreachable'
        : last !== undefined && last.ttl === 255
          ? 'gaplimit'
          : undefined;
  if (error !== undefined) meta.error = error;
  return {
    target,
    ...(targetName !== undefined ? { targetName } : {}),
    backend: 'atlas',
    method,
    start,
    end,
    reached,
    ...(stopReason !== undefined ? { stopReason } : {}),
    hops,
    ...(source !== undefined ? { source } : {}),
    meta,
  };
}
