// Events per second over the last `windowSeconds` whole seconds, by an injected clock.
export class RateMeter {
  private readonly counts: Float64Array;
  private readonly seconds: Float64Array;

  constructor(
    private readonly now: () => number,
    private readonly windowSeconds = 10,
  ) {
    this.counts = new Float64Array(windowSeconds + 1);
    this.seconds = new Float64Array(windowSeconds + 1).fill(-1);
  }

  add(n: number): void {
    const s = Math.floor(this.now() / 1000);
    const i = s % this.counts.length;
    if (this.seconds[i] !== s) {
      this.seconds[i] = s;
      this.counts[i] = 0;
    }
    this.counts[i] += n;
  }

  /** Mean per second over the last full window (the current second is left out). */
  perSecond(): number {
    const s = Math.floor(this.now() / 1000);
    let sum = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const at = this.seconds[i];
      if (at >= s - this.windowSeconds && at < s) sum += this.counts[i];
    }
    return Math.round((sum / this.windowSeconds) * 10) / 10;
  }
}
