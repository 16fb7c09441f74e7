// The one root logger. Components log through child({ component }). Secrets are
// redacted here, by path, so no call site has to remember: the Authorization header,
// the API token, the SMTP password and the webhook URL's secret path.
import { pino } from 'pino';
import { redactUrlPassword, redactUrlPath } from './config/redact.ts';

export type Logger = pino.Logger;
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

// Where a Config, its sections or a request may appear in a log object.
export const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'token',
  'api.token',
  'config.api.token',
  'smtp',
  'email.smtp',
  'config.email.smtp',
  'webhook.url',
  'config.webhook.url',
];

function censor(value: unknown, path: string[]): unknown {
  if (typeof value !== 'string') return '[redacted]';
  const key = path[path.length - 1];
  if (key === 'smtp') return redactUrlPassword(value);
  if (key === 'url') return redactUrlPath(value);
  return '[redacted]';
}

export function createLogger(opts: { level: LogLevel; destination?: pino.DestinationStream }): Logger {
  const options: pino.LoggerOptions = { level: opts.level, redact: { paths: REDACT_PATHS, censor }, base: { pid: process.pid } };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
