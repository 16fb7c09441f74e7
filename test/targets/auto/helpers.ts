// Shared set-up for the AutoTargets component tests: a manual clock, a real SQLite store,
// a RIB the test fills (Routes), a scheduler that records (FakeScheduler) and an address
// check that answers for a given set of addresses.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRaw } from '../../../src/config/load.ts';
import { createLogger } from '../../../src/log.ts';
import { parsePrefix } from '../../../src/model/prefix.ts';
import { ManualClock } from '../../../src/probe/clock.ts';
import { Store } from '../../../src/store/store.ts';
import { AutoTargets, type AutoScheduler } from '../../../src/targets/auto/auto-targets.ts';
import { readHitlist } from '../../../src/targets/auto/sources.ts';
import type { RoutedPrefix } from '../../../src/targets/auto/rank.ts';
import type { RoutingView } from '../../../src/targets/auto/routing.ts';
import type { ParsedTraffic } from '../../../src/targets/auto/traffic-format.ts';

export const logger = createLogger({ level: 'silent' });
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

export function autoConfig(raw: Record<string, unknown>) {
  const r = fromRaw({ probe: { allowed: ['192.0.2.0/24'] }, auto_targets: { enabled: true, interval: '1m', churn: { enabled: false }, ...raw } }, { env: {} }, { path: 'test', how: 'given' });
  assert.ok(r.ok, r.ok ? '' : r.problems.join('\n'));
  return r.config.auto_targets;
}

/** Routes the test sets: prefix -> AS paths. */
export class Routes implements RoutingView {
  readonly table = new Map<string, number[][]>();
  origins(p: string) {
    return [...new Set((this.table.get(p) ?? []).map((x) => x.at(-1)!))];
  }
  *prefixes(): Iterable<RoutedPrefix> {
    for (const [prefix, paths] of this.table) yield { prefix, paths };
  }
  covering() {
    return undefined;
  }
  announced(p: string) {
    return this.table.has(p);
  }
}

export class FakeScheduler implements AutoScheduler {
  readonly targets = new Map<string, { address: string; runs: number; state: string }>();
  /** When set, remove() waits for it (after calling onRemove), to hold a refresh half-way. */
  gate: Promise<void> | undefined;
  onRemove: ((id: string) => void) | undefined;
  others() {
    return [{ id: 'cfg', address: '192.0.2.55', source: 'config' }];
  }
  async add(t: { id: string; address: string }) {
    if (this.targets.has(t.id)) return { ok: false as const, reason: 'exists' };
    this.targets.set(t.id, { address: t.address, runs: 0, state: 'waiting' });
    return { ok: true as const };
  }
  async remove(id: string) {
    this.onRemove?.(id);
    if (this.gate) await this.gate;
    this.targets.delete(id);
  }
  get(id: string) {
    return this.targets.get(id);
  }
}

export interface SetupOptions {
  traffic?: () => Promise<ParsedTraffic | undefined>;
  churn?: (since: number) => Promise<{ prefix: string; changes: number }[]>;
  /** storage.retention, ms. */
  retention?: number;
}

export async function setup(t: { after(fn: () => unknown): void }, raw: Record<string, unknown>, answers: Set<string>, o: SetupOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'smoketrace-auto-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const clock = new ManualClock();
  const store = new Store({ path: join(dir, 'db.sqlite'), version: 'test', logger });
  await store.start();
  t.after(() => store.stop());
  const routes = new Routes();
  const sched = new FakeScheduler();
  const probed: string[] = [];
  const cfg = autoConfig(raw);
  const make = () =>
    new AutoTargets({
      config: cfg,
      allowed: () => ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32'].map((p) => parsePrefix(p)!),
      store: store.autoTargets,
      scheduler: sched,
      routing: routes,
      churn: o.churn ?? (async () => []),
      ...(cfg.hitlist !== undefined ? { hitlist: () => readHitlist(cfg.hitlist!) } : {}),
      ...(o.traffic ? { traffic: o.traffic } : {}),
      verify: async (a) => {
        probed.push(a);
        return answers.has(a);
      },
      ...(o.retention !== undefined ? { retention: o.retention } : {}),
      logger,
      now: () => clock.now(),
      timers: clock,
    });
  return { dir, clock, store, routes, sched, probed, make };
}
