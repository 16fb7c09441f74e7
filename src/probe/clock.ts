// Time for the prober: the wall clock for Trace start/end, and timers (component.ts's
// Clock), and the ManualClock the scheduler's tests drive hours of schedule with.
import type { Clock } from '../component.ts';

export { type Clock, systemClock } from '../component.ts';

interface ManualTimer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/**
 * A clock that moves only when told. `advance(ms)` fires due timers in time order
 * (ties in creation order) and lets promise callbacks run between them, so code that
 * awaits a backend and then sets the next timer behaves as it would in real time.
 */
export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: ManualTimer[] = [];

  constructor(start = Date.UTC(2024, 0, 1)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { id: ++this.seq, at: this.t + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.timers.length;
  }

  async advance(ms: number): Promise<void> {
    const until = this.t + ms;
    await flush();
    for (;;) {
      let next: ManualTimer | undefined;
      for (const x of this.timers) if (x.at <= until && (!next || x.at < next.at || (x.at === next.at && x.id < next.id))) next = x;
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.at);
      next.fn();
      await flush();
    }
    this.t = until;
    await flush();
  }
}

/** Lets queued promise callbacks (several hops deep) run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise<void>((r) => setImmediate(r));
}
