// The API's JSON for alerts and silences (the console and the webhook read these
// shapes too): AlertJson and SilenceJson, exactly as the brief's contract says.
import type { DeliveryState, StoredAlert, StoredSilence } from '../store/alerts.ts';
import type { VerdictKind } from '../model/verdict.ts';

export interface AlertJson {
  id: number;
  causeId: string;
  kind: 'alert' | 'recovery';
  rule: string;
  createdAt: string;
  subject: string;
  verdict: VerdictKind;
  summary: string;
  targets: { targetId: string; targetName: string; address: string; prefix: string | null; verdictId: number | null; kind: VerdictKind }[];
  deliveries: { channel: 'email' | 'webhook'; state: DeliveryState; attempts: number; lastError: string | null; sentAt: string | null }[];
  acknowledged: { at: string; by: string | null } | null;
}

export interface SilenceJson {
  id: number;
  prefix: string | null;
  target: string | null;
  start: string;
  end: string;
  comment: string;
  createdAt: string;
  active: boolean;
}

/** The last time ISO-8601 with a 4-digit year can write. */
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');
const EARLIEST = Date.parse('0000-01-01T00:00:00.000Z');

/** Clamped to 4-digit years: a row stored before the API bounded times must not break every list. */
const iso = (ms: number) => new Date(Number.isNaN(ms) ? 0 : Math.min(LATEST, Math.max(EARLIEST, ms))).toISOString();

export function alertJson(a: StoredAlert): AlertJson {
  return {
    id: a.id,
    causeId: a.causeId,
    kind: a.kind,
    rule: a.rule,
    createdAt: iso(a.createdAt),
    subject: a.subject,
    verdict: a.verdict,
    summary: a.summary,
    targets: a.targets.map((t) => ({ targetId: t.targetId, targetName: t.targetName, address: t.address, prefix: t.prefix, verdictId: t.verdictId, kind: t.kind })),
    deliveries: a.deliveries.map((d) => ({
      channel: d.channel as 'email' | 'webhook',
      state: d.state,
      attempts: d.attempts,
      lastError: d.lastError,
      sentAt: d.sentAt === null ? null : iso(d.sentAt),
    })),
    acknowledged: a.acknowledged && { at: iso(a.acknowledged.at), by: a.acknowledged.by },
  };
}

export function silenceJson(s: StoredSilence, now: number): SilenceJson {
  return {
    id: s.id,
    prefix: s.prefix,
    target: s.target,
    start: iso(s.start),
    end: iso(s.end),
    comment: s.comment,
    createdAt: iso(s.createdAt),
    active: s.start <= now && now < s.end,
  };
}
