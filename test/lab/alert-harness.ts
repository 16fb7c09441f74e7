// A Service wired to the lab the way an operator would run it: BMP from r1, mtr from the
// probe namespace every few seconds to the two IPv4 targets, correlation, and mail to a
// real SMTP server in this process. Used by test/lab/alerting.test.ts and
// bench/alert-latency.ts. The service can be stopped and started again on the same
// database (to test what survives a restart).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRaw } from '../../src/config/load.ts';
import { createLogger } from '../../src/log.ts';
import { Service } from '../../src/service.ts';
import { Mailbox, type ReceivedMail } from '../helpers/mailbox.ts';
import { waitFor } from '../service/helpers.ts';
import { ASN, BMP_ADDR, Lab, TARGETS, TARGET_PREFIXES, freePort } from './lab.ts';

export const TOKEN = 'lab-token-0123456789abcdef';
export const TARGET_IDS = ['t198', 't203'] as const;

export interface ApiReply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export class AlertLab {
  readonly mailbox = new Mailbox();
  lab: Lab | undefined;
  service: Service | undefined;
  private dir = '';
  private bmpPort = 0;

  /** Lab up, SMTP up, service up with both targets traced every `intervalS` seconds. */
  async up(intervalS = 3): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'smoketrace-alerting-'));
    this.bmpPort = await freePort();
    await this.mailbox.start();
    this.lab = await Lab.up({ bmpPort: this.bmpPort, announceLinks: true });
    await this.startService();
    await waitFor(
      "r1's routes in the RIB",
      async () =>
        (await this.call('GET', '/api/lookup?ip=10.77.24.2')).body.origins?.[0] === ASN.r4 &&
        (await this.call('GET', `/api/lookup?ip=${TARGETS.v4[1]}`)).body.origins?.[0] === ASN.r4,
      30_000,
    );
    for (const [i, name] of TARGET_IDS.entries()) {
      const made = await this.call('POST', '/api/targets', { address: TARGETS.v4[i], name, backend: 'mtr', interval: `${intervalS}s` });
      if (made.status !== 201) throw new Error(`POST /api/targets: ${made.status} ${JSON.stringify(made.body)}`);
    }
  }

  async startService(): Promise<void> {
    const sets = [
      'api.listen=127.0.0.1:0',
      'bmp.enabled=true',
      `bmp.listen=${BMP_ADDR}:${this.bmpPort}`,
      `storage.path=${join(this.dir, 'db.sqlite')}`,
      'log.level=silent',
      `api.token=${TOKEN}`,
      `probe.allowed=${JSON.stringify([...TARGET_PREFIXES.v4])}`,
      `probe.netns=${this.lab!.ns('probe')}`,
      'probe.backend=mtr',
      'probe.min_interval=1s',
      'probe.interval=1h',
      'probe.cooldown=1s',
      'correlate.settle=1s',
      `correlate.local_asns=[${ASN.r1}]`,
      `email.smtp=${this.mailbox.url}`,
      'email.from=smoketrace@lab.example',
      'email.to=["noc@lab.example"]',
      'alert.console_url=http://noc.lab.example:8080',
      'alert.retry_min=1s',
      'alert.retry_max=2s',
    ];
    const r = fromRaw({ bmp: { allow: ['10.77.255.0/29'] } }, { env: {}, sets }, { path: 'test', how: 'given' });
    if (!r.ok) throw new Error(r.problems.join('\n'));
    this.service = new Service(r.config, { logger: createLogger({ level: 'silent' }), version: '0.0.0-test', flushEveryMs: 50, probeFlushEveryMs: 100 });
    await this.service.start();
  }

  async stopService(): Promise<void> {
    await this.service?.stop();
    this.service = undefined;
  }

  async call(method: string, path: string, body?: unknown): Promise<ApiReply> {
    const res = await fetch(`${this.service!.api.url!}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async runs(id: string): Promise<number> {
    return (await this.call('GET', `/api/targets/${id}`)).body.runs as number;
  }

  /** Both targets traced `extra` more times on the current path (a settled baseline). */
  async baseline(extra = 4): Promise<void> {
    const from = await Promise.all(TARGET_IDS.map((id) => this.runs(id)));
    await waitFor(
      `${extra} more traces of each target`,
      async () => (await Promise.all(TARGET_IDS.map((id) => this.runs(id)))).every((n, i) => n >= from[i] + extra),
      90_000,
    );
  }

  /** The earliest BGP change time (the feed's own) joined to the newest `kind` verdict of `target` since `since`. */
  async changeTime(target: string, since: number, kind: string): Promise<number> {
    const r = await this.call('GET', `/api/verdicts?target=${target}&since=${new Date(since).toISOString()}`);
    const v = (r.body.verdicts as { kind: string; routeChanges: { time: string }[] }[]).find((x) => x.kind === kind && x.routeChanges.length > 0);
    if (!v) throw new Error(`no ${kind} verdict joined to a route change for ${target} since ${new Date(since).toISOString()}`);
    return Math.min(...v.routeChanges.map((c) => Date.parse(c.time)));
  }

  /**
   * A mail matching `pred` (from mailbox index `from`), or an error that says what the
   * service decided instead: the target's verdicts since `since` and the latest alerts.
   */
  async mail(pred: (m: ReceivedMail) => boolean, ms: number, from: number, target: string, since: number): Promise<ReceivedMail> {
    try {
      return await this.mailbox.waitFor(pred, ms, from);
    } catch (e) {
      const v = (await this.call('GET', `/api/verdicts?target=${target}&since=${new Date(since - 5000).toISOString()}`)).body.verdicts as { at: string; kind: string; reasons: string[] }[];
      const a = (await this.call('GET', '/api/alerts?limit=3')).body.alerts as { createdAt: string; subject: string; deliveries: unknown }[];
      const health = (await this.call('GET', '/api/health')).body.components;
      const pcs = (await this.call('GET', `/api/targets/${target}/path-changes?since=${new Date(since - 5000).toISOString()}`)).body.changes as { at: string; kind: string; reasons: string[] }[];
      throw new Error(
        `${(e as Error).message}\n${target} verdicts: ${JSON.stringify(v.map((x) => [x.at, x.kind, x.reasons]))}\n${target} path changes: ${JSON.stringify(pcs.map((x) => [x.at, x.kind, x.reasons[0]]))}\nlatest alerts: ${JSON.stringify(a.map((x) => [x.createdAt, x.subject, x.deliveries]))}\ncorrelator: ${JSON.stringify(health.correlator)}\nalerter: ${JSON.stringify(health.alerter)}`,
        { cause: e },
      );
    }
  }

  async down(): Promise<void> {
    await this.stopService();
    await this.mailbox.stop();
    await this.lab?.down();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }
}
