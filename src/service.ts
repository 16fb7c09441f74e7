// The composition root: builds every component from a Config and wires them. The
// only module that knows them all. Constructing starts nothing; start() starts the
// components in order and stop() stops them in reverse (the API stops taking requests
// before the store closes under it).
import { resolve } from 'node:path';
import { ApiServer } from './api/server.ts';
import type { Component, ComponentHealth } from './component.ts';
import type { Config } from './config/schema.ts';
import type { Logger } from './log.ts';
import { Store } from './store/store.ts';

export interface ServiceDeps {
  readonly logger: Logger;
  readonly version: string;
  /** Milliseconds; injected so uptime is testable without sleeping. */
  readonly now?: () => number;
}

export class Service {
  readonly store: Store;
  readonly api: ApiServer;
  private readonly components: readonly Component[];
  private readonly now: () => number;
  private startedAt: number | undefined;
  private started: Component[] = [];

  constructor(config: Config, deps: ServiceDeps) {
    this.now = deps.now ?? Date.now;
    const { logger, version } = deps;
    this.store = new Store({
      path: resolve(config.storage.path),
      version,
      logger: logger.child({ component: 'store' }),
    });
    this.api = new ApiServer({
      listen: config.api.listen,
      token: config.api.token,
      version,
      logger: logger.child({ component: 'api' }),
      health: {
        version,
        uptimeSeconds: () => (this.startedAt === undefined ? 0 : (this.now() - this.startedAt) / 1000),
        components: () => this.health(),
      },
    });
    this.components = [this.store, this.api];
  }

  /** Starts each component in order; if one fails, stops those already started and throws. */
  async start(): Promise<void> {
    this.startedAt = this.now();
    for (const c of this.components) {
      try {
        await c.start();
      } catch (e) {
        await this.stop();
        throw e;
      }
      this.started.push(c);
    }
  }

  async stop(): Promise<void> {
    const started = this.started.reverse();
    this.started = [];
    for (const c of started) await c.stop();
  }

  health(): Record<string, ComponentHealth> {
    return Object.fromEntries(this.components.map((c) => [c.name, c.health()]));
  }
}
