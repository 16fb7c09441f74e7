// Target validation for the config and the API:
//   { "address": "198.51.100.1" | "host.example", "name"?, "interval"?, "backend"? }
// The address ends up as an argument of mtr/scamper/traceroute, and the probes go to
// it: so a string is accepted only when it is plainly an IP literal or an RFC 1123 host
// name. Everything else is refused with a reason an operator can act on (the API
// returns it as a 400). The backends take argv arrays, never a shell, so these checks
// are a second line: they keep options ("-oProxyCommand=x"), URLs, prefixes and junk
// out of the target list, the store and the logs.
import { type Address, formatAddress, parseAddress } from '../model/address.ts';
import { type Prefix, formatPrefix, parsePrefix, prefixContains } from '../model/prefix.ts';
import { parseDuration } from '../config/values.ts';

export const TARGET_BACKENDS = ['mtr', 'scamper', 'traceroute', 'tcptraceroute'] as const;
export type TargetBackend = (typeof TARGET_BACKENDS)[number];

export interface ValidTarget {
  /** Canonical IP text when the input was an IP literal. */
  readonly address?: string;
  /** Lower-case host name (no trailing dot) when the input was a name: resolved once, when added. */
  readonly host?: string;
  /** IPv6 zone (only with allowZone). */
  readonly zone?: string;
  readonly name: string;
  readonly interval?: number;
  readonly backend?: TargetBackend;
}

export type Invalid = { readonly ok: false; readonly status: 400; readonly field: string; readonly reason: string };
export type Validated<T> = { readonly ok: true; readonly value: T } | Invalid;

export interface ValidateOptions {
  /** probe.allowed: an IP target must be inside one of these (a name is checked once resolved). */
  readonly allowed: readonly Prefix[];
  /** Accept "fe80::1%eth0". Off by default: a zone names an interface of this host. */
  readonly allowZone?: boolean;
  /** Shortest per-target interval (the config's minimum is 10 s). */
  readonly minIntervalMs?: number;
  readonly maxIntervalMs?: number;
}

const MAX_INPUT = 300; // longer than any host name (253) plus slack: beyond it, do not even look
const MAX_NAME = 100;
const bad = (field: string, reason: string): Invalid => ({ ok: false, status: 400, field, reason });
const show = (s: string) => JSON.stringify(s.length > 60 ? `${s.slice(0, 60)}...` : s);

// Characters that never appear in a host name or an IP literal and mean something to a
// shell, a URL parser or a log reader.
const META = /[;&|$`<>()\\'"*?{}[\]!#~^,=@+]/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Why an address is not a unicast destination, or undefined. */
function notUnicast(a: Address): string | undefined {
  const b = a.bytes;
  if (a.family === 4) {
    if (b[0] === 0) return 'is in 0.0.0.0/8 ("this network")';
    if (b[0] >= 224 && b[0] <= 239) return 'is multicast';
    if (b[0] >= 240) return 'is reserved or broadcast';
    return undefined;
  }
  if (b.every((x) => x === 0)) return 'is the unspecified address';
  if (b[0] === 0xff) return 'is multicast';
  return undefined;
}

/** Why `addr` may not be probed under `allowed`, or undefined when it may. */
export function notAllowedReason(addr: Address, allowed: readonly Prefix[]): string | undefined {
  if (allowed.length === 0) return 'probe.allowed is empty: no destination may be probed until the operator lists some';
  if (allowed.some((p) => prefixContains(p, addr))) return undefined;
  const list = allowed.slice(0, 5).map(formatPrefix).join(', ') + (allowed.length > 5 ? `, ... (${allowed.length})` : '');
  return `${formatAddress(addr)} is outside probe.allowed (${list})`;
}

/** An address text: an IP literal, a host name, or a reason why it is neither. */
export function parseTargetAddress(raw: unknown, opts: Pick<ValidateOptions, 'allowZone'> = {}): Validated<{ address?: Address; host?: string; zone?: string }> {
  if (typeof raw !== 'string') return bad('address', 'must be a string: an IP address or a host name');
  if (raw.length === 0) return bad('address', 'is empty');
  if (raw.length > MAX_INPUT) return bad('address', `is ${raw.length} characters long; a host name has at most 253`);
  if (/[\u0000-\u001f\u007f]/.test(raw)) return bad('address', 'contains control characters (NUL, newline, ...)');
  if (/\s/.test(raw)) return bad('address', 'contains whitespace');
  if (/[^\u0020-\u007e]/.test(raw)) return bad('address', 'contains non-ASCII characters: give an IP address, or an internationalised name in its xn-- form');
  if (raw.startsWith('-')) return bad('address', `starts with "-" (it would read as a command-line option): ${show(raw)}`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) || raw.includes('://')) return bad('address', `is a URL: give only the host name or IP address, not ${show(raw)}`);
  if (raw.includes('/')) {
    return parsePrefix(raw)
      ? bad('address', `is a prefix (${show(raw)}): a target is one address; list prefixes in probe.allowed`)
      : bad('address', `contains "/": ${show(raw)}`);
  }
  if (raw.includes('%')) {
    const [ip, zone, ...more] = raw.split('%');
    const a = parseAddress(ip);
    if (!opts.allowZone) return bad('address', `has an IPv6 zone id (${show(raw)}): zones name interfaces of this host and are not accepted here`);
    if (!a || a.family !== 6 || more.length > 0 || !/^[A-Za-z0-9_.-]{1,15}$/.test(zone)) return bad('address', `is not an IPv6 address with a zone id: ${show(raw)}`);
    const why = notUnicast(a);
    if (why) return bad('address', `${formatAddress(a)} ${why}`);
    return { ok: true, value: { address: a, zone } };
  }
  const m = META.exec(raw);
  if (m) return bad('address', `contains ${JSON.stringify(m[0])}, which is in no host name or IP address: ${show(raw)}`);
  const a = parseAddress(raw);
  if (a) {
    const why = notUnicast(a);
    return why ? bad('address', `${formatAddress(a)} ${why}`) : { ok: true, value: { address: a } };
  }
  if (raw.includes(':')) return bad('address', `is not a valid IPv6 address: ${show(raw)}`);
  return parseHostName(raw);
}

/** RFC 1123 host name: labels of letters, digits and inner hyphens, 1..63 each, 253 in all. */
function parseHostName(raw: string): Validated<{ host: string }> {
  const host = raw.toLowerCase().replace(/\.$/, '');
  if (host.length === 0 || host.length > 253) return bad('address', `host name is ${host.length} characters long (1..253)`);
  const labels = host.split('.');
  for (const l of labels) {
    if (l.length === 0) return bad('address', `has an empty label (".."): ${show(raw)}`);
    if (l.length > 63) return bad('address', `has a label of ${l.length} characters (at most 63): ${show(raw)}`);
    if (!LABEL.test(l)) return bad('address', `label ${show(l)} is not letters, digits and inner hyphens (RFC 1123)`);
  }
  // An all-numeric last label is an IP address gone wrong ("1.2.3", "01.2.3.4"), which
  // inet_aton would read in surprising ways; no real top-level domain is numeric.
  if (/^\d+$/.test(labels[labels.length - 1])) return bad('address', `looks like a malformed IPv4 address: ${show(raw)}`);
  return { ok: true, value: { host } };
}

function parseInterval(raw: unknown, o: ValidateOptions): Validated<number | undefined> {
  if (raw === undefined || raw === null) return { ok: true, value: undefined };
  let ms: number | undefined;
  if (typeof raw === 'string' && raw.length <= 20) ms = parseDuration(raw);
  else if (typeof raw === 'number' && Number.isFinite(raw)) ms = raw;
  const min = o.minIntervalMs ?? 10_000;
  const max = o.maxIntervalMs ?? 7 * 86_400_000;
  if (ms === undefined) return bad('interval', 'must be a duration like "5m" or a number of milliseconds');
  if (ms < min || ms > max) return bad('interval', `must be between ${min / 1000} s and ${max / 86_400_000} days, got ${ms} ms`);
  return { ok: true, value: Math.round(ms) };
}

/** Validates and normalises one target. IP targets are checked against `allowed` here. */
export function validateTarget(input: unknown, opts: ValidateOptions): Validated<ValidTarget> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return bad('', 'a target is an object like {"address": "198.51.100.1"}');
  const o = input as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['address', 'name', 'interval', 'backend'].includes(k)) return bad(k, `is not a target field (address, name, interval, backend)`);
  }
  const addr = parseTargetAddress(o.address, opts);
  if (!addr.ok) return addr;
  const { address, host, zone } = addr.value;
  if (address) {
    const why = notAllowedReason(address, opts.allowed);
    if (why) return bad('address', why);
  }
  let name: string;
  if (o.name === undefined || o.name === null) name = address ? formatAddress(address) : host!;
  else if (typeof o.name !== 'string') return bad('name', 'must be a string');
  else if (o.name.trim().length === 0 || o.name.length > MAX_NAME) return bad('name', `must be 1..${MAX_NAME} characters`);
  else if (/[\u0000-\u001f\u007f]/.test(o.name)) return bad('name', 'contains control characters');
  else name = o.name.trim();
  const interval = parseInterval(o.interval, opts);
  if (!interval.ok) return interval;
  let backend: TargetBackend | undefined;
  if (o.backend !== undefined && o.backend !== null) {
    if (typeof o.backend !== 'string' || !(TARGET_BACKENDS as readonly string[]).includes(o.backend)) {
      return bad('backend', `must be one of ${TARGET_BACKENDS.join(', ')}`);
    }
    backend = o.backend as TargetBackend;
  }
  return {
    ok: true,
    value: {
      ...(address ? { address: formatAddress(address) } : {}),
      ...(host ? { host } : {}),
      ...(zone ? { zone } : {}),
      name,
      ...(interval.value !== undefined ? { interval: interval.value } : {}),
      ...(backend ? { backend } : {}),
    },
  };
}
