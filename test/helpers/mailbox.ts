// A real SMTP server in the test process (smtp-server on 127.0.0.1) that keeps every
// message it accepts, parsed back with mailparser, with the time it arrived. It can be
// taken down and brought back on the same port, to test delivery while "SMTP is down".
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** Epoch ms when the DATA ended. */
  readonly at: number;
  readonly mail: ParsedMail;
  /** Envelope recipients. */
  readonly rcptTo: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly messageId: string;
}

export class Mailbox {
  readonly mails: ReceivedMail[] = [];
  private server: SMTPServer | undefined;
  private portNo = 0;
  private waiters: (() => void)[] = [];

  /** Listens on 127.0.0.1 (port 0 the first time, then the same port again). */
  async start(): Promise<void> {
    if (this.server) return;
    const server = new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, done) => {
        simpleParser(stream)
          .then((mail) => {
            this.mails.push({
              at: Date.now(),
              mail,
              rcptTo: session.envelope.rcptTo.map((r) => r.address),
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              messageId: mail.messageId ?? '',
            });
            for (const w of this.waiters.splice(0)) w();
            done();
          })
          .catch((e: Error) => done(e));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.portNo, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.portNo = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Closes the listener: clients get connection refused until start() again. */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  get port(): number {
    return this.portNo;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.portNo}`;
  }

  /** Resolves with the first mail (from `from` on) matching `pred`, or rejects after `ms`. */
  async waitFor(pred: (m: ReceivedMail) => boolean, ms: number, from = 0): Promise<ReceivedMail> {
    const end = Date.now() + ms;
    for (;;) {
      const hit = this.mails.slice(from).find(pred);
      if (hit) return hit;
      const left = end - Date.now();
      if (left <= 0) {
        const got = this.mails.slice(from).map((m) => `  ${m.subject}`).join('\n') || '  (none)';
        throw new Error(`no matching mail within ${ms} ms; received:\n${got}`);
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
}
