// Choosing the address to probe in a prefix: the suggestion's own (hitlist), else a
// cached check, else probe-and-verify of a few candidates (addresses.ts). Results are
// cached in memory and in the store; a prefix where none answered is tried again only
// after recheck_unresponsive, not every refresh.
import { candidateAddresses } from './addresses.ts';
import type { AutoTargetsOptions, Problems } from './ports.ts';
import { formatWindow } from './rank.ts';
import type { Ranker } from './ranker.ts';
import type { PrefixCheck, Suggestion } from './types.ts';

export class AddressChecks {
  private readonly checks = new Map<string, PrefixCheck>();

  constructor(
    private readonly opts: AutoTargetsOptions,
    private readonly ranker: Ranker,
    private readonly problems: Problems,
    private readonly counters: { probed: number; unresponsive: number },
    private readonly now: () => number,
  ) {}

  async load(): Promise<void> {
    for (const c of await this.opts.store.checks()) this.checks.set(c.prefix, c);
  }

  get(prefix: string): PrefixCheck | undefined {
    return this.checks.get(prefix);
  }

  /**
   * Forgets (here; the caller deletes them from the store) checks older than `before`,
   * except an unresponsive one still inside recheck_unresponsive, which keeps its prefix
   * from being probed again too soon. Returns their prefixes.
   */
  forgetOlderThan(before: number): string[] {
    const holdUntil = this.now() - this.opts.config.recheck_unresponsive;
    const gone: string[] = [];
    for (const c of this.checks.values()) {
      if (c.checkedAt >= before || (!c.responsive && c.checkedAt >= holdUntil)) continue;
      this.checks.delete(c.prefix);
      gone.push(c.prefix);
    }
    return gone;
  }

  /** The address to probe in a prefix, or undefined (none answered; marked for recheck_unresponsive). */
  async addressFor(s: Suggestion): Promise<string | undefined> {
    const notAllowed = (a: string) => this.ranker.notAllowed(a);
    if (s.address !== undefined && notAllowed(s.address) === undefined) return s.address;
    const now = this.now();
    const cached = this.checks.get(s.prefix);
    if (cached?.responsive && cached.address !== undefined && notAllowed(cached.address) === undefined) return cached.address;
    if (cached && !cached.responsive && now - cached.checkedAt < this.opts.config.recheck_unresponsive) return undefined;
    const tried: string[] = [];
    let found: string | undefined;
    for (const a of candidateAddresses(s.prefix, this.opts.config.candidates, this.ranker.allowedOk)) {
      // probe.allowed may have shrunk since the candidates were listed.
      if (notAllowed(a) !== undefined) continue;
      tried.push(a);
      this.counters.probed++;
      let ok: boolean;
      try {
        ok = await this.opts.verify(a);
        this.problems.delete('verify');
      } catch (e) {
        // The probe itself failed (tool missing, no permission): that says nothing about
        // the prefix, so nothing is cached and it is tried again next refresh.
        this.problems.set('verify', `address check failed: ${(e as Error).message}`);
        this.opts.logger.warn({ err: e, address: a }, `address check of ${a} failed: ${(e as Error).message}`);
        return undefined;
      }
      if (ok) {
        found = a;
        break;
      }
    }
    const check: PrefixCheck = { prefix: s.prefix, ...(found !== undefined ? { address: found } : {}), responsive: found !== undefined, checkedAt: this.now(), tried };
    this.checks.set(s.prefix, check);
    await this.opts.store.putCheck(check);
    if (found === undefined) {
      this.counters.unresponsive++;
      this.opts.logger.info({ prefix: s.prefix, tried }, `no answer from ${s.prefix} (${tried.join(', ') || 'nothing allowed to try'}); next try in ${formatWindow(this.opts.config.recheck_unresponsive)}`);
    }
    return found;
  }
}
