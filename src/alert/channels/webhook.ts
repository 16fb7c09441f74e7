// A JSON POST of { "text": "<Slack-compatible mrkdwn>", "alert": AlertJson } to
// webhook.url, with a timeout. Any 2xx is delivered. The URL's path (the chat
// service's secret) never appears in an error: errors name only scheme and host.
// Idempotency-Key is the same on every attempt of one alert, so a receiver can drop a
// resend after a crash between its 2xx and our "sent" mark.
import { redactUrlPath } from '../../config/redact.ts';
import type { Channel, OutboundAlert } from './types.ts';
import { errorText } from './types.ts';

export interface WebhookOptions {
  readonly url: URL;
  readonly instance: string;
  /** Default 10 s. */
  readonly timeoutMs?: number;
}

export class WebhookChannel implements Channel {
  readonly name = 'webhook';
  private readonly secrets: string[];

  constructor(private readonly opts: WebhookOptions) {
    const u = opts.url;
    // The path (but a bare "/"), the query and the password, whatever their length.
    this.secrets = [u.toString(), u.pathname + u.search, u.pathname === '/' ? '' : u.pathname, u.search, u.password].filter((s) => s !== '' && s !== '/');
  }

  async send(a: OutboundAlert): Promise<void> {
    const where = redactUrlPath(this.opts.url.toString());
    let res: Response;
    try {
      res = await fetch(this.opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `smoketrace-alert-${a.id}-webhook-${this.opts.instance}` },
        body: JSON.stringify({ text: a.message.slack, alert: a.json }),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
        redirect: 'error',
      });
    } catch (e) {
      // eslint-disable-next-line preserve-caught-error -- the original error may carry the secret; its text is kept, redacted
      throw new Error(`POST ${where} failed: ${errorText(e, this.secrets)}`);
    }
    // The body is read (and dropped) so the connection can be reused.
    await res.text().catch(() => '');
    if (!res.ok) throw new Error(`POST ${where} answered HTTP ${res.status}`);
  }

  async close(): Promise<void> {}
}
