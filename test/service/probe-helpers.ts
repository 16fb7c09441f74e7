// A scripted trace backend for the prober tests: no packets, traces made from a path the
// test sets (and may change) at any time.
import type { Hop, Trace } from '../../src/model/trace.ts';
import type { TraceBackend, TraceRequest } from '../../src/probe/backends/types.ts';
import { ProbeError } from '../../src/probe/runner.ts';

export interface Script {
  /** Middle hops (the target is appended). */
  path: string[];
  /** Percent of the target's 10 probes that go unanswered. */
  lossPct: number;
  rttMs: number;
  /** Throw this instead of tracing. */
  fail?: ProbeError;
}

export class ScriptedBackend implements TraceBackend {
  readonly name = 'mtr' as const;
  readonly requests: TraceRequest[] = [];
  constructor(readonly script: Script) {}

  estimatePackets(): number {
    return 10;
  }

  async trace(req: TraceRequest): Promise<Trace> {
    this.requests.push(req);
    if (this.script.fail) throw this.script.fail;
    // Fractional ms, as scamper reports them (microseconds).
    const start = Date.now() + 0.123;
    const hop = (ttl: number, address: string, received: number, rtt: number): Hop => ({
      ttl,
      sent: 10,
      received,
      responders: [{ address, rtts: Array.from({ length: received }, (_, i) => rtt + i * 0.01), received }],
    });
    const hops = this.script.path.map((a, i) => hop(i + 1, a, 10, 1 + i));
    const got = Math.round(10 * (1 - this.script.lossPct / 100));
    hops.push(hop(hops.length + 1, req.target, got, this.script.rttMs));
    return { target: req.target, backend: 'mtr', method: req.method ?? 'icmp', start, end: start + 5, reached: got > 0, hops };
  }
}

export { ProbeError };
