// What the alerts and silences API resources read and write, over the alert repository.
// service.ts hands these to src/api/alerts.ts and src/api/silences.ts. The interfaces
// live here, not in api/: api/ depends on alert/, never the other way round.
import type { AlertFilter, AlertRepository } from '../store/alerts.ts';
import { type AlertJson, type SilenceJson, alertJson, silenceJson } from './json.ts';

export interface AlertsSource {
  list(f: AlertFilter): Promise<AlertJson[]>;
  get(id: number): Promise<AlertJson | undefined>;
  /** Undefined for an unknown id; a second ack keeps the first. */
  ack(id: number, by: string | null): Promise<AlertJson | undefined>;
}

export interface NewSilence {
  readonly prefix: string | null;
  readonly target: string | null;
  readonly start: number;
  readonly end: number;
  readonly comment: string;
}

export interface SilencesSource {
  add(s: NewSilence): Promise<SilenceJson>;
  /** Every silence, or those active now. */
  list(activeOnly: boolean): Promise<SilenceJson[]>;
  /** False when there is no such silence. */
  remove(id: number): Promise<boolean>;
}

export function alertsSource(repo: () => AlertRepository, now: () => number, onChange?: (a: AlertJson) => void): AlertsSource {
  return {
    list: async (f) => (await repo().list(f)).map(alertJson),
    get: async (id) => {
      const a = await repo().get(id);
      return a && alertJson(a);
    },
    ack: async (id, by) => {
      const a = await repo().ack(id, by, now());
      const j = a && alertJson(a);
      if (j) onChange?.(j);
      return j;
    },
  };
}

export function silencesSource(repo: () => AlertRepository, now: () => number): SilencesSource {
  return {
    add: async (s) => silenceJson(await repo().addSilence({ ...s, createdAt: now() }), now()),
    list: async (activeOnly) => {
      const t = now();
      return (await repo().silences(activeOnly ? t : undefined)).map((s) => silenceJson(s, t));
    },
    remove: (id) => repo().deleteSilence(id),
  };
}
