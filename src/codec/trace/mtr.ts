// mtr output -> Trace.
//
// --json, in the layouts seen in the wild:
//   0.93+   {"report":{"mtr":{src,dst,tos,tests,psize,bitpattern},"hubs":[{count,host,Loss%,Snt,Last,Avg,Best,Wrst,StDev}]}}
//   0.92-   the same without the "report" wrapper
//   0.92–0.94 print tos/tests/count as strings ("0x0", "10", "1"); 0.95 as numbers
//   -z      adds "ASN":"AS15169" (or "AS???") per hub: kept as asnHint, never as our AS
//   -b      host "name (addr)"; without -n, host is only a name (responder flagged 'name')
//   forks   flat {"src","dst","hops":[{"hop","ipaddr","host","losspercent","sent","last","avg","best","worst","stdev"}]}
// mtr's JSON has no samples, no timestamps, no protocol, and one host per hop (the last
// one seen: ECMP alternates are lost). So rtts stay empty and the summary goes to
// `stats`; received is Snt × (1 − Loss%), which is what mtr computed Loss% from; start,
// end and method come from the runner (TraceContext; method defaults to mtr's ICMP).
//
// --raw (-l): one record per line, hop position 0-based (ttl = pos + 1):
//   x POS SEQ            probe sent            h POS ADDR       the host at POS (printed on every change)
//   p POS USEC SEQ       reply from the current host at POS, RTT in microseconds
//   d POS NAME           reverse DNS of the current host        m POS LABEL TC S TTL   MPLS entry
//   t ...                timestamps, never implemented by mtr: ignored
// Raw keeps every responder per hop (ECMP) and every sample. It prints no target, so the
// runner must pass it. mtr probes past the destination while it learns the path length;
// those hops are cut. A second reply with the same SEQ is a duplicate (flag 'dup').
// Before mtr 0.87 there were no 'x' lines: sent is then unknown, set to received, and
// meta.sentUnknown is true.
import type { Hop, Trace } from '../../model/trace.ts';
import { parseAddress, formatAddress } from '../../model/address.ts';
import {
  type Json,
  type JsonObject,
  type TraceContext,
  AnsweredProbes,
  HopTable,
  asArray,
  asNumberLike,
  asObject,
  asString,
  canonAddress,
  checkCount,
  checkMpls,
  checkRtt,
  checkTtl,
  cutAfterTarget,
  fail,
  isObject,
  parseJson,
  targetAnswered,
} from './common.ts';

/** Case-insensitive field lookup (forks vary the spelling: Loss%/loss%, Wrst/wrst). */
function field(o: JsonObject, ...names: string[]): Json | undefined {
  for (const n of names) if (Object.hasOwn(o, n)) return o[n];
  const lower = new Map<string, Json>();
  for (const k of Object.keys(o)) lower.set(k.toLowerCase(), o[k]);
  for (const n of names) {
    const v = lower.get(n.toLowerCase());
    if (v !== undefined) return v;
  }
  return undefined;
}

interface HostText {
  address?: string;
  name?: string;
}

/** "1.2.3.4", "name (1.2.3.4)", "name", "???" (no reply) -> parts. */
function parseHost(text: string, offset: number): HostText | undefined {
  const s = text.trim();
  if (s === '???' || s === '' || s === '*') return undefined;
  const a = parseAddress(s);
  if (a) return { address: formatAddress(a) };
  const m = /^(\S+) \(([^()\s]+)\)$/.exec(s);
  if (m) return { name: m[1], address: canonAddress(m[2], offset, 'mtr host address') };
  if (/\s/.test(s) || s.length > 255) fail('mtr-bad-host', offset, `mtr host ${JSON.stringify(s.slice(0, 60))} is neither an address nor a name`);
  return { name: s };
}

function targetOf(dst: string | undefined, ctx: TraceContext, offset: number): { target: string; targetName?: string } {
  if (ctx.target !== undefined) {
    const target = canonAddress(ctx.target, offset, 'context target');
    return dst !== undefined && !parseAddress(dst) ? { target, targetName: dst } : { target };
  }
  if (dst === undefined) return fail('missing-field', offset, 'mtr JSON has no dst and no target was given');
  const a = parseAddress(dst);
  return a ? { target: formatAddress(a) } : { target: dst, targetName: dst };
}

function asnHint(v: Json | undefined): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return v;
  if (typeof v !== 'string') return undefined;
  const m = /^(?:AS)?(\d{1,10})$/i.exec(v.trim());
  if (!m) return undefined; // "AS???"
  const n = Number(m[1]);
  return n <= 0xffffffff ? n : undefined;
}

/** Decodes `mtr --json` (any layout above) into one Trace. */
export function decodeMtrJson(text: string, ctx: TraceContext = {}): Trace {
  const root = asObject(parseJson(text, 0, 'mtr --json output'), 0, 'mtr --json output');
  let layout: string;
  let body: JsonObject;
  if (isObject(root.report)) {
    layout = 'report';
    body = root.report;
  } else {
    layout = 'bare';
    body = root;
  }
  let entries: Json[];
  let dst: string | undefined;
  let src: string | undefined;
  const meta: Record<string, string | number | boolean> = {};
  let tests: number | undefined;
  if (body.hubs !== undefined) {
    entries = asArray(body.hubs, 0, 'mtr hubs');
    const info = body.mtr === undefined ? {} : asObject(body.mtr, 0, 'mtr "mtr" block');
    if (info.dst !== undefined) dst = asString(info.dst, 0, 'mtr dst');
    if (info.src !== undefined) src = asString(info.src, 0, 'mtr src');
    if (info.tests !== undefined) tests = checkCount(asNumberLike(info.tests, 0, 'mtr tests'), 0, 'mtr tests');
    if (info.tos !== undefined) meta.tos = asNumberLike(info.tos, 0, 'mtr tos');
    if (info.psize !== undefined) meta.psize = asNumberLike(info.psize, 0, 'mtr psize');
  } else if (body.hops !== undefined) {
    layout = 'flat';
    entries = asArray(body.hops, 0, 'mtr hops');
    if (body.dst !== undefined) dst = asString(body.dst, 0, 'mtr dst');
    if (body.src !== undefined) src = asString(body.src, 0, 'mtr src');
  } else {
    return fail('mtr-unknown-layout', 0, 'mtr JSON has neither "hubs" nor "hops"');
  }
  meta.layout = layout;
  if (tests !== undefined) meta.tests = tests;
  if (src !== undefined) meta.mtrSrc = src; // mtr prints the local host name here, not an address

  const table = new HopTable();
  entries.forEach((e, i) => {
    const where = `mtr hub ${i}`;
    const o = asObject(e, 0, where);
    const ttl = checkTtl(asNumberLike(field(o, 'count', 'hop'), 0, `${where} count`), 0, where);
    const snt = checkCount(asNumberLike(field(o, 'Snt', 'sent'), 0, `${where} Snt`), 0, `${where} Snt`);
    const loss = asNumberLike(field(o, 'Loss%', 'losspercent', 'loss'), 0, `${where} Loss%`);
    if (!(loss >= 0 && loss <= 100)) fail('mtr-bad-loss', 0, `${where}: Loss% ${loss} is not 0..100`);
    const hop = table.hop(ttl);
    hop.sent = Math.max(hop.sent, snt);
    const hostText = field(o, 'ipaddr', 'host');
    const host = parseHost(hostText === undefined ? '???' : asString(hostText, 0, `${where} host`), 0);
    const received = Math.round((snt * (100 - loss)) / 100);
    if (!host || received === 0) return; // "???" at 100 % loss: a silent hop
    const r = hop.responder(host.address ?? host.name!);
    if (host.name !== undefined) r.name = host.name;
    if (host.address === undefined) r.flag('name');
    r.sent = (r.sent ?? 0) + snt;
    r.received += received;
    const stat = (names: string[], what: string) => checkRtt(asNumberLike(field(o, ...names), 0, `${where} ${what}`), 0, `${where} ${what}`);
    r.stats = {
      last: stat(['Last'], 'Last'),
      avg: stat(['Avg'], 'Avg'),
      best: stat(['Best'], 'Best'),
      worst: stat(['Wrst', 'worst'], 'Wrst'),
      stdev: stat(['StDev', 'stdev'], 'StDev'),
    };
    const hint = asnHint(field(o, 'ASN', 'asn'));
    if (hint !== undefined) r.asnHint = hint;
  });
  const hops = table.build(1, table.maxTtl(), tests ?? 0);
  const { target, targetName } = targetOf(dst, ctx, 0);
  return mtrTrace(target, targetName, hops, ctx, meta);
}

/**
 * The Trace of either mtr output: mtr runs until it is stopped, so it completed when the
 * target answered, and hops past the target are dropped; times, method and source come
 * from the context (mtr prints none of them).
 */
function mtrTrace(target: string, targetName: string | undefined, hops: Hop[], ctx: TraceContext, meta: Trace['meta']): Trace {
  const reached = targetAnswered(hops, target);
  const start = ctx.start ?? 0;
  return {
    target,
    ...(targetName !== undefined ? { targetName } : {}),
    backend: 'mtr',
    method: ctx.method ?? 'icmp',
    start,
    end: ctx.end ?? start,
    reached,
    ...(reached ? { stopReason: 'completed' } : {}),
    hops: reached ? cutAfterTarget(hops, target) : hops,
    ...(ctx.source !== undefined ? { source: canonAddress(ctx.source, 0, 'context source') } : {}),
    meta,
  };
}

const INT = /^\d{1,10}$/;

/** Decodes `mtr --raw` (-l) output. `ctx.target` is required: raw output does not print it. */
export function decodeMtrRaw(text: string, ctx: TraceContext): Trace {
  if (ctx.target === undefined) fail('mtr-raw-no-target', 0, 'mtr --raw output names no target: the context must give it');
  const target = canonAddress(ctx.target, 0, 'context target');
  const table = new HopTable();
  const current = new Map<number, string>(); // pos -> current host address
  const answered = new AnsweredProbes(); // pos -> seqs answered
  let sawX = false;
  let records = 0;
  let offset = 0;
  const int = (s: string | undefined, off: number, what: string): number => {
    if (s === undefined || !INT.test(s)) fail('mtr-raw-bad-number', off, `mtr raw ${what} ${JSON.stringify((s ?? '').slice(0, 20))} is not a number`);
    return Number(s);
  };
  for (const rawLine of text.split('\n')) {
    const off = offset;
    offset += rawLine.length + 1;
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '') continue;
    const f = line.split(' ');
    const kind = f[0];
    if (kind === 't') continue;
    if (kind !== 'x' && kind !== 'h' && kind !== 'p' && kind !== 'd' && kind !== 'm') {
      fail('mtr-raw-bad-line', off, `mtr raw line starts with ${JSON.stringify(kind.slice(0, 20))}, not x/h/p/d/m/t`);
    }
    const want = { x: 3, h: 3, p: 4, d: 3, m: 6 }[kind];
    if (f.length !== want) fail('mtr-raw-bad-fields', off, `mtr raw '${kind}' line has ${f.length} fields, expected ${want}`);
    const pos = int(f[1], off, 'position');
    const ttl = checkTtl(pos + 1, off, 'mtr raw position + 1');
    records++;
    const hop = table.hop(ttl);
    if (kind === 'x') {
      int(f[2], off, 'sequence');
      sawX = true;
      hop.sent++;
      continue;
    }
    if (kind === 'h') {
      const addr = canonAddress(f[2], off, 'mtr raw host');
      current.set(pos, addr);
      hop.responder(addr);
      continue;
    }
    const addr = current.get(pos);
    if (addr === undefined) fail('mtr-raw-before-host', off, `mtr raw '${kind}' line for position ${pos} before any 'h' line for it`);
    const r = hop.responder(addr);
    if (kind === 'd') {
      r.name = f[2];
    } else if (kind === 'm') {
      r.addMpls([checkMpls({ label: int(f[2], off, 'label'), exp: int(f[3], off, 'traffic class'), s: int(f[4], off, 'bottom of stack'), ttl: int(f[5], off, 'MPLS TTL') }, off)]);
    } else {
      const usec = int(f[2], off, 'RTT');
      const seq = int(f[3], off, 'sequence');
      if (!answered.first(pos, seq)) {
        r.flag('dup');
        continue;
      }
      r.rtts.push(checkRtt(usec / 1000, off, 'mtr raw reply'));
      r.received++;
    }
  }
  if (records === 0) fail('mtr-raw-empty', 0, 'mtr raw output has no records');
  let hops: Hop[] = table.build(1, table.maxTtl(), 0);
  // A position whose host line came but that never answered (mtr prints 'h' only on a reply, so this is odd) keeps an empty responder out.
  hops = hops.map((h) => ({ ...h, responders: h.responders.filter((r) => r.received > 0 || (r.flags ?? []).length > 0 || r.rtts.length > 0) }));
  return mtrTrace(target, undefined, hops, ctx, sawX ? { format: 'raw' } : { format: 'raw', sentUnknown: true });
}
