// The packets-per-second budget shared by every backend: a token bucket refilled by
// the injected clock. A trace costs what its backend estimates it sends. The bucket
// holds at most `burstS` seconds of packets (but always enough for the largest single
// trace, or a big trace could never start). Priority work may spend into debt: a
// triggered trace must start now, and the regular queue pays it back by waiting.
export class PacketBudget {
  private tokens: number;
  private last: number;

  constructor(
    readonly pps: number,
    private readonly burstS: number,
    now: number,
  ) {
    if (!(pps > 0)) throw new RangeError(`pps must be > 0, got ${pps}`);
    this.tokens = pps * burstS;
    this.last = now;
  }

  private refill(now: number, cost: number): number {
    const cap = Math.max(this.pps * this.burstS, cost);
    if (now > this.last) this.tokens = Math.min(cap, this.tokens + ((now - this.last) * this.pps) / 1000);
    this.last = Math.max(this.last, now);
    return cap;
  }

  /** Takes `cost` packets if available; else returns the ms to wait until they are. */
  take(cost: number, now: number): { ok: true } | { ok: false; waitMs: number } {
    this.refill(now, cost);
    if (this.tokens >= cost) {
      this.tokens -= cost;
      return { ok: true };
    }
    return { ok: false, waitMs: Math.max(1, Math.ceil(((cost - this.tokens) * 1000) / this.pps)) };
  }

  /** Takes `cost` regardless (may go negative). */
  force(cost: number, now: number): void {
    this.refill(now, cost);
    this.tokens -= cost;
  }

  get available(): number {
    return this.tokens;
  }
}
