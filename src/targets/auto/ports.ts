// What the AutoTargets component (auto-targets.ts) is given: the store, the scheduler,
// the RIB, the sources and the probe reached through these small interfaces, so
// targets/auto imports neither probe/ nor store/ (service.ts wires them, build.ts
// adapts them).
import type { Timers } from '../../component.ts';
import type { Logger } from '../../log.ts';
import type { Prefix } from '../../model/prefix.ts';
import type { Hitlist } from './hitlist.ts';
import type { ScheduledView } from './lifecycle.ts';
import type { ChurnInput } from './rank.ts';
import type { RoutingView } from './routing.ts';
import type { AutoConfig } from './suggest.ts';
import type { ParsedTraffic } from './traffic-format.ts';
import type { AutoTarget, PrefixCheck } from './types.ts';

export interface AutoTargetStore {
  list(): Promise<AutoTarget[]>;
  put(targets: readonly AutoTarget[]): Promise<void>;
  checks(): Promise<PrefixCheck[]>;
  putCheck(c: PrefixCheck): Promise<void>;
  /** Deletes the given expired targets (by id) and prefix checks (by prefix). */
  forget(f: { targets: readonly string[]; checks: readonly string[] }): Promise<void>;
}

export interface AutoScheduler {
  /** Adds a target of source 'auto'; { ok: false, reason } when refused. */
  add(t: { id: string; address: string; interval?: number }): Promise<{ ok: true } | { ok: false; reason: string }>;
  remove(id: string): Promise<void>;
  get(id: string): ScheduledView | undefined;
  /** Every target of another source (config, API), to leave their prefixes alone. */
  others(): { id: string; address: string; source: string }[];
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
  /**
   * storage.retention (ms): expired targets (except an operator's deletes, which must
   * keep holding) and prefix checks older than this are forgotten. Unset: kept.
   */
  readonly retention?: number;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly timers?: Timers;
  /** Prefixes probed at once during a refresh. Default 4. */
  readonly verifyConcurrency?: number;
  /** A target was scheduled (and recorded, so its reason is known) or taken off the scheduler. */
  readonly onChange?: (id: string, change: 'added' | 'removed') => void;
}

/** Problems by kind ('churn', 'traffic', 'verify' ...), shown by health(). */
export type Problems = Map<string, string>;
