// Secrets in config values must never reach a log line or an error message.

/** "smtp://user:pw@host:587" -> "smtp://user:***@host:587". Leaves other strings alone. */
export function redactUrlPassword(s: string): string {
  if (!URL.canParse(s)) return s.replace(/(\/\/[^/:@]*:)[^@/]*@/, '$1***@');
  const u = new URL(s);
  if (u.password === '') return s;
  u.password = '***';
  return u.toString();
}

/** Keeps only scheme, host and port: chat webhooks carry their secret in the path or query. */
export function redactUrlPath(s: string): string {
  if (!URL.canParse(s)) return '***';
  const u = new URL(s);
  const tail = u.pathname !== '/' || u.search !== '' ? '/***' : '/';
  return `${u.protocol}//${u.username ? '***@' : ''}${u.host}${tail}`;
}
