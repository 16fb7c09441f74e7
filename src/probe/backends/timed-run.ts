// One run of a trace tool for a backend that starts a process per trace: the clock read
// around it (the Trace's start and end), a timeout that allows for the tool's worst case,
// and the error when the codec cannot read what it printed.
import type { Clock } from '../clock.ts';
import { ProbeError, type RunOptions, type RunResult, run } from '../runner.ts';

export interface TimedRunOptions {
  readonly netns?: string;
  /** Overrides the timeout timedRun works out. */
  readonly timeoutMs?: number;
  /** Runs the process instead of runner.ts's run (tests). */
  readonly exec?: (argv: readonly string[], opts: RunOptions) => Promise<RunResult>;
}

export interface TimedRun {
  readonly r: RunResult;
  /** `clock.now()` just before the process started and just after it ended. */
  readonly start: number;
  readonly end: number;
}

/** Runs `argv`; unless `o.timeoutMs`, the timeout is the tool's worst case `worstS` seconds, at least 15 s. */
export async function timedRun(argv: readonly string[], o: TimedRunOptions, clock: Clock, worstS: number, signal: AbortSignal | undefined): Promise<TimedRun> {
  const start = clock.now();
  const r = await (o.exec ?? run)(argv, { netns: o.netns, timeoutMs: o.timeoutMs ?? Math.max(15_000, worstS * 1000), signal });
  const end = clock.now();
  return { r, start, end };
}

/** The error for output of `tool` that the codec could not read; stderr goes with it. */
export function unreadableOutput(tool: string, e: unknown, stderr: string): ProbeError {
  return new ProbeError('backend-failed', `${tool} output could not be read: ${(e as Error).message}`, stderr);
}
