// The AutoTargets component: every auto_targets.interval it ranks prefixes from the
// configured sources (rank.ts via suggest.ts), plans what changes (lifecycle.ts), picks
// an address for each new prefix (hitlist, else probe-and-verify of a few candidates,
// cached in the store) and adds or removes targets of source 'auto' on the scheduler.
//
// - Config and API targets are never touched: only ids this component made are removed,
//   and a prefix covering a config/API target's address is not suggested at all.
// - A prefix where no candidate answered is marked in the store and tried again only
//   after recheck_unresponsive, not every refresh.
// - Every address probed or scheduled is inside probe.allowed (checked here, and again by
//   the scheduler before each run).
// - A failing source (a traffic command that fails, a bad export) is logged and shown by
//   health(); the other sources still rank.
// The scheduler, the store and the probes are reached through the small interfaces
// below, so this file imports neither probe/ nor store/.
import type { ComponentHealth, Component } from '../../component.ts';
import type { Logger } from '../../log.ts';
import { type Address, parseAddress } from '../../model/address.ts';
import { type Prefix, formatPrefix, parsePrefix, prefixContains } from '../../model/prefix.ts';
import { notAllowedReason } from '../validate.ts';
import { candidateAddresses } from './addresses.ts';
import type { Hitlist } from './hitlist.ts';
import { type ScheduledView, plan } from './lifecycle.ts';
import { type ChurnInput, type RoutedPrefix, formatWindow } from './rank.ts';
import type { RoutingView } from './routing.ts';
import { type AutoConfig, type Ranking, asnRulesOf, rankAll, staticsOf, withHitlistAddress } from './suggest.ts';
import type { ParsedTraffic } from './traffic-format.ts';
import { type AutoTarget, type PrefixCheck, type Suggestion, autoTargetId } from './types.ts';

export interface AutoTargetStore {
  list(): Promise<AutoTarget[]>;
  put(targets: readonly AutoTarget[]): Promise<void>;
  checks(): Promise<PrefixCheck[]>;
  putCheck(c: PrefixCheck): Promise<void>;
}

export interface AutoScheduler {
  /** Adds a target of source 'auto'; { ok: false, reason } when refused. */
  add(t: { id: string; address: string; interval?: number }): Promise<{ ok: true } | { ok: false; reason: string }>;
  remove(id: string): Promise<void>;
  get(id: string): ScheduledView | undefined;
  /** Every target of another source (config, API), to leave their prefixes alone. */
  others(): { id: string; address: string; source: string }[];
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(h: unknown): void;
}

export interface AutoTargetsOptions {
  readonly config: AutoConfig;
  readonly allowed: () => readonly Prefix[];
  readonly store: AutoTargetStore;
  readonly scheduler: AutoScheduler;
  readonly routing: RoutingView;
  /** Busiest prefixes since a time (feed time, ms). */
  readonly churn: (since: number) => Promise<ChurnInput[]>;
  /** The traffic export (file or command), parsed; undefined when none is configured. */
  readonly traffic?: () => Promise<ParsedTraffic | undefined>;
  readonly hitlist?: () => Promise<Hitlist | undefined>;
  /** A cheap probe: did `address` answer? Only ever called with an allowed address. */
  readonly verify: (address: string) => Promise<boolean>;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly timers?: Timers;
  /** Prefixes probed at once during a refresh. Default 4. */
  readonly verifyConcurrency?: number;
}

export type AcceptResult = { ok: true; target: AutoTarget; created: boolean } | { ok: false; status: 400 | 404 | 409; reason: string };

const systemTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class AutoTargets implements Component {
  readonly name = 'auto-targets';
  private readonly now: () => number;
  private readonly timers: Timers;
  private timer: unknown;
  private running = false;
  private refreshing: Promise<void> | undefined;
  private readonly targets = new Map<string, AutoTarget>();
  private readonly checks = new Map<string, PrefixCheck>();
  private hitlistCache: Hitlist | undefined;
  private last: { at: number; ranking: Ranking } | undefined;
  private problems = new Map<string, string>();
  readonly counters = { refreshes: 0, added: 0, expired: 0, probed: 0, unresponsive: 0 };

  constructor(private readonly opts: AutoTargetsOptions) {
    this.now = opts.now ?? Date.now;
    this.timers = opts.timers ?? systemTimers;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const log = this.opts.logger;
    for (const t of await this.opts.store.list()) this.targets.set(t.id, t);
    for (const c of await this.opts.store.checks()) this.checks.set(c.prefix, c);
    await this.loadHitlist();
    // Put the stored live targets back on the scheduler (it starts empty of them).
    const fixes: AutoTarget[] = [];
    for (const t of this.targets.values()) {
      if (t.state === 'expired') continue;
      const why = this.notAllowed(t.address);
      const r = why === undefined ? await this.opts.scheduler.add(this.schedInput(t)) : { ok: false as const, reason: why };
      if (!r.ok) {
        const e: AutoTarget = { ...t, state: 'expired', expiredAt: this.now(), expiredWhy: `not scheduled at start: ${r.reason}`, updatedAt: this.now() };
        this.targets.set(t.id, e);
        fixes.push(e);
        log.warn({ target: t.id, reason: r.reason }, 'stored auto target not scheduled');
      }
    }
    await this.opts.store.put(fixes);
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

  /** The current ranking (no probing): what GET /api/targets/suggestions shows. */
  async suggestions(): Promise<{ at: number; suggestions: (Suggestion & { targetId?: string; state?: string })[]; skipped: Ranking['skipped'] }> {
    const r = this.last ?? { at: this.now(), ranking: await this.rank() };
    const byPrefix = new Map([...this.targets.values()].filter((t) => t.state !== 'expired').map((t) => [t.prefix, t]));
    const suggestions = r.ranking.suggestions.map((s) => {
      const t = byPrefix.get(s.prefix);
      const cached = this.checks.get(s.prefix);
      const address = t?.address ?? s.address ?? (cached?.responsive ? cached.address : undefined);
      return { ...s, ...(address !== undefined ? { address } : {}), ...(t ? { targetId: t.id, state: t.state } : {}) };
    });
    return { at: r.at, suggestions, skipped: r.ranking.skipped };
  }

  // ---------------------------------------------------------------- ranking

  private async loadHitlist(): Promise<void> {
    if (!this.opts.hitlist) return;
    try {
      this.hitlistCache = await this.opts.hitlist();
      this.problems.delete('hitlist');
    } catch (e) {
      this.problems.set('hitlist', `hitlist: ${(e as Error).message}`);
      this.opts.logger.error({ err: e }, 'hitlist not read');
    }
  }

  private notAllowed(address: string): string | undefined {
    const a = parseAddress(address);
    return a ? notAllowedReason(a, this.opts.allowed()) : `${address} is not an address`;
  }

  private allowedOk = (a: Address): boolean => notAllowedReason(a, this.opts.allowed()) === undefined;

  private async rank(): Promise<Ranking> {
    const c = this.opts.config;
    const log = this.opts.logger;
    let churn: ChurnInput[] | undefined;
    if (c.churn.enabled && c.churn.top > 0) {
      try {
        churn = await this.opts.churn(this.now() - c.churn.window);
        this.problems.delete('churn');
      } catch (e) {
        this.problems.set('churn', `churn: ${(e as Error).message}`);
        log.error({ err: e }, 'churn counts not read');
      }
    }
    let traffic: ParsedTraffic | undefined;
    if (this.opts.traffic && c.traffic.top > 0) {
      try {
        traffic = await this.opts.traffic();
        this.problems.delete('traffic');
      } catch (e) {
        this.problems.set('traffic', `traffic: ${(e as Error).message}`);
        log.error({ err: e }, 'traffic export not read');
      }
    }
    // Prefixes a config or API target already probes are theirs.
    const others = this.opts.scheduler
      .others()
      .map((t) => ({ ...t, addr: parseAddress(t.address) }))
      .filter((t): t is typeof t & { addr: Address } => t.addr !== undefined);
    const exclude = (prefixText: string): string | undefined => {
      const p = parsePrefix(prefixText);
      if (!p) return 'not a prefix';
      const o = others.find((t) => prefixContains(p, t.addr));
      if (o) return `covered by ${o.source} target ${o.id} (${o.address})`;
      if (candidateAddresses(prefixText, 1, this.allowedOk).length === 0 && !this.hitlistCache?.find(prefixText, this.allowedOk)) {
        return 'no address of it is inside probe.allowed';
      }
      return undefined;
    };
    // Every routed prefix, for the ASN rules: gathered in slices with the event loop let go
    // in between, so a full table does not stall the feeds and the API for seconds.
    let routed: RoutedPrefix[] | undefined;
    if (c.asn.length > 0) {
      routed = [];
      for (const p of this.opts.routing.prefixes()) {
        routed.push(p);
        if (routed.length % 20_000 === 0) await new Promise<void>((r) => setImmediate(r));
      }
    }
    const ranking = rankAll({
      routing: this.opts.routing,
      ...(routed ? { routed } : {}),
      ...(churn ? { churn, churnWindow: formatWindow(c.churn.window) } : {}),
      ...(traffic ? { traffic } : {}),
      asnRules: asnRulesOf(c),
      statics: staticsOf(c),
      limit: c.max_targets,
      maxPerOrigin: c.max_per_origin,
      churnTop: c.churn.top,
      trafficTop: c.traffic.top,
      exclude,
    });
    return { ...ranking, suggestions: ranking.suggestions.map((s) => withHitlistAddress(s, this.hitlistCache, this.allowedOk)) };
  }

  // ---------------------------------------------------------------- refresh

  private async doRefresh(): Promise<void> {
    const c = this.opts.config;
    const log = this.opts.logger;
    const ranking = await this.rank();
    const now = this.now();
    this.last = { at: now, ranking };
    this.counters.refreshes++;
    const p = plan({
      now,
      expireAfter: c.expire_after,
      maxTargets: c.max_targets,
      targets: [...this.targets.values()],
      suggestions: ranking.suggestions,
      announced: (prefix) => this.opts.routing.announced(prefix),
      scheduled: (id) => this.opts.scheduler.get(id),
    });
    for (const id of p.remove) await this.opts.scheduler.remove(id);
    for (const t of p.updates) {
      const before = this.targets.get(t.id);
      this.targets.set(t.id, t);
      if (t.state === 'expired' && before?.state !== 'expired') {
        this.counters.expired++;
        log.info({ target: t.id, prefix: t.prefix, why: t.expiredWhy }, `auto target expired: ${t.prefix}: ${t.expiredWhy}`);
      }
    }
    await this.opts.store.put(p.updates);

    // New prefixes: an address each (hitlist, cache or probing), a few prefixes at once.
    const made: AutoTarget[] = [];
    const queue = [...p.add];
    const worker = async () => {
      for (let s = queue.shift(); s !== undefined && this.running; s = queue.shift()) {
        const address = await this.addressFor(s);
        if (address === undefined) continue;
        const t = await this.schedule(s, address, false);
        if (t) made.push(t);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.opts.verifyConcurrency ?? 4, queue.length) }, worker));
    await this.opts.store.put(made);
    this.problems.delete('refresh');
  }

  /** The address to probe in a prefix, or undefined (none answered; marked for recheck_unresponsive). */
  private async addressFor(s: Suggestion): Promise<string | undefined> {
    if (s.address !== undefined && this.notAllowed(s.address) === undefined) return s.address;
    const now = this.now();
    const cached = this.checks.get(s.prefix);
    if (cached?.responsive && cached.address !== undefined && this.notAllowed(cached.address) === undefined) return cached.address;
    if (cached && !cached.responsive && now - cached.checkedAt < this.opts.config.recheck_unresponsive) return undefined;
    const tried: string[] = [];
    let found: string | undefined;
    for (const a of candidateAddresses(s.prefix, this.opts.config.candidates, this.allowedOk)) {
      // probe.allowed may have shrunk since the candidates were listed.
      if (this.notAllowed(a) !== undefined) continue;
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
    this.opts.logger.info({ target: id, address, reason: t.reason }, `auto target added: ${s.prefix} -> ${address} (${t.reason})`);
    return t;
  }

  // ---------------------------------------------------------------- accept / pin

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
    const now = this.now();
    const live = [...this.targets.values()].find((t) => t.prefix === prefixText && t.state !== 'expired');
    if (live) {
      const pinned: AutoTarget = { ...live, pinned: true, updatedAt: now, lastRankedAt: now };
      this.targets.set(live.id, pinned);
      await this.opts.store.put([pinned]);
      this.opts.logger.info({ target: live.id }, `auto target pinned: ${live.prefix}`);
      return { ok: true, target: pinned, created: false };
    }
    const p = parsePrefix(prefixText)!;
    const other = this.opts.scheduler.others().find((t) => {
      const a = parseAddress(t.address);
      return a !== undefined && prefixContains(p, a);
    });
    if (other) return { ok: false, status: 409, reason: `${prefixText} is covered by ${other.source} target ${other.id} (${other.address})` };
    let address: string | undefined;
    if (input.address !== undefined) {
      const a = parseAddress(input.address);
      if (!a || !prefixContains(p, a)) return { ok: false, status: 400, reason: `address ${JSON.stringify(input.address.slice(0, 60))} is not inside ${prefixText}` };
      const why = notAllowedReason(a, this.opts.allowed());
      if (why) return { ok: false, status: 400, reason: why };
      address = input.address;
    }
    const ranked = this.last?.ranking.suggestions.find((s) => s.prefix === prefixText);
    const s: Suggestion = ranked ?? { prefix: prefixText, source: 'static', score: 0, reason: 'accepted through the API', origins: this.opts.routing.origins(prefixText) };
    address ??= await this.addressFor(withHitlistAddress(s, this.hitlistCache, this.allowedOk));
    if (address === undefined) {
      return { ok: false, status: 409, reason: `no candidate address of ${prefixText} answered (${this.checks.get(prefixText)?.tried.join(', ') || 'none inside probe.allowed'}); give one with "address"` };
    }
    const t = await this.schedule({ ...s, reason: ranked ? `${s.reason}; accepted` : s.reason }, address, true);
    if (!t) return { ok: false, status: 400, reason: `${address} could not be scheduled (see the log)` };
    await this.opts.store.put([t]);
    return { ok: true, target: t, created: true };
  }
}
