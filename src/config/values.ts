// Value types for config leaves: each knows what it expects (in words an operator
// reads in an error line) and turns a raw TOML value into a typed one.
import { type Address, parseAddress } from '../model/address.ts';
import { type Prefix, formatPrefix, parsePrefix } from '../model/prefix.ts';

/** One thing wrong with a value; `at` is a suffix of the key path ("" or "[2]"). */
export interface ValueProblem {
  readonly at: string;
  readonly expected: string;
  readonly got: unknown;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problems: readonly ValueProblem[] };

export interface ValueType<T> {
  readonly expected: string;
  /** A list type accepts one bare item from --set (`--set email.to=noc@example.net`). */
  readonly isList?: boolean;
  parse(raw: unknown): Parsed<T>;
}

/** Milliseconds. */
export type Millis = number;

/** A TCP listen address, parsed. `text` is how it was written, for logs and messages. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  readonly text: string;
}

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (expected: string, got: unknown, at = ''): Parsed<never> => ({ ok: false, problems: [{ at, expected, got }] });

/** A value type from a function that returns undefined for anything it refuses. */
export function simple<T>(expected: string, parse: (raw: unknown) => T | undefined): ValueType<T> {
  return {
    expected,
    parse(raw) {
      const v = parse(raw);
      return v === undefined ? bad(expected, raw) : ok(v);
    },
  };
}

export function text(opts: { minLength?: number } = {}): ValueType<string> {
  const min = opts.minLength ?? 1;
  const expected = min > 1 ? `a string of at least ${min} characters` : 'a non-empty string';
  return simple(expected, (raw) => (typeof raw === 'string' && raw.length >= min ? raw : undefined));
}

export const boolean: ValueType<boolean> = simple('true or false', (raw) => (typeof raw === 'boolean' ? raw : undefined));

export function integer(min: number, max: number): ValueType<number> {
  return simple(`an integer from ${min} to ${max}`, (raw) =>
    typeof raw === 'number' && Number.isInteger(raw) && raw >= min && raw <= max ? raw : undefined,
  );
}

export function oneOf<const V extends string>(values: readonly V[]): ValueType<V> {
  const expected = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  return simple(expected, (raw) => (values as readonly unknown[]).includes(raw) ? (raw as V) : undefined);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "30s", "5m", "1h30m", "7d" -> milliseconds; undefined if it is not one. */
export function parseDuration(s: string): Millis | undefined {
  if (!/^(\d+(ms|s|m|h|d|w))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) total += Number(m[1]) * UNIT_MS[m[2]];
  return Number.isSafeInteger(total) ? total : undefined;
}

export function duration(opts: { min?: string } = {}): ValueType<Millis> {
  const min = opts.min === undefined ? 1 : parseDuration(opts.min)!;
  const expected = `a duration like "5m" (units ms, s, m, h, d, w${opts.min ? `; at least ${opts.min}` : ''})`;
  return simple(expected, (raw) => {
    if (typeof raw !== 'string') return undefined;
    const ms = parseDuration(raw);
    return ms !== undefined && ms >= min ? ms : undefined;
  });
}

/** "127.0.0.1:8080", "[::1]:8080", "localhost:8080"; port 0 lets the OS choose. */
export function parseListen(s: string): ListenAddress | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(s);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  const host = m[1] ?? m[2];
  if (m[1] !== undefined && parseAddress(host)?.family !== 6) return undefined;
  if (m[2] !== undefined && host !== 'localhost' && parseAddress(host)?.family !== 4) return undefined;
  return { host, port, text: s };
}

export const listen: ValueType<ListenAddress> = simple(
  'an address like "127.0.0.1:8080" or "[::1]:8080"',
  (raw) => (typeof raw === 'string' ? parseListen(raw) : undefined),
);

export const ipAddress: ValueType<Address> = simple('an IP address like "192.0.2.1" or "2001:db8::1"', (raw) =>
  typeof raw === 'string' ? parseAddress(raw) : undefined,
);

/** A prefix, or a bare address as a host prefix. Host bits set is refused: it is nearly always a typo. */
export const cidr: ValueType<Prefix> = {
  expected: 'a CIDR prefix like "192.0.2.0/24" or "2001:db8::/32"',
  parse(raw) {
    const p = typeof raw === 'string' ? parsePrefix(raw) : undefined;
    if (!p) return bad(this.expected, raw);
    // parsePrefix clears host bits; compare with the address as written to notice them.
    const written = parseAddress((raw as string).split('/')[0])!;
    if (written.bytes.some((b, i) => b !== p.bytes[i])) {
      return bad(`a CIDR prefix with no host bits set (did you mean "${formatPrefix(p)}"?)`, raw);
    }
    return ok(p);
  },
};

/** Whether decodeURIComponent takes it (URL keeps a stray "%" in user info as written). */
export function isPercentEncoded(s: string): boolean {
  try {
    decodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
}

export function url(schemes: readonly string[]): ValueType<URL> {
  const expected = `a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}`;
  return {
    expected,
    parse(raw) {
      if (typeof raw !== 'string' || !URL.canParse(raw)) return bad(expected, raw);
      const u = new URL(raw);
      if (!schemes.includes(u.protocol.slice(0, -1)) || u.hostname === '') return bad(expected, raw);
      // Credentials are percent-decoded when used (smtp://user:p%40ss@host): a literal "%"
      // not followed by two hex digits would fail at the first send, not here.
      if (!isPercentEncoded(u.password)) return bad('a percent-encoded password in the URL (write a literal % as %25)', raw);
      if (!isPercentEncoded(u.username)) return bad('a percent-encoded user name in the URL (write a literal % as %25)', raw);
      return ok(u);
    },
  };
}

export const emailAddress: ValueType<string> = simple('an email address like "noc@example.net"', (raw) =>
  typeof raw === 'string' && /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/.test(raw) ? raw : undefined,
);

/** `items` names the items in the plural, as an error line shows it. */
export function list<T>(item: ValueType<T>, items: string): ValueType<T[]> {
  const expected = `a list of ${items}`;
  return {
    expected,
    isList: true,
    parse(raw) {
      if (!Array.isArray(raw)) return bad(expected, raw);
      const values: T[] = [];
      const problems: ValueProblem[] = [];
      raw.forEach((v, i) => {
        const r = item.parse(v);
        if (r.ok) values.push(r.value);
        else for (const p of r.problems) problems.push({ ...p, at: `[${i}]${p.at}` });
      });
      return problems.length > 0 ? { ok: false, problems } : ok(values);
    },
  };
}
