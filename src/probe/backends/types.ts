// What the scheduler needs from a traceroute backend, and the request it sends.
import type { Backend, Method, Trace } from '../../model/trace.ts';
import { parseAddress, formatAddress } from '../../model/address.ts';
import { ProbeError } from '../runner.ts';

export type BackendName = Exclude<Backend, 'atlas'>;

export interface TraceRequest {
  /** An IP literal (validated, canonical). Hostnames never reach a backend: no DNS on the probe path. */
  readonly target: string;
  /** Default: the backend's default (ICMP everywhere: one flow under ECMP, no ports to pick). */
  readonly method?: Method;
  /** Destination port for udp/tcp methods. */
  readonly port?: number;
  /** Fixed source port: with udp-paris/tcp-paris it pins one ECMP branch run after run. */
  readonly sport?: number;
  readonly signal?: AbortSignal;
}

export interface TraceBackend {
  readonly name: BackendName;
  /** Runs one trace. Throws ProbeError. */
  trace(req: TraceRequest): Promise<Trace>;
  /** Packets one trace sends, for the pps budget; `hops` is the path length last seen (or a guess). */
  estimatePackets(req: TraceRequest, hops?: number): number;
  /** Long-running backends (scamper) start and stop a process; the others need nothing. */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

/** Path length assumed before a target's first trace (a typical Internet path). */
export const DEFAULT_HOPS_GUESS = 16;

/** The canonical address text, or a ProbeError: every argv is built from this, never from raw input. */
export function literal(target: string): { text: string; family: 4 | 6 } {
  const a = parseAddress(target);
  if (!a) throw new ProbeError('unsupported', `target ${JSON.stringify(target.slice(0, 80))} is not an IP address`);
  return { text: formatAddress(a), family: a.family };
}

export function checkPort(p: number | undefined, what: string): number | undefined {
  if (p === undefined) return undefined;
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new ProbeError('unsupported', `${what} ${p} is not 1..65535`);
  return p;
}

export function checkRange(v: number, min: number, max: number, what: string): number {
  if (!Number.isFinite(v) || v < min || v > max) throw new ProbeError('unsupported', `${what} ${v} is not ${min}..${max}`);
  return v;
}
