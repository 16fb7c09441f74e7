// Debian's traceroute (Butskoy 2.1) as a backend: one process per trace, text output
// read by codec/trace's decodeTraceroute. Always `-n`: no DNS on the probe path.
//
// Methods and ECMP (../shared/LAB-NOTES.md): `-I` (ICMP echo, the default here) keeps
// one flow; classic UDP (no flag) and `-T` without --sport change ports per probe, so
// hop 2 alternates between branches; `-U --sport=P` and `-T --sport=P` pin one flow
// run after run (udp-paris / tcp-paris).
import type { Method, Trace } from '../../model/trace.ts';
import { decodeTraceroute } from '../../codec/trace/index.ts';
import { type Clock, systemClock } from '../clock.ts';
import { ProbeError, type RunOptions, type RunResult } from '../runner.ts';
import { timedRun, unreadableOutput } from './timed-run.ts';
import { type TraceBackend, type TraceRequest, DEFAULT_HOPS_GUESS, checkPort, checkRange, literal } from './types.ts';

export interface TracerouteOptions {
  readonly binary?: string;
  /** Probes per hop (-q). Default 3. */
  readonly queries?: number;
  /** Seconds to wait for a reply (-w). Default 2. */
  readonly waitS?: number;
  readonly maxTtl?: number;
  readonly netns?: string;
  readonly timeoutMs?: number;
  readonly clock?: Clock;
  readonly exec?: (argv: readonly string[], opts: RunOptions) => Promise<RunResult>;
}

const DEFAULT_PARIS_SPORT = 33000;

export function tracerouteArgv(req: TraceRequest, o: TracerouteOptions = {}): string[] {
  const { text, family } = literal(req.target);
  const queries = checkRange(o.queries ?? 3, 1, 10, 'traceroute queries');
  const wait = checkRange(o.waitS ?? 2, 0.1, 60, 'traceroute wait');
  const maxTtl = checkRange(o.maxTtl ?? 30, 1, 255, 'traceroute max ttl');
  const argv = [o.binary ?? 'traceroute', '-n', family === 4 ? '-4' : '-6', '-q', String(queries), '-w', String(wait), '-m', String(maxTtl)];
  const port = checkPort(req.port, 'destination port');
  const sport = checkPort(req.sport, 'source port');
  const method = req.method ?? 'icmp';
  switch (method) {
    case 'icmp':
    case 'icmp-paris':
      argv.push('-I');
      break;
    case 'udp':
      if (port !== undefined) argv.push('-p', String(port)); // the first port; it increments per probe
      break;
    case 'udp-paris':
      argv.push('-U', `--sport=${sport ?? DEFAULT_PARIS_SPORT}`);
      if (port !== undefined) argv.push('-p', String(port));
      break;
    case 'tcp':
      argv.push('-T', '-p', String(port ?? 80));
      break;
    case 'tcp-paris':
      argv.push('-T', '-p', String(port ?? 80), `--sport=${sport ?? DEFAULT_PARIS_SPORT}`);
      break;
    default:
      throw new ProbeError('unsupported', `traceroute has no ${method} method (icmp, udp, udp-paris, tcp, tcp-paris)`);
  }
  argv.push(text);
  return argv;
}

export class TracerouteBackend implements TraceBackend {
  readonly name = 'traceroute' as const;
  private readonly clock: Clock;

  constructor(private readonly opts: TracerouteOptions = {}) {
    this.clock = opts.clock ?? systemClock;
  }

  estimatePackets(_req: TraceRequest, hops = DEFAULT_HOPS_GUESS): number {
    // -q probes per TTL up to the destination; up to 16 go out at once (-N), some past it.
    return (this.opts.queries ?? 3) * (hops + 2);
  }

  async trace(req: TraceRequest): Promise<Trace> {
    const o = this.opts;
    const argv = tracerouteArgv(req, o);
    const { r, start, end } = await timedRun(argv, o, this.clock, (o.maxTtl ?? 30) * (o.waitS ?? 2), req.signal);
    const method: Method = req.method === undefined || req.method === 'icmp-paris' ? 'icmp' : req.method;
    try {
      return decodeTraceroute(r.stdout, { start, end, method, target: literal(req.target).text });
    } catch (e) {
      throw unreadableOutput('traceroute', e, r.stderr);
    }
  }
}
