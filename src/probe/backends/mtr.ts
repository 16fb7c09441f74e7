// mtr (Debian mtr-tiny 0.95) as a backend: one process per trace.
//
// Flow under ECMP (../shared/LAB-NOTES.md): ICMP echo keeps one flow (no ports), so it
// is the default. `--udp -P X -L Y` pins the flow over IPv4 only: mtr 0.95 shows no hops
// for it over IPv6, so that combination is refused rather than silently returning
// nothing. Plain `--udp` / `--tcp` change ports per probe and show both ECMP branches.
//
// Output: `--json` by default (summary statistics, one host per hop: mtr keeps the last
// one seen); `--raw` when every ECMP responder and every RTT sample must be kept.
// Always `-n`: no DNS on the probe path. `-i` below 1 s needs root (mtr refuses
// otherwise, and the runner reports that as backend-permission).
import type { Method, Trace } from '../../model/trace.ts';
import { decodeMtrJson, decodeMtrRaw } from '../../codec/trace/index.ts';
import { type Clock, systemClock } from '../clock.ts';
import { ProbeError, type RunOptions, type RunResult, run } from '../runner.ts';
import { type TraceBackend, type TraceRequest, DEFAULT_HOPS_GUESS, checkPort, checkRange, literal } from './types.ts';

export interface MtrOptions {
  readonly binary?: string;
  /** Probes per hop (-c). Default 5. */
  readonly count?: number;
  /** Seconds between probe rounds (-i). Default 0.2 (root only below 1 s). */
  readonly intervalS?: number;
  /** Seconds to wait for late replies after the last probe (-G). Default 2 (mtr's own is 5). */
  readonly graceS?: number;
  readonly maxTtl?: number;
  /** Use --raw (keeps ECMP responders and samples) instead of --json. */
  readonly raw?: boolean;
  readonly netns?: string;
  readonly timeoutMs?: number;
  readonly clock?: Clock;
  /** The command runner (tests pass a fake). */
  readonly exec?: (argv: readonly string[], opts: RunOptions) => Promise<RunResult>;
}

const DEFAULT_UDP_PORT = 33434;
const DEFAULT_TCP_PORT = 80;

/** The argv for one mtr trace (without a netns prefix). */
export function mtrArgv(req: TraceRequest, o: MtrOptions = {}): string[] {
  const { text, family } = literal(req.target);
  const count = checkRange(o.count ?? 5, 1, 1000, 'mtr count');
  const interval = checkRange(o.intervalS ?? 0.2, 0.01, 60, 'mtr interval');
  const grace = checkRange(o.graceS ?? 2, 0, 60, 'mtr grace time');
  const maxTtl = checkRange(o.maxTtl ?? 30, 1, 255, 'mtr max ttl');
  const argv = [o.binary ?? 'mtr', o.raw ? '--raw' : '--json', '-n', family === 4 ? '-4' : '-6'];
  argv.push('-c', String(count), '-i', String(interval), '-G', String(grace), '-m', String(maxTtl));
  if (o.raw) argv.push('-e'); // MPLS label stacks come as 'm' lines in raw mode
  const method = req.method ?? 'icmp';
  const port = checkPort(req.port, 'destination port');
  const sport = checkPort(req.sport, 'source port');
  switch (method) {
    case 'icmp':
    case 'icmp-paris':
      break;
    case 'udp':
      argv.push('--udp');
      if (port !== undefined) argv.push('-P', String(port));
      break;
    case 'udp-paris':
      if (family === 6) throw new ProbeError('unsupported', 'mtr cannot keep one UDP flow over IPv6 (0.95 shows no hops with -P/-L): use icmp or scamper udp-paris');
      argv.push('--udp', '-P', String(port ?? DEFAULT_UDP_PORT), '-L', String(sport ?? 33000));
      break;
    case 'tcp':
      argv.push('--tcp', '-P', String(port ?? DEFAULT_TCP_PORT));
      break;
    default:
      throw new ProbeError('unsupported', `mtr has no ${method} method (icmp, udp, udp-paris over IPv4, tcp)`);
  }
  argv.push(text);
  return argv;
}

/** The Trace method a request gives with mtr (ICMP is Paris by nature: no ports). */
function traceMethod(m: Method | undefined): Method {
  return m === undefined || m === 'icmp-paris' ? 'icmp' : m;
}

export class MtrBackend implements TraceBackend {
  readonly name = 'mtr' as const;
  private readonly clock: Clock;

  constructor(private readonly opts: MtrOptions = {}) {
    this.clock = opts.clock ?? systemClock;
  }

  estimatePackets(_req: TraceRequest, hops = DEFAULT_HOPS_GUESS): number {
    // mtr sends `count` rounds to every TTL up to the destination, and a few past it
    // while it learns where the path ends.
    return (this.opts.count ?? 5) * (hops + 2);
  }

  async trace(req: TraceRequest): Promise<Trace> {
    const argv = mtrArgv(req, this.opts);
    const o = this.opts;
    const expectedS = (o.count ?? 5) * (o.intervalS ?? 0.2) + (o.graceS ?? 2);
    const timeoutMs = o.timeoutMs ?? Math.max(10_000, expectedS * 3_000);
    const start = this.clock.now();
    const r = await (o.exec ?? run)(argv, { netns: o.netns, timeoutMs, signal: req.signal });
    const end = this.clock.now();
    const ctx = { start, end, method: traceMethod(req.method), target: literal(req.target).text };
    try {
      return o.raw ? decodeMtrRaw(r.stdout, ctx) : decodeMtrJson(r.stdout, ctx);
    } catch (e) {
      throw new ProbeError('backend-failed', `mtr output could not be read: ${(e as Error).message}`, r.stderr);
    }
  }
}
