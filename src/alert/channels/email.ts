// Email through nodemailer, from email.smtp (smtp:// with STARTTLS when offered,
// smtps:// for TLS from the start), a plain-text and an HTML part.
//
// Each alert's email has a Message-ID made from the alert id, the channel and this
// database's identity, the same on every attempt: if the process dies between the SMTP
// server's "250 OK" and the outbox marking the delivery sent, the resend after the
// restart carries the same Message-ID, which mail servers and clients can recognise as
// the same message. (That window - one SMTP round trip and one SQLite write - is the
// residual risk of a duplicate; nothing ever makes a message disappear.)
import nodemailer, { type Transporter, type TransportOptions } from 'nodemailer';
import type { Channel, OutboundAlert } from './types.ts';
import { errorText } from './types.ts';

export interface EmailOptions {
  readonly smtp: URL;
  readonly from: string;
  readonly to: readonly string[];
  /** Identifies this database in Message-IDs (alert ids restart at 1 in a new one). */
  readonly instance: string;
  /** Connection, greeting and socket timeout (default 20 s). */
  readonly timeoutMs?: number;
}

export function messageId(alertId: number, instance: string, from: string): string {
  const domain = from.split('@')[1] ?? 'smoketrace.invalid';
  return `<smoketrace.alert-${alertId}.email.${instance}@${domain}>`;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export class EmailChannel implements Channel {
  readonly name = 'email';
  private transport: Transporter | undefined;
  private readonly secrets: string[];

  constructor(private readonly opts: EmailOptions) {
    // The config check refuses a password that is not percent-encoded; should one get here
    // anyway, it is kept as written rather than thrown on (a throw would fail the start).
    const pw = opts.smtp.password;
    this.secrets = [safeDecode(pw), pw].filter((s) => s !== '');
  }

  private transporter(): Transporter {
    if (!this.transport) {
      const t = this.opts.timeoutMs ?? 20_000;
      this.transport = nodemailer.createTransport({
        url: this.opts.smtp.toString(),
        connectionTimeout: t,
        greetingTimeout: t,
        socketTimeout: t,
        logger: false,
        debug: false,
      } as TransportOptions);
    }
    return this.transport;
  }

  async send(a: OutboundAlert): Promise<void> {
    try {
      await this.transporter().sendMail({
        from: this.opts.from,
        to: [...this.opts.to],
        subject: a.subject,
        text: a.message.text,
        html: a.message.html,
        messageId: messageId(a.id, this.opts.instance, this.opts.from),
        // A recovery goes into the thread of the alert it closes.
        ...(a.message.replyTo === undefined
          ? {}
          : { inReplyTo: messageId(a.message.replyTo, this.opts.instance, this.opts.from), references: [messageId(a.message.replyTo, this.opts.instance, this.opts.from)] }),
        headers: { 'X-Smoketrace-Alert': String(a.id) },
      });
    } catch (e) {
      // A failed transport may hold a dead connection: the next attempt starts afresh.
      this.transport?.close();
      this.transport = undefined;
      // eslint-disable-next-line preserve-caught-error -- the original error may carry the secret; its text is kept, redacted
      throw new Error(errorText(e, this.secrets));
    }
  }

  async close(): Promise<void> {
    this.transport?.close();
    this.transport = undefined;
  }
}
