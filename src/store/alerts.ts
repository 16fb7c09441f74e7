// Alerting's tables (schema/005_alerts.sql): alerts and their per-channel deliveries
// (the outbox), per rule and target state, and silences. An alert, its deliveries and
// the rule state it changes are written in ONE transaction, before anything is sent.
import type { Kysely, Selectable } from 'kysely';
import type { VerdictKind } from '../model/verdict.ts';
import type { AlertsTable, Database } from './db.ts';

export type DeliveryState = 'pending' | 'sent' | 'failed';

export interface AlertTarget {
  readonly targetId: string;
  readonly targetName: string;
  readonly address: string;
  readonly prefix: string | null;
  readonly verdictId: number | null;
  readonly kind: VerdictKind;
}

/** The message as rendered when the alert was made. */
export interface AlertMessage {
  readonly text: string;
  readonly html: string;
  /** The webhook's Slack-compatible text. */
  readonly slack: string;
  /** For a recovery: the alert it closes (email threads it under that one). */
  readonly replyTo?: number;
}

export interface StoredDelivery {
  readonly channel: string;
  readonly state: DeliveryState;
  readonly attempts: number;
  readonly nextAt: number;
  readonly lastError: string | null;
  readonly sentAt: number | null;
}

export interface StoredAlert {
  readonly id: number;
  readonly causeId: string;
  readonly kind: 'alert' | 'recovery';
  readonly rule: string;
  readonly createdAt: number;
  readonly subject: string;
  readonly verdict: VerdictKind;
  readonly summary: string;
  readonly targets: readonly AlertTarget[];
  readonly message: AlertMessage;
  readonly deliveries: readonly StoredDelivery[];
  readonly acknowledged: { readonly at: number; readonly by: string | null } | null;
}

export interface NewAlert {
  readonly causeId: string;
  readonly kind: 'alert' | 'recovery';
  readonly rule: string;
  readonly verdict: VerdictKind;
  readonly targets: readonly AlertTarget[];
  readonly channels: readonly string[];
  /** Called inside the transaction once the alert has its id (the message names it). */
  render(id: number): { subject: string; summary: string; message: AlertMessage };
}

/** What a rule remembers about a target (alert/decide.ts RuleTargetState). */
export interface AlertStateRecord {
  readonly recent: readonly { readonly causeId: string; readonly hit: boolean }[];
  readonly lastFiredAt?: number;
  readonly firing?: { readonly alertId?: number; readonly since: number; readonly verdict: VerdictKind };
}

export interface AlertStateWrite {
  readonly rule: string;
  readonly targetId: string;
  readonly state: AlertStateRecord;
  /** Index into the commit's alerts of the alert that set `firing` (its id is not known before). */
  readonly firedBy?: number;
}

export interface DueDelivery {
  readonly alertId: number;
  readonly channel: string;
  readonly attempts: number;
  readonly createdAt: number;
}

export interface AlertFilter {
  readonly since?: number;
  readonly limit: number;
  readonly state?: 'pending' | 'sent' | 'failed' | 'acknowledged' | 'unacknowledged';
}

export interface StoredSilence {
  readonly id: number;
  readonly prefix: string | null;
  readonly target: string | null;
  readonly start: number;
  readonly end: number;
  readonly comment: string;
  readonly createdAt: number;
}

const stateKey = (rule: string, targetId: string) => `${rule}\u0000${targetId}`;

type AlertRow = Selectable<AlertsTable>;

export class AlertRepository {
  constructor(private readonly db: Kysely<Database>) {}

  // ---------------------------------------------------------------- decisions

  /** Writes the alerts, their pending deliveries and the rule states in one transaction; returns the ids. */
  async commit(alerts: readonly NewAlert[], states: readonly AlertStateWrite[], now: number): Promise<number[]> {
    if (alerts.length === 0 && states.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      const ids: number[] = [];
      for (const a of alerts) {
        const { id } = await trx
          .insertInto('alerts')
          .values({
            cause_id: a.causeId,
            kind: a.kind,
            rule: a.rule,
            created_at: now,
            subject: '',
            verdict: a.verdict,
            summary: '',
            targets: JSON.stringify(a.targets),
            message: '{}',
            acked_at: null,
            acked_by: null,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const r = a.render(id);
        await trx.updateTable('alerts').set({ subject: r.subject, summary: r.summary, message: JSON.stringify(r.message) }).where('id', '=', id).execute();
        for (const channel of a.channels) {
          await trx.insertInto('alert_deliveries').values({ alert_id: id, channel, state: 'pending', attempts: 0, next_at: now, last_error: null, sent_at: null }).execute();
        }
        ids.push(id);
      }
      for (const s of states) {
        const firing = s.state.firing && s.firedBy !== undefined ? { ...s.state.firing, alertId: ids[s.firedBy] } : s.state.firing;
        const row = {
          rule: s.rule,
          target_id: s.targetId,
          recent: JSON.stringify(s.state.recent),
          last_fired_at: s.state.lastFiredAt ?? null,
          firing_alert_id: firing?.alertId ?? null,
          firing_since: firing?.since ?? null,
          firing_verdict: firing?.verdict ?? null,
          updated_at: now,
        };
        await trx
          .insertInto('alert_state')
          .values(row)
          .onConflict((oc) =>
            oc.columns(['rule', 'target_id']).doUpdateSet({
              recent: row.recent,
              last_fired_at: row.last_fired_at,
              firing_alert_id: row.firing_alert_id,
              firing_since: row.firing_since,
              firing_verdict: row.firing_verdict,
              updated_at: now,
            }),
          )
          .execute();
      }
      return ids;
    });
  }

  /** Rule states of these targets, keyed by rule and target (see stateOf). */
  async states(targetIds: readonly string[]): Promise<Map<string, AlertStateRecord>> {
    const out = new Map<string, AlertStateRecord>();
    if (targetIds.length === 0) return out;
    const rows = await this.db.selectFrom('alert_state').selectAll().where('target_id', 'in', [...new Set(targetIds)]).execute();
    for (const r of rows) {
      out.set(stateKey(r.rule, r.target_id), {
        recent: JSON.parse(r.recent) as AlertStateRecord['recent'],
        ...(r.last_fired_at === null ? {} : { lastFiredAt: r.last_fired_at }),
        ...(r.firing_since === null
          ? {}
          : { firing: { ...(r.firing_alert_id === null ? {} : { alertId: r.firing_alert_id }), since: r.firing_since, verdict: r.firing_verdict as VerdictKind } }),
      });
    }
    return out;
  }

  static stateOf(states: ReadonlyMap<string, AlertStateRecord>, rule: string, targetId: string): AlertStateRecord | undefined {
    return states.get(stateKey(rule, targetId));
  }

  /** "rule|kind|targetId" for every target already in an alert of this cause. */
  async alreadyAlerted(causeId: string): Promise<Set<string>> {
    const rows = await this.db.selectFrom('alerts').select(['rule', 'kind', 'targets']).where('cause_id', '=', causeId).execute();
    const out = new Set<string>();
    for (const r of rows) for (const t of JSON.parse(r.targets) as AlertTarget[]) out.add(`${r.rule}|${r.kind}|${t.targetId}`);
    return out;
  }

  /** The database's creation time (meta), to tell this database's alert ids from another's. */
  async instanceSeed(): Promise<string> {
    const r = await this.db.selectFrom('meta').select('value').where('key', '=', 'created_at').executeTakeFirst();
    return r?.value ?? 'unknown';
  }

  // ---------------------------------------------------------------- outbox

  /** Pending deliveries of a channel due by `now` (every pending one when `all`), oldest alert first. */
  async due(channel: string, now: number, all: boolean, limit = 100): Promise<DueDelivery[]> {
    let q = this.db
      .selectFrom('alert_deliveries as d')
      .innerJoin('alerts as a', 'a.id', 'd.alert_id')
      .select(['d.alert_id', 'd.channel', 'd.attempts', 'a.created_at'])
      .where('d.channel', '=', channel)
      .where('d.state', '=', 'pending');
    if (!all) q = q.where('d.next_at', '<=', now);
    const rows = await q.orderBy('d.alert_id').limit(limit).execute();
    return rows.map((r) => ({ alertId: r.alert_id, channel: r.channel, attempts: r.attempts, createdAt: r.created_at }));
  }

  /** When the channel's next pending delivery is due, if any. */
  async nextDue(channel: string): Promise<number | undefined> {
    const r = await this.db
      .selectFrom('alert_deliveries')
      .select((eb) => eb.fn.min('next_at').as('next'))
      .where('channel', '=', channel)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return r?.next ?? undefined;
  }

  async markSent(alertId: number, channel: string, attempts: number, now: number): Promise<void> {
    await this.db
      .updateTable('alert_deliveries')
      .set({ state: 'sent', attempts, sent_at: now, last_error: null })
      .where('alert_id', '=', alertId)
      .where('channel', '=', channel)
      .execute();
  }

  async markRetry(alertId: number, channel: string, attempts: number, nextAt: number, error: string): Promise<void> {
    await this.db.updateTable('alert_deliveries').set({ attempts, next_at: nextAt, last_error: error }).where('alert_id', '=', alertId).where('channel', '=', channel).execute();
  }

  async markFailed(alertId: number, channel: string, attempts: number, error: string): Promise<void> {
    await this.db
      .updateTable('alert_deliveries')
      .set({ state: 'failed', attempts, last_error: error })
      .where('alert_id', '=', alertId)
      .where('channel', '=', channel)
      .execute();
  }

  /**
   * Marks 'failed' every pending delivery of a channel not in `configured` (no sender will
   * ever take it: the channel was removed from the config); returns the alerts touched.
   */
  async failUnconfigured(configured: readonly string[], error: string): Promise<{ alertId: number; channel: string }[]> {
    let q = this.db.selectFrom('alert_deliveries').select(['alert_id', 'channel']).where('state', '=', 'pending');
    if (configured.length > 0) q = q.where('channel', 'not in', [...configured]);
    const rows = await q.orderBy('alert_id').execute();
    if (rows.length === 0) return [];
    let u = this.db.updateTable('alert_deliveries').set({ state: 'failed', last_error: error }).where('state', '=', 'pending');
    if (configured.length > 0) u = u.where('channel', 'not in', [...configured]);
    await u.execute();
    return rows.map((r) => ({ alertId: r.alert_id, channel: r.channel }));
  }

  // ---------------------------------------------------------------- reads

  async get(id: number): Promise<StoredAlert | undefined> {
    const row = await this.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    return (await this.withDeliveries([row]))[0];
  }

  /** Newest first. */
  async list(f: AlertFilter): Promise<StoredAlert[]> {
    let q = this.db.selectFrom('alerts').selectAll();
    if (f.since !== undefined) q = q.where('created_at', '>=', f.since);
    if (f.state === 'acknowledged') q = q.where('acked_at', 'is not', null);
    else if (f.state === 'unacknowledged') q = q.where('acked_at', 'is', null);
    else if (f.state === 'pending' || f.state === 'failed') {
      const s = f.state;
      q = q.where((eb) => eb.exists(eb.selectFrom('alert_deliveries as d').select('d.alert_id').whereRef('d.alert_id', '=', 'alerts.id').where('d.state', '=', s)));
    } else if (f.state === 'sent') {
      q = q.where((eb) =>
        eb.and([
          eb.exists(eb.selectFrom('alert_deliveries as d').select('d.alert_id').whereRef('d.alert_id', '=', 'alerts.id')),
          eb.not(eb.exists(eb.selectFrom('alert_deliveries as d').select('d.alert_id').whereRef('d.alert_id', '=', 'alerts.id').where('d.state', '!=', 'sent'))),
        ]),
      );
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
    return this.withDeliveries(rows);
  }

  /** Records the first acknowledgement; a second one changes nothing. Undefined for an unknown id. */
  async ack(id: number, by: string | null, now: number): Promise<StoredAlert | undefined> {
    await this.db.updateTable('alerts').set({ acked_at: now, acked_by: by }).where('id', '=', id).where('acked_at', 'is', null).execute();
    return this.get(id);
  }

  private async withDeliveries(rows: readonly AlertRow[]): Promise<StoredAlert[]> {
    if (rows.length === 0) return [];
    const ds = await this.db
      .selectFrom('alert_deliveries')
      .selectAll()
      .where(
        'alert_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('channel')
      .execute();
    const by = new Map<number, StoredDelivery[]>();
    for (const d of ds) {
      const list = by.get(d.alert_id) ?? [];
      list.push({ channel: d.channel, state: d.state as DeliveryState, attempts: d.attempts, nextAt: d.next_at, lastError: d.last_error, sentAt: d.sent_at });
      by.set(d.alert_id, list);
    }
    return rows.map((r) => ({
      id: r.id,
      causeId: r.cause_id,
      kind: r.kind as StoredAlert['kind'],
      rule: r.rule,
      createdAt: r.created_at,
      subject: r.subject,
      verdict: r.verdict as VerdictKind,
      summary: r.summary,
      targets: JSON.parse(r.targets) as AlertTarget[],
      message: JSON.parse(r.message) as AlertMessage,
      deliveries: by.get(r.id) ?? [],
      acknowledged: r.acked_at === null ? null : { at: r.acked_at, by: r.acked_by },
    }));
  }

  /**
   * storage.retention: deletes alerts made before `before` (with their deliveries) unless a
   * delivery is still pending, silences that ended before it, and rule state untouched since.
   */
  async prune(before: number): Promise<{ alerts: number; silences: number }> {
    return this.db.transaction().execute(async (trx) => {
      const a = await trx
        .deleteFrom('alerts')
        .where('created_at', '<', before)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('alert_deliveries as d').select('d.alert_id').whereRef('d.alert_id', '=', 'alerts.id').where('d.state', '=', 'pending'))))
        .executeTakeFirst();
      const s = await trx.deleteFrom('silences').where('end', '<', before).executeTakeFirst();
      await trx.deleteFrom('alert_state').where('updated_at', '<', before).execute();
      return { alerts: Number(a.numDeletedRows), silences: Number(s.numDeletedRows) };
    });
  }

  // ---------------------------------------------------------------- silences

  async addSilence(s: Omit<StoredSilence, 'id'>): Promise<StoredSilence> {
    const { id } = await this.db
      .insertInto('silences')
      .values({ prefix: s.prefix, target: s.target, start: s.start, end: s.end, comment: s.comment, created_at: s.createdAt })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id, ...s };
  }

  /** Every silence, or (activeAt) those in force then; newest first. */
  async silences(activeAt?: number): Promise<StoredSilence[]> {
    let q = this.db.selectFrom('silences').selectAll();
    if (activeAt !== undefined) q = q.where('start', '<=', activeAt).where('end', '>', activeAt);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
    return rows.map((r) => ({ id: r.id, prefix: r.prefix, target: r.target, start: r.start, end: r.end, comment: r.comment, createdAt: r.created_at }));
  }

  /** False when there is no such silence. */
  async deleteSilence(id: number): Promise<boolean> {
    const r = await this.db.deleteFrom('silences').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
