// What every long-running part (store, api, feeds, scheduler) reports for /api/health.
// Constructors start nothing; start() and stop() do.

export type ComponentState = 'starting' | 'ok' | 'degraded' | 'failed' | 'stopped';

export interface ComponentHealth {
  readonly state: ComponentState;
  /** Why the state is not "ok", in words an operator can act on. */
  readonly detail?: string;
  /** Numbers an operator watches (routers connected, routes, events per second ...). */
  readonly counters?: Readonly<Record<string, number>>;
}

export interface Component {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): ComponentHealth;
}

/** setTimeout/clearTimeout, injected so tests drive time without sleeping. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Real timers that never keep the process alive on their own (stop() clears them anyway). */
export const UNREF_TIMERS: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Timers and the wall clock, injected so tests drive hours in milliseconds, without sleeps. */
export interface Clock extends Timers {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  // Ref'd like any timer: a pending trace, restart or settle trace is work in progress; stop() clears them.
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
