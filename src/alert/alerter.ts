// The Alerter: the component the service feeds Causes into. For each cause it reads
// the rule states, silences and what this cause already alerted (store), decides
// (decide.ts, pure), renders each alert once (render/), commits alerts, deliveries and
// states in one transaction, then wakes the sender (outbox.ts) at once.
//
// Causes are handled one at a time, in order (a cause's decision reads the state the
// one before wrote). handle() never rejects: a failure is logged and counted, and the
// service carries on. Start it after the store, stop it before: what is not yet sent
// stays pending in the database and goes out at the next start.
import { createHash } from 'node:crypto';
import { type Component, type ComponentHealth, type Timers, UNREF_TIMERS } from '../component.ts';
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { Cause } from '../model/cause.ts';
import { parsePrefix } from '../model/prefix.ts';
import { AlertRepository, type NewAlert } from '../store/alerts.ts';
import { EmailChannel } from './channels/email.ts';
import type { Channel } from './channels/types.ts';
import { WebhookChannel } from './channels/webhook.ts';
import { type DraftAlert, type SilenceView, decide } from './decide.ts';
import { type AlertJson, alertJson } from './json.ts';
import { Outbox, type RetryPolicy } from './outbox.ts';
import { alertVerdict, buildDoc } from './render/doc.ts';
import { renderHtml } from './render/html.ts';
import { renderSlack } from './render/slack.ts';
import { renderText } from './render/text.ts';
import { type AlertRule, type ChannelName, rulesFromConfig } from './rules.ts';

export interface AlerterOptions {
  /** The alert repository (a function: the store opens at its start()). */
  readonly repo: () => AlertRepository;
  /** Identifies this database in Message-IDs; default: derived from the store's meta at start(). */
  readonly instance?: () => Promise<string>;
  readonly rules: readonly AlertRule[];
  /** Channels by name; or a factory given the instance id (so Message-IDs can name it). */
  readonly channels: (instance: string) => readonly Channel[];
  readonly retry: RetryPolicy;
  /** alert.console_url. */
  readonly consoleUrl?: string;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly timers?: Timers;
  /** An alert was made or one of its deliveries changed (the live hub's 'alert'). */
  readonly onAlert?: (a: AlertJson) => void;
}

const UNCONFIGURED = 'channel no longer configured';

export class Alerter implements Component {
  readonly name = 'alerter';
  readonly counters = { causes: 0, alerts: 0, recoveries: 0, suppressed: 0, errors: 0 };
  private outbox: Outbox | undefined;
  private running = false;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;
  private lastError: string | undefined;
  /** The channels that exist (a rule naming one that does not is refused by the config check). */
  private channelSet: ReadonlySet<ChannelName> = new Set();

  constructor(private readonly opts: AlerterOptions) {
    this.now = opts.now ?? Date.now;
  }

  get rules(): readonly AlertRule[] {
    return this.opts.rules;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const instance = await (this.opts.instance ?? (() => instanceOf(this.opts.repo)))();
    const channels = this.opts.channels(instance);
    this.channelSet = new Set(channels.map((c) => c.name));
    if (channels.length === 0) this.opts.logger.warn('no alert channel configured (email.smtp, webhook.url): alerts are kept and shown by the API and console only');
    else this.opts.logger.info({ channels: channels.map((c) => c.name), rules: this.opts.rules.map((r) => r.name) }, 'alerting');
    // Deliveries queued for a channel since removed from the config would stay pending
    // for ever (no lane sends them, retention keeps pending rows): they fail, visibly.
    const orphans = await this.opts.repo().failUnconfigured([...this.channelSet], UNCONFIGURED);
    if (orphans.length > 0) {
      const names = [...new Set(orphans.map((o) => o.channel))];
      this.opts.logger.warn({ channels: names, deliveries: orphans.length }, `${orphans.length} pending alert deliveries marked failed: ${UNCONFIGURED} (${names.join(', ')})`);
    }
    this.outbox = new Outbox({
      repo: this.opts.repo,
      channels,
      retry: this.opts.retry,
      now: this.now,
      timers: this.opts.timers ?? UNREF_TIMERS,
      logger: this.opts.logger,
      onDelivery: (id) => void this.publish(id),
    });
    this.running = true;
    this.outbox.start();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await this.chain;
    await this.outbox?.stop();
    this.outbox = undefined;
  }

  health(): ComponentHealth {
    const counters = { ...this.counters, ...(this.outbox?.counters ?? { sent: 0, retries: 0, failed: 0 }) };
    if (!this.running) return { state: 'stopped', counters };
    const failing = [...(this.outbox?.failing ?? [])].map(([channel, error]) => `${channel} delivery failing (retrying): ${error}`);
    const problems = [...(this.lastError ? [this.lastError] : []), ...failing];
    return problems.length > 0 ? { state: 'degraded', detail: problems.join('; '), counters } : { state: 'ok', counters };
  }

  /** Decides, stores and queues the alerts of one cause; resolves with them once committed. Never rejects. */
  handle(cause: Cause): Promise<AlertJson[]> {
    const run = this.chain.then(() => this.process(cause));
    const safe = run.catch((e: unknown) => {
      this.counters.errors++;
      this.lastError = `a cause could not be handled: ${(e as Error).message}`;
      this.opts.logger.error({ err: e, cause: cause.id }, 'alerting failed for a cause');
      return [] as AlertJson[];
    });
    this.chain = safe;
    return safe;
  }

  /** Sends what is due now (tests; the service never needs it: commits wake the sender). */
  kick(): void {
    this.outbox?.wake();
  }

  /** Resolves when the causes handed in so far are committed and no delivery is being sent. */
  async idle(): Promise<void> {
    await this.chain;
    await this.outbox?.idle();
  }

  private async process(cause: Cause): Promise<AlertJson[]> {
    if (!this.running) {
      this.opts.logger.warn({ cause: cause.id }, 'alerter not running: cause dropped');
      return [];
    }
    this.counters.causes++;
    const repo = this.opts.repo();
    const now = this.now();
    const [states, silences, already] = await Promise.all([repo.states(cause.verdicts.map((v) => v.targetId)), repo.silences(now), repo.alreadyAlerted(cause.id)]);
    const views: SilenceView[] = silences.map((s) => {
      const p = s.prefix === null ? undefined : parsePrefix(s.prefix);
      return { id: s.id, ...(p ? { prefix: p } : {}), ...(s.target === null ? {} : { target: s.target }), start: s.start, end: s.end };
    });
    const decision = decide({
      cause,
      rules: this.opts.rules,
      state: (rule, target) => AlertRepository.stateOf(states, rule, target),
      silences: views,
      already,
      now,
    });
    const writes: NewAlert[] = decision.alerts.map((d) => this.newAlert(d, this.channelSet, now));
    const ids = await repo.commit(writes, decision.states, now);
    this.outbox?.wake();
    for (const s of decision.suppressed) {
      if (s.why !== 'persistence') this.counters.suppressed++;
      this.opts.logger.info({ cause: cause.id, rule: s.rule, target: s.targetId, why: s.why, silence: s.silence }, 'alert held back');
    }
    const out: AlertJson[] = [];
    for (const id of ids) {
      const a = await repo.get(id);
      if (!a) continue;
      if (a.kind === 'recovery') this.counters.recoveries++;
      else this.counters.alerts++;
      this.opts.logger.info({ alert: id, cause: cause.id, rule: a.rule, kind: a.kind, targets: a.targets.length }, a.subject);
      const j = alertJson(a);
      out.push(j);
      this.opts.onAlert?.(j);
    }
    this.lastError = undefined;
    return out;
  }

  private newAlert(d: DraftAlert, configured: ReadonlySet<ChannelName>, now: number): NewAlert {
    return {
      causeId: d.cause.id,
      kind: d.kind,
      rule: d.rule.name,
      verdict: alertVerdict(d),
      targets: d.entries.map(({ tv }) => ({
        targetId: tv.targetId,
        targetName: tv.targetName,
        address: tv.address,
        prefix: tv.prefix ?? null,
        verdictId: tv.id ?? null,
        kind: tv.verdict.kind,
      })),
      channels: d.rule.channels.filter((c) => configured.has(c)),
      render: (id) => {
        const doc = buildDoc(d, { alertId: id, consoleUrl: this.opts.consoleUrl, now });
        const replyTo = d.kind === 'recovery' ? d.entries.find((e) => e.firing?.alertId !== undefined)?.firing?.alertId : undefined;
        return {
          subject: doc.subject,
          summary: doc.headline,
          message: { text: renderText(doc), html: renderHtml(doc), slack: renderSlack(doc), ...(replyTo === undefined ? {} : { replyTo }) },
        };
      },
    };
  }

  private async publish(id: number): Promise<void> {
    if (!this.opts.onAlert) return;
    try {
      const a = await this.opts.repo().get(id);
      if (a) this.opts.onAlert(alertJson(a));
    } catch {
      // The store closing under a late delivery callback: nothing to publish.
    }
  }
}

/** A short stable id of this database (its creation time, from meta). */
async function instanceOf(repo: () => AlertRepository): Promise<string> {
  const created = await repo().instanceSeed();
  return createHash('sha256').update(created).digest('hex').slice(0, 12);
}

/** The Alerter a Config describes: its rules, channels and retry policy. */
export function alerterFromConfig(
  config: Config,
  deps: Omit<AlerterOptions, 'rules' | 'channels' | 'retry' | 'consoleUrl'>,
): Alerter {
  const configured: ChannelName[] = [];
  if (config.email.smtp !== undefined && config.email.from !== undefined && config.email.to.length > 0) configured.push('email');
  if (config.webhook.url !== undefined) configured.push('webhook');
  const a = config.alert;
  return new Alerter({
    ...deps,
    rules: rulesFromConfig(a.rules, configured),
    retry: { minMs: a.retry_min, maxMs: a.retry_max, giveUpAfterMs: a.give_up_after },
    ...(a.console_url ? { consoleUrl: a.console_url.toString() } : {}),
    channels: (instance) => {
      const out: Channel[] = [];
      if (configured.includes('email')) out.push(new EmailChannel({ smtp: config.email.smtp!, from: config.email.from!, to: config.email.to, instance }));
      if (configured.includes('webhook')) out.push(new WebhookChannel({ url: config.webhook.url!, instance }));
      return out;
    },
  });
}
