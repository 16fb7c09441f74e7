// Builds the AutoTargets component from the config and the parts service.ts already has
// (the prober, the store, the RIB). Kept out of service.ts so its wiring stays a few lines.
import type { Config } from '../../config/schema.ts';
import type { Logger } from '../../log.ts';
import type { Rib } from '../../rib/rib.ts';
import { AutoTargets, type AutoTargetStore } from './auto-targets.ts';
import { ribRouting } from './routing.ts';
import { type CommandRunner, readHitlist, readTraffic } from './sources.ts';

/** What AutoTargets needs of the prober (probe/tracking.ts Prober fits). */
export interface ProberLike {
  readonly scheduler: {
    add(input: unknown, source: 'auto'): Promise<{ ok: true } | { ok: false; field: string; reason: string }>;
    get(id: string): { runs: number; state: string } | undefined;
    list(): { id: string; address: string; source: string }[];
  };
  remove(id: string): Promise<unknown>;
}

export interface AutoTargetsParts {
  readonly config: Config;
  readonly prober: ProberLike;
  readonly store: AutoTargetStore;
  readonly busiest: (f: { since: number; limit: number }) => Promise<{ prefix: string; changes: number }[]>;
  readonly rib: Rib;
  readonly verify: (address: string) => Promise<boolean>;
  /** Runs auto_targets.traffic.command (service.ts passes the probe runner's run). */
  readonly run: CommandRunner;
  readonly logger: Logger;
  readonly now?: () => number;
  /** An auto target was scheduled or removed (the console's live 'target' event, the correlator's target list). */
  readonly onChange?: (id: string, change: 'added' | 'removed') => void;
}

export function buildAutoTargets(p: AutoTargetsParts): AutoTargets {
  const c = p.config.auto_targets;
  const t = c.traffic;
  return new AutoTargets({
    config: c,
    allowed: () => p.config.probe.allowed,
    store: p.store,
    scheduler: {
      add: async (x) => {
        const r = await p.prober.scheduler.add({ address: x.address, name: x.id, ...(x.interval !== undefined ? { interval: x.interval } : {}) }, 'auto');
        return r.ok ? { ok: true } : { ok: false, reason: `${r.field} ${r.reason}` };
      },
      remove: async (id) => {
        await p.prober.remove(id);
      },
      get: (id) => p.prober.scheduler.get(id),
      others: () => p.prober.scheduler.list().filter((x) => x.source !== 'auto'),
    },
    routing: ribRouting(p.rib),
    // Enough rows for every top list after the exclusions.
    churn: (since) => p.busiest({ since, limit: Math.max(100, c.churn.top * 5 + c.max_targets) }),
    ...(t.file !== undefined || t.command !== undefined
      ? { traffic: () => readTraffic({ file: t.file, command: t.command, format: t.format, side: t.side, metric: t.metric, timeoutMs: t.timeout }, p.run) }
      : {}),
    ...(c.hitlist !== undefined ? { hitlist: () => readHitlist(c.hitlist!) } : {}),
    verify: p.verify,
    retention: p.config.storage.retention,
    logger: p.logger,
    now: p.now,
    ...(p.onChange ? { onChange: p.onChange } : {}),
  });
}
