// Ranking for the AutoTargets component: reads the sources (churn counts, the traffic
// export, the RIB for the ASN rules, the hitlist), leaves out prefixes a config or API
// target already probes or that have no address inside probe.allowed, and ranks the
// rest (suggest.ts). One ranking runs at a time: a refresh and API requests arriving
// while it runs share it, since each spawns the traffic command and walks the RIB.
import { type Address, parseAddress } from '../../model/address.ts';
import { parsePrefix, prefixContains } from '../../model/prefix.ts';
import { notAllowedReason } from '../validate.ts';
import { candidateAddresses } from './addresses.ts';
import type { Hitlist } from './hitlist.ts';
import type { AutoTargetsOptions, Problems } from './ports.ts';
import { type ChurnInput, type RoutedPrefix, formatWindow } from './rank.ts';
import { type Ranking, asnRulesOf, rankAll, staticsOf, withHitlistAddress } from './suggest.ts';
import type { ParsedTraffic } from './traffic-format.ts';

export class Ranker {
  private hitlistCache: Hitlist | undefined;
  private running: Promise<Ranking> | undefined;
  /** The newest ranking and when it was made. */
  last: { at: number; ranking: Ranking } | undefined;

  constructor(
    private readonly opts: AutoTargetsOptions,
    private readonly problems: Problems,
    private readonly now: () => number,
  ) {}

  get hitlist(): Hitlist | undefined {
    return this.hitlistCache;
  }

  async loadHitlist(): Promise<void> {
    if (!this.opts.hitlist) return;
    try {
      this.hitlistCache = await this.opts.hitlist();
      this.problems.delete('hitlist');
    } catch (e) {
      this.problems.set('hitlist', `hitlist: ${(e as Error).message}`);
      this.opts.logger.error({ err: e }, 'hitlist not read');
    }
  }

  /** Why `address` may not be probed, or undefined. */
  notAllowed(address: string): string | undefined {
    const a = parseAddress(address);
    return a ? notAllowedReason(a, this.opts.allowed()) : `${address} is not an address`;
  }

  readonly allowedOk = (a: Address): boolean => notAllowedReason(a, this.opts.allowed()) === undefined;

  /** A fresh ranking; joins the one already running, if any. Kept as `last`. */
  rank(): Promise<Ranking> {
    if (this.running) return this.running;
    const p = this.rankNow()
      .then((ranking) => {
        this.last = { at: this.now(), ranking };
        return ranking;
      })
      .finally(() => {
        this.running = undefined;
      });
    this.running = p;
    return p;
  }

  private async rankNow(): Promise<Ranking> {
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
}
