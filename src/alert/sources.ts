// What the alerts and silences API resources read and write, over the alert repository.
// service.ts hands these to src/api/alerts.ts and src/api/silences.ts.
import type { AlertsSource } from '../api/alerts.ts';
import type { SilencesSource } from '../api/silences.ts';
import type { AlertRepository } from '../store/alerts.ts';
import { type AlertJson, alertJson, silenceJson } from './json.ts';

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
