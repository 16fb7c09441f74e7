// The body of `smoketrace trace`: validate the target against probe.allowed, run the
// backend (optionally in a network namespace), ask a running service's API for the
// origin AS of each hop (GET /api/lookup?ip=A, one request per distinct address), and
// print. No API answering is not an error: hops show "AS?" and stderr says so once.
import { lookup as dnsLookup } from 'node:dns/promises';
import type { Config } from '../config/schema.ts';
import { type Address, formatAddress, parseAddress } from '../model/address.ts';
import { type Hop, type Responder, type Trace, hopLoss, traceToJson } from '../model/trace.ts';
import { type AsAnswer, annotateTrace, asLabel, asSource } from '../probe/annotate.ts';
import { MtrBackend } from '../probe/backends/mtr.ts';
import { ScamperBackend } from '../probe/backends/scamper.ts';
import { TracerouteBackend } from '../probe/backends/traceroute.ts';
import type { TraceBackend } from '../probe/backends/types.ts';
import { ProbeError } from '../probe/runner.ts';
import { notAllowedReason, validateTarget } from '../targets/validate.ts';
import { CliExit } from './config.ts';
import type { TraceOptions } from './trace.ts';

const BACKENDS = ['mtr', 'scamper', 'traceroute'] as const;
const LOOKUP_TIMEOUT_MS = 2000;

export async function runTraceCommand(target: string, opts: TraceOptions, config: Config): Promise<void> {
  const backendName = opts.backend ?? config.probe.backend;
  if (!(BACKENDS as readonly string[]).includes(backendName)) throw new CliExit(2, [`smoketrace trace: --backend must be one of ${BACKENDS.join(', ')}, got ${JSON.stringify(backendName)}`]);
  const address = await targetAddress(target, config);
  const netns = opts.netns ?? config.probe.netns;
  const backend: TraceBackend =
    backendName === 'scamper' ? new ScamperBackend({ netns }) : backendName === 'traceroute' ? new TracerouteBackend({ netns }) : new MtrBackend({ netns });

  let trace: Trace;
  try {
    await backend.start?.();
    trace = await backend.trace({ target: address, method: config.probe.method });
  } catch (e) {
    if (e instanceof ProbeError) throw new CliExit(1, [`smoketrace trace: ${backendName} ${e.kind}: ${e.message}`, ...(e.stderr ? [e.stderr] : [])]);
    throw e;
  } finally {
    await backend.stop?.().catch(() => {});
  }

  const api = apiUrl(opts.api, config);
  const answers = await lookupAll(api, addresses(trace));
  const ixp = config.probe.ixp;
  let annotated = trace;
  const as = new Map<string, AsAnswer>();
  if (answers) {
    const source = asSource((a) => answers.get(formatAddress(a)) ?? undefined, ixp);
    for (const a of addresses(trace)) as.set(a, source.asOf(a));
    annotated = annotateTrace(trace, source);
  } else {
    process.stderr.write(`smoketrace trace: no API answered at ${api} (GET /api/lookup); origin AS shown as AS?\n`);
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(traceToJson(annotated), null, 2)}\n`);
  else process.stdout.write(formatTraceTable(annotated, answers ? (a) => as.get(a) : () => undefined));
}

async function targetAddress(target: string, config: Config): Promise<string> {
  const v = validateTarget({ address: target }, { allowed: config.probe.allowed });
  if (!v.ok) throw new CliExit(2, [`smoketrace trace: target ${v.reason}`]);
  if (v.value.address !== undefined) return v.value.address;
  // A host name is resolved once, here, before any probe is sent.
  let addrs: Address[];
  try {
    addrs = (await dnsLookup(v.value.host!, { all: true, verbatim: true })).map((r) => parseAddress(r.address)).filter((a): a is Address => a !== undefined);
  } catch (e) {
    throw new CliExit(2, [`smoketrace trace: host name ${v.value.host} could not be resolved: ${(e as Error).message}`]);
  }
  const ok = addrs.find((a) => notAllowedReason(a, config.probe.allowed) === undefined);
  if (!ok) throw new CliExit(2, [`smoketrace trace: ${v.value.host} resolves to ${addrs.map(formatAddress).join(', ') || 'nothing'}, none inside probe.allowed`]);
  return formatAddress(ok);
}

function apiUrl(given: string | undefined, config: Config): string {
  if (given !== undefined) return given.replace(/\/+$/, '');
  const { host, port } = config.api.listen;
  const h = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

function addresses(trace: Trace): string[] {
  const out = new Set<string>();
  for (const h of trace.hops) for (const r of h.responders) if (!r.flags?.includes('name')) out.add(r.address);
  return [...out];
}

type RouteAnswer = { prefix: string; origins: number[] } | null;

/** address -> covering prefix and origins (null: none covers it); undefined when the API does not answer. */
async function lookupAll(api: string, addrs: readonly string[]): Promise<Map<string, RouteAnswer> | undefined> {
  const out = new Map<string, RouteAnswer>();
  for (const a of addrs) {
    let body: { prefix: string | null; origins: number[] };
    try {
      const res = await fetch(`${api}/api/lookup?ip=${encodeURIComponent(a)}`, { signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS) });
      if (!res.ok) return undefined;
      body = (await res.json()) as typeof body;
    } catch {
      return undefined;
    }
    out.set(a, body.prefix === null ? null : { prefix: body.prefix, origins: body.origins });
  }
  return out;
}

// ---------------------------------------------------------------- the table

const num = (v: number | undefined) => (v === undefined ? '' : v.toFixed(1)).padStart(6);

function stats(r: Responder): { last?: number; avg?: number; best?: number; worst?: number } {
  if (r.stats) return r.stats;
  if (r.rtts.length === 0) return {};
  return { last: r.rtts.at(-1), avg: r.rtts.reduce((a, b) => a + b, 0) / r.rtts.length, best: Math.min(...r.rtts), worst: Math.max(...r.rtts) };
}

/**
 * mtr's report layout with an AS column:
 *   HOST: tgt 198.51.100.1 (mtr icmp)  AS         Loss%   Snt   Last    Avg   Best   Wrst
 *    3. AS65002  10.77.24.2                0.0%     5    5.7    5.8    5.6    6.1
 * A hop with several responders (ECMP) gets one line each, the later ones without a hop
 * number; a silent hop shows ???. Loss and Snt are the hop's.
 */
export function formatTraceTable(trace: Trace, asOf: (address: string) => AsAnswer | undefined): string {
  const rows: { hop: string; as: string; addr: string; loss: string; snt: string; rtt: string }[] = [];
  const hopRow = (h: Hop) => {
    const loss = hopLoss(h);
    return { loss: loss === undefined ? '' : `${(loss * 100).toFixed(1)}%`, snt: String(h.sent) };
  };
  for (const h of trace.hops) {
    const answered = h.responders.filter((r) => r.received > 0 || (r.late ?? 0) > 0);
    const base = hopRow(h);
    if (answered.length === 0) {
      rows.push({ hop: `${h.ttl}.`, as: '', addr: '???', ...base, rtt: '' });
      continue;
    }
    answered.forEach((r, i) => {
      const s = stats(r);
      rows.push({
        hop: i === 0 ? `${h.ttl}.` : '',
        as: asLabel(asOf(r.address)),
        addr: r.address,
        ...(i === 0 ? base : { loss: '', snt: '' }),
        rtt: `${num(s.last)}${num(s.avg)}${num(s.best)}${num(s.worst)}`,
      });
    });
  }
  const wHop = Math.max(3, ...rows.map((r) => r.hop.length));
  const wAs = Math.max(7, ...rows.map((r) => r.as.length));
  const wAddr = Math.max(7, ...rows.map((r) => r.addr.length));
  const head =
    `HOST: ${trace.target} (${trace.backend} ${trace.method}, ${new Date(trace.start).toISOString()})\n` +
    `${''.padStart(wHop)} ${'AS'.padEnd(wAs)}  ${'Address'.padEnd(wAddr)} ${'Loss%'.padStart(6)} ${'Snt'.padStart(4)}${'Last'.padStart(6)}${'Avg'.padStart(6)}${'Best'.padStart(6)}${'Wrst'.padStart(6)}\n`;
  const body = rows.map((r) => `${r.hop.padStart(wHop)} ${r.as.padEnd(wAs)}  ${r.addr.padEnd(wAddr)} ${r.loss.padStart(6)} ${r.snt.padStart(4)}${r.rtt}`.trimEnd()).join('\n');
  return `${head}${body}\n`;
}
