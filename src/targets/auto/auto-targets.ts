// The AutoTargets component: every auto_targets.interval it ranks prefixes from the
// configured sources (ranker.ts), plans what changes (lifecycle.ts), picks an address for
// each new prefix (address-checks.ts: hitlist, else probe-and-verify of a few
// candidates, cached in the store) and adds or removes targets of source 'auto' on the
// scheduler.
//
// - Config and API targets are never touched: only ids this component made are removed,
//   and a prefix covering a config/API target's address is not suggested at all.
// - Every address probed or scheduled is inside probe.allowed (checked here, and again by
//   the scheduler before each run).
// - A failing source (a traffic command that fails, a bad export) is logged and shown by
//   health(); the other sources still rank.
// - Changes to the targets (a refresh's plan, each target it makes, an API accept/pin)
//   run one at a time, each from the targets as they are then: a refresh that ranked
//   before an accept cannot undo the pin afterwards.
// - Expired targets and prefix checks older than storage.retention are forgotten, so a
//   rotating churn list does not grow memory and the store without bound; an operator's
//   delete is kept, so that it keeps holding.
// The scheduler, the store and the probes are reached through ports.ts, so this file
// imports neither probe/ nor store/.
import { type Component, type ComponentHealth, type Timers, UNREF_TIMERS } from '../../component.ts';
import { parseAddress } from '../../model/address.ts';
import { formatPrefix, parsePrefix, prefixContains } from '../../model/prefix.ts';
import { notAllowedReason } from '../validate.ts';
import { AddressChecks } from './address-checks.ts';
import { OPERATOR_REMOVED, plan } from './lifecycle.ts';
import type { AutoTargetsOptions, Problems } from './ports.ts';
import type { Ranking } from './suggest.ts';
import { Ranker } from './ranker.ts';
import { withHitlistAddress } from './suggest.ts';
import { type AutoTarget, type Suggestion, autoTargetId } from './types.ts';

export type { AutoScheduler, AutoTargetStore, AutoTargetsOptions } from './ports.ts';

export type AcceptResult = { ok: true; target: AutoTarget; created: boolean } | { ok: false; status: 400 | 404 | 409; reason: string };

export class AutoTargets implements Component {
  readonly name = 'auto-targets';
  private readonly now: () => number;
  private readonly timers: Timers;
  private timer: unknown;
  private running = false;
  private refreshing: Promise<void> | undefined;
  /** The tail of the changes queued by serial(). */
  private changes: Promise<unknown> = Promise.resolve();
  private readonly targets = new Map<string, AutoTarget>();
  private readonly problems: Problems = new Map();
  readonly counters = { refreshes: 0, added: 0, expired: 0, probed: 0, unresponsive: 0, forgotten: 0 };
  private readonly ranker: Ranker;
  private readonly addresses: AddressChecks;

  constructor(private readonly opts: AutoTargetsOptions) {
    this.now = opts.now ?? Date.now;
    this.timers = opts.timers ?? UNREF_TIMERS;
    this.ranker = new Ranker(opts, this.problems, this.now);
    this.addresses = new AddressChecks(opts, this.ranker, this.problems, this.counters, this.now);
  }

  async start(): Promise<void> {
    if (this.running) return;
    const log = this.opts.logger;
    for (const t of await this.opts.store.list()) this.targets.set(t.id, t);
    await this.addresses.load();
    await this.ranker.loadHitlist();
    // Put the stored live targets back on the scheduler (it starts empty of them).
    const fixes: AutoTarget[] = [];
    for (const t of this.targets.values()) {
      if (t.state === 'expired') continue;
      const why = this.ranker.notAllowed(t.address);
      const r = why === undefined ? await this.opts.scheduler.add(this.schedInput(t)) : { ok: false as const, reason: why };
      if (!r.ok) {
        const e: AutoTarget = { ...t, state: 'expired', expiredAt: this.now(), expiredWhy: `not scheduled at start: ${r.reason}`, updatedAt: this.now() };
        this.targets.set(t.id, e);
        fixes.push(e);
        log.warn({ target: t.id, reason: r.reason }, 'stored auto target not scheduled');
      }
    }
    await this.opts.store.put(fixes);
    await this.forgetOld(this.now());
    this.running = true;
    // The first refresh waits for the feeds to fill the RIB a little, but not a whole interval.
    this.arm(Math.min(this.opts.config.interval, 30_000));
    log.info({ targets: [...this.targets.values()].filter((t) => t.state !== 'expired').length }, 'auto targets started');
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await this.refreshing;
  }

  health(): ComponentHealth {
    const detail = [...this.problems.values()].join('; ');
    const live = [...this.targets.values()].filter((t) => t.state !== 'expired').length;
    return {
      state: !this.running ? 'stopped' : detail ? 'degraded' : 'ok',
      ...(detail ? { detail } : {}),
      counters: { targets: live, ...this.counters },
    };
  }

  /** Auto targets as stored (every state), oldest first. */
  list(): AutoTarget[] {
    return [...this.targets.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  /** The live auto target made with this scheduler id. */
  get(id: string): AutoTarget | undefined {
    const t = this.targets.get(id);
    return t && t.state !== 'expired' ? t : undefined;
  }

  private arm(ms: number): void {
    if (!this.running) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      void this.refresh().finally(() => this.arm(this.opts.config.interval));
    }, ms);
  }

  /** One refresh now (also what the timer runs). Never throws: problems go to the log and health(). */
  refresh(): Promise<void> {
    if (this.refreshing) return this.refreshing;
    const p = this.doRefresh()
      .catch((e: unknown) => {
        this.problems.set('refresh', `refresh failed: ${(e as Error).message}`);
        this.opts.logger.error({ err: e }, 'auto targets refresh failed');
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    this.refreshing = p;
    return p;
  }

  /**
   * The current ranking (no probing): what GET /api/targets/suggestions shows. Before the
   * first refresh, requests share one ranking (and keep it) rather than each ranking anew.
   */
  async suggestions(): Promise<{ at: number; suggestions: (Suggestion & { targetId?: string; state?: string })[]; skipped: Ranking['skipped'] }> {
    if (!this.ranker.last) await this.ranker.rank();
    const r = this.ranker.last!;
    const byPrefix = new Map([...this.targets.values()].filter((t) => t.state !== 'expired').map((t) => [t.prefix, t]));
    const suggestions = r.ranking.suggestions.map((s) => {
      const t = byPrefix.get(s.prefix);
      const cached = this.addresses.get(s.prefix);
      const address = t?.address ?? s.address ?? (cached?.responsive ? cached.address : undefined);
      return { ...s, ...(address !== undefined ? { address } : {}), ...(t ? { targetId: t.id, state: t.state } : {}) };
    });
    return { at: r.at, suggestions, skipped: r.ranking.skipped };
  }

  /** Runs `fn` after every change queued before it (see the header). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const r = this.changes.then(fn);
    this.changes = r.catch(() => undefined);
    return r;
  }

  /** The live auto target of a (canonical) prefix: its id is made from the prefix. */
  private live(prefix: string): AutoTarget | undefined {
    return this.get(autoTargetId(prefix));
  }

  // ---------------------------------------------------------------- refresh

  private async doRefresh(): Promise<void> {
    const ranking = await this.ranker.rank();
    this.counters.refreshes++;
    const add = await this.serial(() => this.applyPlan(ranking.suggestions));
    // New prefixes: an address each (hitlist, cache or probing), a few prefixes at once.
    const queue = [...add];
    const worker = async () => {
      for (let s = queue.shift(); s !== undefined && this.running; s = queue.shift()) {
        const address = await this.addresses.addressFor(s);
        if (address === undefined) continue;
        await this.serial(async () => {
          // An API accept may have made it while this one was probing.
          if (this.live(s.prefix)) return;
          const t = await this.schedule(s, address, false);
          if (t) await this.opts.store.put([t]);
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.verifyConcurrency ?? 4, queue.length) }, worker));
    this.problems.delete('refresh');
  }

  /** Expires, confirms and re-reasons the targets as they are now; returns the suggestions to make targets of. */
  private async applyPlan(suggestions: readonly Suggestion[]): Promise<Suggestion[]> {
    const c = this.opts.config;
    const now = this.now();
    const p = plan({
      now,
      expireAfter: c.expire_after,
      maxTargets: c.max_targets,
      targets: [...this.targets.values()],
      suggestions,
      announced: (prefix) => this.opts.routing.announced(prefix),
      scheduled: (id) => this.opts.scheduler.get(id),
    });
    for (const id of p.remove) {
      await this.opts.scheduler.remove(id);
      this.opts.onChange?.(id, 'removed');
    }
    for (const t of p.updates) {
      const before = this.targets.get(t.id);
      this.targets.set(t.id, t);
      if (t.state === 'expired' && before?.state !== 'expired') {
        this.counters.expired++;
        this.opts.logger.info({ target: t.id, prefix: t.prefix, why: t.expiredWhy }, `auto target expired: ${t.prefix}: ${t.expiredWhy}`);
      }
    }
    await this.opts.store.put(p.updates);
    await this.forgetOld(now);
    return p.add;
  }

  /**
   * Forgets expired targets and prefix checks older than storage.retention, here and in
   * the store. An operator's delete stays (it keeps the prefix from being made again).
   */
  private async forgetOld(now: number): Promise<void> {
    const retention = this.opts.retention;
    if (retention === undefined) return;
    const before = now - retention;
    const targets: string[] = [];
    for (const t of this.targets.values()) {
      if (t.state === 'expired' && t.expiredWhy !== OPERATOR_REMOVED && (t.expiredAt ?? t.updatedAt) < before) targets.push(t.id);
    }
    for (const id of targets) this.targets.delete(id);
    const checks = this.addresses.forgetOlderThan(before);
    if (targets.length + checks.length === 0) return;
    await this.opts.store.forget({ targets, checks });
    this.counters.forgotten += targets.length;
    this.opts.logger.info({ targets: targets.length, checks: checks.length }, 'retention: forgot expired auto targets and old prefix checks');
  }

  private schedInput(t: AutoTarget): { id: string; address: string; interval?: number } {
    const iv = this.opts.config.probe_interval;
    return { id: t.id, address: t.address, ...(iv !== undefined ? { interval: iv } : {}) };
  }

  private async schedule(s: Suggestion, address: string, pinned: boolean): Promise<AutoTarget | undefined> {
    const now = this.now();
    const id = autoTargetId(s.prefix);
    const prev = this.targets.get(id);
    const t: AutoTarget = {
      id,
      prefix: s.prefix,
      address,
      source: s.source,
      reason: s.reason,
      score: s.score,
      state: 'added',
      pinned,
      createdAt: prev?.createdAt ?? now,
      updatedAt: now,
      lastRankedAt: now,
    };
    const r = await this.opts.scheduler.add(this.schedInput(t));
    if (!r.ok) {
      this.opts.logger.warn({ prefix: s.prefix, address, reason: r.reason }, `auto target for ${s.prefix} not scheduled: ${r.reason}`);
      return undefined;
    }
    this.targets.set(id, t);
    this.counters.added++;
    this.opts.onChange?.(id, 'added');
    this.opts.logger.info({ target: id, address, reason: t.reason }, `auto target added: ${s.prefix} -> ${address} (${t.reason})`);
    return t;
  }

  // ---------------------------------------------------------------- accept / pin

  /** Pins the live auto target of `prefix`, if there is one (run inside serial()). */
  private async pin(prefix: string): Promise<AutoTarget | undefined> {
    const live = this.live(prefix);
    if (!live) return undefined;
    const now = this.now();
    const pinned: AutoTarget = { ...live, pinned: true, updatedAt: now, lastRankedAt: now };
    this.targets.set(live.id, pinned);
    await this.opts.store.put([pinned]);
    this.opts.logger.info({ target: live.id }, `auto target pinned: ${live.prefix}`);
    return pinned;
  }

  /**
   * Pins a prefix as an auto target that never expires: an existing auto target is
   * pinned in place; otherwise one is made (the given address, else hitlist, cache or
   * probing), with the suggestion's reason when it is ranked.
   */
  async accept(input: { prefix?: string; target?: string; address?: string }): Promise<AcceptResult> {
    let prefixText: string | undefined;
    if (input.target !== undefined) {
      const t = this.targets.get(input.target);
      if (!t) return { ok: false, status: 404, reason: `no auto target ${JSON.stringify(input.target.slice(0, 100))}` };
      prefixText = t.prefix;
    } else if (input.prefix !== undefined) {
      const p = parsePrefix(input.prefix);
      if (!p || !input.prefix.includes('/')) return { ok: false, status: 400, reason: `prefix ${JSON.stringify(input.prefix.slice(0, 60))} is not a CIDR prefix like "198.51.100.0/24"` };
      prefixText = formatPrefix(p);
    } else return { ok: false, status: 400, reason: 'give a prefix or a target' };
    const prefix = prefixText;
    const pinned = await this.serial(() => this.pin(prefix));
    if (pinned) return { ok: true, target: pinned, created: false };
    const p = parsePrefix(prefix)!;
    const other = this.opts.scheduler.others().find((t) => {
      const a = parseAddress(t.address);
      return a !== undefined && prefixContains(p, a);
    });
    if (other) return { ok: false, status: 409, reason: `${prefix} is covered by ${other.source} target ${other.id} (${other.address})` };
    let address: string | undefined;
    if (input.address !== undefined) {
      const a = parseAddress(input.address);
      if (!a || !prefixContains(p, a)) return { ok: false, status: 400, reason: `address ${JSON.stringify(input.address.slice(0, 60))} is not inside ${prefix}` };
      const why = notAllowedReason(a, this.opts.allowed());
      if (why) return { ok: false, status: 400, reason: why };
      address = input.address;
    }
    const ranked = this.ranker.last?.ranking.suggestions.find((s) => s.prefix === prefix);
    const s: Suggestion = ranked ?? { prefix, source: 'static', score: 0, reason: 'accepted through the API', origins: this.opts.routing.origins(prefix) };
    address ??= await this.addresses.addressFor(withHitlistAddress(s, this.ranker.hitlist, this.ranker.allowedOk));
    if (address === undefined) {
      return { ok: false, status: 409, reason: `no candidate address of ${prefix} answered (${this.addresses.get(prefix)?.tried.join(', ') || 'none inside probe.allowed'}); give one with "address"` };
    }
    const chosen = address;
    return this.serial(async (): Promise<AcceptResult> => {
      // A refresh may have made it while this probed.
      const made = await this.pin(prefix);
      if (made) return { ok: true, target: made, created: false };
      const t = await this.schedule({ ...s, reason: ranked ? `${s.reason}; accepted` : s.reason }, chosen, true);
      if (!t) return { ok: false, status: 400, reason: `${chosen} could not be scheduled (see the log)` };
      await this.opts.store.put([t]);
      return { ok: true, target: t, created: true };
    });
  }
}
