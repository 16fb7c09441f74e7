// Debian's tcptraceroute (1.5, IPv4 only) as a backend: TCP SYNs to a port, for paths
// where firewalls drop ICMP and UDP. Always `-n`. It keeps one source port for a whole
// run (one flow); `-p` fixes it across runs too (tcp-paris). The target need not listen:
// a RST proves it reached (LAB-NOTES: the lab target answers SYN with RST).
import type { Trace } from '../../model/trace.ts';
import { decodeTraceroute } from '../../codec/trace/index.ts';
import { type Clock, systemClock } from '../clock.ts';
import { ProbeError, type RunOptions, type RunResult } from '../runner.ts';
import { timedRun, unreadableOutput } from './timed-run.ts';
import { type TraceBackend, type TraceRequest, DEFAULT_HOPS_GUESS, checkPort, checkRange, literal } from './types.ts';

export interface TcptracerouteOptions {
  readonly binary?: string;
  readonly queries?: number;
  readonly waitS?: number;
  readonly maxTtl?: number;
  readonly netns?: string;
  readonly timeoutMs?: number;
  readonly clock?: Clock;
  readonly exec?: (argv: readonly string[], opts: RunOptions) => Promise<RunResult>;
}

export function tcptracerouteArgv(req: TraceRequest, o: TcptracerouteOptions = {}): string[] {
  const { text, family } = literal(req.target);
  if (family === 6) throw new ProbeError('unsupported', 'tcptraceroute is IPv4 only: use traceroute -T or scamper tcp for IPv6');
  const method = req.method ?? 'tcp';
  if (method !== 'tcp' && method !== 'tcp-paris') throw new ProbeError('unsupported', `tcptraceroute only sends TCP SYNs, not ${method}`);
  const queries = checkRange(o.queries ?? 3, 1, 10, 'tcptraceroute queries');
  const wait = checkRange(o.waitS ?? 2, 1, 60, 'tcptraceroute wait');
  const maxTtl = checkRange(o.maxTtl ?? 30, 1, 255, 'tcptraceroute max ttl');
  const argv = [o.binary ?? 'tcptraceroute', '-n', '-q', String(queries), '-w', String(Math.round(wait)), '-m', String(maxTtl)];
  const sport = checkPort(req.sport, 'source port');
  if (sport !== undefined) argv.push('-p', String(sport));
  argv.push(text, String(checkPort(req.port, 'destination port') ?? 80));
  return argv;
}

export class TcptracerouteBackend implements TraceBackend {
  readonly name = 'tcptraceroute' as const;
  private readonly clock: Clock;

  constructor(private readonly opts: TcptracerouteOptions = {}) {
    this.clock = opts.clock ?? systemClock;
  }

  estimatePackets(_req: TraceRequest, hops = DEFAULT_HOPS_GUESS): number {
    return (this.opts.queries ?? 3) * hops; // one TTL at a time: nothing past the target
  }

  async trace(req: TraceRequest): Promise<Trace> {
    const o = this.opts;
    const argv = tcptracerouteArgv(req, o);
    const { r, start, end } = await timedRun(argv, o, this.clock, (o.maxTtl ?? 30) * (o.queries ?? 3) * (o.waitS ?? 2), req.signal);
    try {
      // Its header ("Selected device ...", "Tracing the path to ...") goes to stderr; the
      // codec reads the port, max hops and source from it, and knows the tool by it.
      const header = r.stderr.split('\n').filter((l) => /^(?:Selected device|Tracing the path to) /.test(l));
      return decodeTraceroute([...header, r.stdout].join('\n'), { start, end, method: 'tcp', target: literal(req.target).text });
    } catch (e) {
      throw unreadableOutput('tcptraceroute', e, r.stderr);
    }
  }
}
