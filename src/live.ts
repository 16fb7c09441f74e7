// The live event hub: service.ts publishes what happened (route changes, traces,
// verdicts, alerts) as plain JSON-ready objects; the API's live stream (SSE) relays them
// to the console. Publishing never blocks and never throws: a slow or broken listener is
// the listener's problem, not the ingest's.

export type LiveEventType = 'route-change' | 'trace' | 'path-change' | 'verdict' | 'alert' | 'target';

export interface LiveEvent {
  readonly type: LiveEventType;
  /** Epoch ms when published. */
  readonly at: number;
  /** The same JSON the REST API returns for that resource. */
  readonly data: unknown;
}

export type LiveListener = (e: LiveEvent) => void;

export class LiveHub {
  private readonly listeners = new Set<LiveListener>();
  private readonly now: () => number;
  readonly counters = { published: 0, listenerErrors: 0 };

  constructor(opts: { now?: () => number } = {}) {
    this.now = opts.now ?? Date.now;
  }

  publish(type: LiveEventType, data: unknown): void {
    this.counters.published++;
    if (this.listeners.size === 0) return;
    const e: LiveEvent = { type, at: this.now(), data };
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        this.counters.listenerErrors++;
      }
    }
  }

  /** Returns the unsubscribe function. */
  subscribe(l: LiveListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get size(): number {
    return this.listeners.size;
  }
}
