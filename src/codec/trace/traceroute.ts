// Text output of Debian's traceroute / traceroute6 (traceroute 2.1, Butskoy) and of
// Debian's tcptraceroute (Toren's 1.5) -> Trace.
//
//   traceroute to 198.51.100.1 (198.51.100.1), 30 hops max, 60 byte packets
//    1  192.0.2.1  0.274 ms  0.219 ms  0.205 ms
//    2  10.77.13.2  20.637 ms 10.77.12.2  2.852 ms 10.77.13.2  20.483 ms     <- ECMP: the address changes mid-line
//    3  * * *
//    4  router.example (10.0.0.1) <MPLS:L=24008,E=0,S=1,T=1>  5.996 ms !N  5.999 ms !N *
//
//   Selected device eth0, address 192.0.2.10, port 45678 for outgoing packets
//   Tracing the path to 198.51.100.1 on TCP port 80 (http), 30 hops max
//    4  198.51.100.1 [open]  6.109 ms  6.102 ms  6.096 ms
//
// A hop line is read token by token, so every option's extras are placed where the
// tool puts them: an address (or "name (address)") starts a responder; "N ms" is one
// answered probe for the current responder; "*" one unanswered probe; "!N !H !P !S
// !F !F-<mtu> !X !V !C !<n> !<<n>>" annotate the probe before; "<MPLS:...>" (-e, label
// stack entries joined by "/") go to the current responder; "[open]"/"[closed]"
// (tcptraceroute), "[AS64500]" (-A, a hint only), "'-3'" (--back) and "F=1500"
// (--mtu) are read or passed over. A line starting without a hop number continues
// the hop before (older traceroutes wrap ECMP that way). Anything else is an error:
// format drift should be loud.
//
// Text has no clock and no probe method: the runner passes them (TraceContext);
// method defaults to traceroute's UDP and tcptraceroute's TCP. One output may hold
// several traces (one header each): decodeTracerouteTexts returns them all.
import type { Backend, Trace } from '../../model/trace.ts';
import { formatAddress, parseAddress } from '../../model/address.ts';
import {
  type HopBuilder,
  type ResponderBuilder,
  type TraceContext,
  HopTable,
  canonAddress,
  checkMpls,
  checkRtt,
  checkTtl,
  fail,
  isUnreachableHop,
  targetAnswered,
} from './common.ts';

const HEADER = /^traceroute6? to (\S+) \(([^()\s]+)\)(.*)$/;
const TCP_HEADER = /^Tracing the path to (\S+)(?: \(([^()\s]+)\))? on TCP port (\d+)(?: \([^)]*\))?, (\d+) hops max/;
const SELECTED = /^Selected device \S+, address (\S+), port \d+ for outgoing packets/;
const HOP = /^\s*(\d{1,10})(?:\s+(.*))?$/;
const RTT = /^-?\d{1,10}(?:\.\d{1,9})?$/;
const ANNOTATION = /^!(?:([NHPSXVCTUQ])|F(?:-(\d{1,6}))?|(\d{1,3})|<(\d{1,3})>)$/;
const MPLS_ENTRY = /^L=(\d{1,7}),E=(\d{1,3}),S=(\d{1,3}),T=(\d{1,3})$/;

interface Block {
  backend: Backend;
  target?: string;
  targetName?: string;
  maxHops?: number;
  source?: string;
  port?: number;
  table: HopTable;
  lastTtl: number;
  offset: number;
}

function newBlock(backend: Backend, offset: number): Block {
  return { backend, table: new HopTable(), lastTtl: 0, offset };
}

function setTarget(b: Block, name: string, addr: string | undefined, offset: number): void {
  const a = parseAddress(addr ?? name);
  if (!a) fail('bad-address', offset, `traceroute target ${JSON.stringify((addr ?? name).slice(0, 60))} is not an IP address`);
  b.target = formatAddress(a);
  if (!parseAddress(name)) b.targetName = name;
}

/** Reads the tokens of one hop line (or continuation) into `hop`. */
function readTokens(tokens: string[], hop: HopBuilder, offset: number, start: ResponderBuilder | undefined): ResponderBuilder | undefined {
  let cur = start;
  const need = (what: string): ResponderBuilder => {
    if (!cur) fail('traceroute-no-responder', offset, `${what} before any address on the line`);
    return cur;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const next = tokens[i + 1];
    if (t === '*') {
      hop.sent++;
      continue;
    }
    if (next !== undefined && next.length > 2 && next[0] === '(' && next[next.length - 1] === ')') {
      // "name (address)"; a failed lookup prints the address twice.
      const addr = canonAddress(next.slice(1, -1), offset, 'traceroute hop address');
      cur = hop.responder(addr);
      if (!parseAddress(t)) cur.name = t;
      i++;
      continue;
    }
    if (RTT.test(t) && next === 'ms') {
      const r = need('an RTT');
      r.rtts.push(checkRtt(Number(t), offset, 'traceroute'));
      r.received++;
      hop.sent++;
      i++;
      continue;
    }
    const a = parseAddress(t);
    if (a) {
      cur = hop.responder(formatAddress(a));
      continue;
    }
    const an = ANNOTATION.exec(t);
    if (an) {
      const r = need(`annotation ${t}`);
      r.flag(an[1] !== undefined ? `!${an[1]}` : an[3] !== undefined ? `!${an[3]}` : an[4] !== undefined ? `!${an[4]}` : an[2] !== undefined ? `!F-${an[2]}` : '!F');
      continue;
    }
    if (t.startsWith('<') && t.endsWith('>')) {
      const r = need('an extension');
      const body = t.slice(1, -1);
      if (body.startsWith('MPLS:')) {
        for (const e of body.slice(5).split('/')) {
          const m = MPLS_ENTRY.exec(e);
          if (!m) fail('traceroute-bad-mpls', offset, `MPLS entry ${JSON.stringify(e.slice(0, 40))} is not L=,E=,S=,T=`);
          r.addMpls([checkMpls({ label: Number(m[1]), exp: Number(m[2]), s: Number(m[3]), ttl: Number(m[4]) }, offset)]);
        }
      }
      continue; // other ICMP extension objects are printed raw; nothing to keep
    }
    if (t === '[open]' || t === '[closed]') {
      need(t).flag(t.slice(1, -1));
      continue;
    }
    const as = /^\[AS(\d{1,10})(?:\/.*)?\]$/.exec(t);
    if (as) {
      const n = Number(as[1]);
      if (n <= 0xffffffff) need('an AS').asnHint = n;
      continue;
    }
    if (t === '[*]' || /^'-?\d{1,3}'$/.test(t) || /^F=\d{1,6}$/.test(t)) continue;
    fail('traceroute-bad-token', offset, `unexpected ${JSON.stringify(t.slice(0, 40))} in a hop line`);
  }
  return cur;
}

function finish(b: Block, ctx: TraceContext): Trace {
  if (b.target === undefined) {
    if (ctx.target === undefined) fail('traceroute-no-header', b.offset, 'no "traceroute to" / "Tracing the path to" header and no target given');
    b.target = canonAddress(ctx.target, b.offset, 'context target');
  }
  const target = b.target;
  const hops = b.table.build(1, b.table.maxTtl(), 0);
  const reached = targetAnswered(hops, target);
  const last = hops[hops.length - 1];
  const stopReason = reached
    ? 'completed'
    : isUnreachableHop(last)
      ? 'unreachable'
      : b.maxHops !== undefined && last !== undefined && last.ttl >= b.maxHops
        ? 'hoplimit'
        : undefined;
  const start = ctx.start ?? 0;
  const source = b.source ?? (ctx.source !== undefined ? canonAddress(ctx.source, b.offset, 'context source') : undefined);
  const meta: Record<string, number> = {};
  if (b.maxHops !== undefined) meta.maxHops = b.maxHops;
  if (b.port !== undefined) meta.port = b.port;
  return {
    target,
    ...(b.targetName !== undefined ? { targetName: b.targetName } : {}),
    backend: b.backend,
    method: ctx.method ?? (b.backend === 'tcptraceroute' ? 'tcp' : 'udp'),
    start,
    end: ctx.end ?? start,
    reached,
    ...(stopReason !== undefined ? { stopReason } : {}),
    hops,
    ...(source !== undefined ? { source } : {}),
    meta,
  };
}

/** Decodes every trace in a traceroute/traceroute6/tcptraceroute output (one per header). */
export function decodeTracerouteTexts(text: string, ctx: TraceContext = {}): Trace[] {
  const blocks: Block[] = [];
  let block: Block | undefined;
  let pendingSource: string | undefined;
  let hop: HopBuilder | undefined;
  let cur: ResponderBuilder | undefined;
  let offset = 0;
  for (const rawLine of text.split('\n')) {
    const off = offset;
    offset += rawLine.length + 1;
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '') continue;
    let m = HEADER.exec(line);
    if (m) {
      blocks.push((block = newBlock('traceroute', off)));
      setTarget(block, m[1], m[2], off);
      const from = / from (\S+?),/.exec(m[3]);
      if (from) block.source = canonAddress(from[1], off, 'traceroute source');
      const max = /, (\d{1,3}) hops max/.exec(m[3]);
      if (max) block.maxHops = Number(max[1]);
      hop = cur = undefined;
      continue;
    }
    m = TCP_HEADER.exec(line);
    if (m) {
      blocks.push((block = newBlock('tcptraceroute', off)));
      setTarget(block, m[1], m[2], off);
      block.port = Number(m[3]);
      block.maxHops = Number(m[4]);
      if (pendingSource !== undefined) block.source = pendingSource;
      pendingSource = undefined;
      hop = cur = undefined;
      continue;
    }
    m = SELECTED.exec(line);
    if (m) {
      pendingSource = canonAddress(m[1], off, 'tcptraceroute source');
      continue;
    }
    const h = HOP.exec(line);
    if (h) {
      if (!block) blocks.push((block = newBlock(ctx.method === 'tcp' ? 'tcptraceroute' : 'traceroute', off)));
      const ttl = checkTtl(Number(h[1]), off, 'traceroute hop number');
      if (ttl <= block.lastTtl) fail('traceroute-hop-order', off, `hop ${ttl} after hop ${block.lastTtl}`);
      block.lastTtl = ttl;
      hop = block.table.hop(ttl);
      cur = readTokens((h[2] ?? '').trim().split(/\s+/).filter((t) => t !== ''), hop, off, undefined);
      continue;
    }
    if (/^\s/.test(line) && hop) {
      cur = readTokens(line.trim().split(/\s+/), hop, off, cur);
      continue;
    }
    fail('traceroute-bad-line', off, `line is neither a header nor a hop: ${JSON.stringify(line.slice(0, 60))}`);
  }
  if (blocks.length === 0) fail('traceroute-no-header', 0, 'no traceroute header and no hop lines');
  return blocks.map((b) => finish(b, ctx));
}

/** Decodes an output holding exactly one trace. */
export function decodeTraceroute(text: string, ctx: TraceContext = {}): Trace {
  const all = decodeTracerouteTexts(text, ctx);
  if (all.length !== 1) fail('traceroute-several', 0, `output holds ${all.length} traces, expected one`);
  return all[0];
}
