// A delivery channel: sends one alert's stored message. It throws on failure (the
// outbox retries); it never logs the secrets it holds (SMTP password, webhook path).
import type { AlertJson } from '../json.ts';
import type { AlertMessage } from '../../store/alerts.ts';

export interface OutboundAlert {
  readonly id: number;
  readonly subject: string;
  readonly message: AlertMessage;
  /** The alert as the API shows it (the webhook's "alert"). */
  readonly json: AlertJson;
}

export interface Channel {
  readonly name: 'email' | 'webhook';
  send(alert: OutboundAlert): Promise<void>;
  /** Releases connections (after the outbox has stopped sending). */
  close(): Promise<void>;
}

/** A send error's text with every secret in `secrets` replaced, short enough for a column. */
export function errorText(e: unknown, secrets: readonly string[]): string {
  let s = e instanceof Error ? e.message : String(e);
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : undefined;
  if (cause && !s.includes(cause)) s = `${s}: ${cause}`;
  // Every known secret, however short: a 2-character password shown is a password leaked.
  // Longest first, so a secret containing another is replaced whole.
  for (const secret of [...secrets].filter((x) => x !== '').sort((a, b) => b.length - a.length)) s = s.split(secret).join('***');
  return s.length > 300 ? `${s.slice(0, 297)}...` : s;
}
