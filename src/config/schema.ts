// The one config schema: every key, its type and its default. config.example.toml
// documents each of them (test/config/example.test.ts walks this schema to check).
// Later issues add keys here, and only here.
import { type Address, formatAddress } from '../model/address.ts';
import { type Prefix, formatPrefix, prefixContains } from '../model/prefix.ts';
import { type InferFields, optional, required, section, tables, withDefault } from './fields.ts';
import {
  boolean,
  cidr,
  duration,
  emailAddress,
  integer,
  ipAddress,
  list,
  listen,
  type Millis,
  oneOf,
  simple,
  text,
  url,
  type ValueType,
} from './values.ts';

export const PROBE_BACKENDS = ['mtr', 'scamper', 'traceroute'] as const;
export type ProbeBackend = (typeof PROBE_BACKENDS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const PROBE_METHODS = ['icmp', 'udp', 'tcp', 'icmp-paris', 'udp-paris', 'tcp-paris'] as const;

const probeBackend = oneOf(PROBE_BACKENDS);

export const ALERT_VERDICTS = ['worse', 'better', 'same', 'unreachable'] as const;
export const ALERT_FINDINGS = ['control-data-mismatch', 'no-routing-change', 'prepend-only', 'withdrawn', 'no-trace'] as const;
export const ALERT_CHANNELS = ['email', 'webhook'] as const;

/** "N/M": alert when N of a target's last M verdicts (for the rule) alert. */
export interface Persistence {
  readonly n: number;
  readonly m: number;
}

const persistence: ValueType<Persistence> = {
  expected: 'N of the last M verdicts written "N/M" like "2/3" (1 <= N <= M <= 100)',
  parse(raw) {
    const m = typeof raw === 'string' ? /^\s*(\d{1,3})\s*\/\s*(\d{1,3})\s*$/.exec(raw) : null;
    const got = m ? { n: Number(m[1]), m: Number(m[2]) } : undefined;
    if (!got || got.n < 1 || got.m < 1 || got.m > 100) return { ok: false, problems: [{ at: '', expected: this.expected, got: raw }] };
    if (got.n > got.m) return { ok: false, problems: [{ at: '', expected: `N at most M in "N/M" (${got.n} of the last ${got.m} can never happen)`, got: raw }] };
    return { ok: true, value: got };
  },
};
const probability = simple('a number greater than 0 and at most 1', (raw) => (typeof raw === 'number' && raw > 0 && raw <= 1 ? raw : undefined));
// Shorter than this and a probe host would flood targets; mtr alone takes ~10 s a run.
const probeInterval = duration({ min: '10s' });

export const schema = {
  api: section({
    // Loopback by default: the API is opened to a network on purpose, never by accident.
    listen: withDefault(listen, '127.0.0.1:8080'),
    // Bearer token for every write endpoint; may come from SMOKETRACE_API_TOKEN instead.
    token: optional(text({ minLength: 16 }), 'whole'),
  }),
  storage: section({
    path: withDefault(text(), 'data/smoketrace.sqlite'),
    retention: withDefault(duration({ min: '1d' }), '90d'),
  }),
  log: section({
    level: withDefault(oneOf(LOG_LEVELS), 'info'),
  }),
  bmp: section({
    // Off by default: a listening socket is opened on purpose, and two services (or test
    // runs) on one host would otherwise fight over the port.
    enabled: withDefault(boolean, false),
    // Loopback like the API; operators set a routable address so routers can connect.
    listen: withDefault(listen, '127.0.0.1:11019'),
    allow: withDefault(list(cidr, 'CIDR prefixes like "192.0.2.0/24"'), ['127.0.0.0/8', '::1/128']),
    max_message_bytes: withDefault(integer(4096, 16_777_216), 1_048_576),
    // Bytes queued per router before its socket is paused (TCP then pushes back on it).
    max_buffered_bytes: withDefault(integer(65_536, 1_073_741_824), 4_194_304),
  }),
  ris: section({
    enabled: withDefault(boolean, false),
    url: withDefault(url(['ws', 'wss']), 'wss://ris-live.ripe.net/v1/ws/'),
    client: withDefault(text(), 'smoketrace'),
    // Adds a low-volume KEEPALIVE subscription so a stalled server is noticed even when the
    // subscriptions themselves are quiet (see feeds/ris-live.ts).
    canary: withDefault(boolean, true),
    subscribe: tables({
      host: optional(text()),
      prefix: optional(cidr),
      more_specific: withDefault(boolean, true),
      less_specific: withDefault(boolean, false),
      path: optional(text()),
      peer: optional(ipAddress),
      type: optional(oneOf(['UPDATE', 'OPEN', 'NOTIFICATION', 'KEEPALIVE', 'RIS_PEER_STATE'])),
    }),
  }),
  rib: section({
    // Prefixes whose route changes are stored (with full attributes, before and after),
    // besides every prefix covering a target (config, API or auto). A prefix is monitored when it
    // overlaps an entry: the entry itself, its more-specifics and its covering prefixes.
    monitor: withDefault(list(cidr, 'CIDR prefixes like "198.51.100.0/24"'), []),
  }),
  probe: section({
    interval: withDefault(probeInterval, '5m'),
    backend: withDefault(probeBackend, 'mtr'),
    // Destinations probes may be sent to. Empty: none, until the operator says which.
    allowed: withDefault(list(cidr, 'CIDR prefixes like "192.0.2.0/24"'), []),
    // The shortest interval an API target (POST /api/targets) may ask for. Config
    // intervals are at least 10s regardless; a lower value is for labs.
    min_interval: withDefault(duration({ min: '1s' }), '10s'),
    // Traces running at once, all backends together.
    concurrency: withDefault(integer(1, 1024), 16),
    // Packets per second all traces together may send (scamper gets it as its -p too).
    pps: withDefault(integer(1, 10_000), 200),
    // Probe method for every target; unset: each backend's default (ICMP; scamper icmp-paris).
    method: optional(oneOf(PROBE_METHODS)),
    // Run the backends inside this network namespace (`ip netns exec NS ...`).
    netns: optional(text()),
    // Per target, at most one triggered (on-demand) trace per this long.
    cooldown: withDefault(duration({ min: '1s' }), '1m'),
    // IXP peering LANs: a hop inside one is shown as that IXP, not as an origin AS.
    ixp: tables({
      prefix: required(cidr),
      name: optional(text()),
    }),
    // Path-change detection thresholds (probe/pathdiff.ts).
    pathdiff: section({
      // A change must show in `required` of the last `window` traces.
      window: withDefault(integer(1, 100), 3),
      required: withDefault(integer(1, 100), 2),
      // Traces before anything is compared, and traces kept as the baseline.
      baseline_min: withDefault(integer(1, 100), 3),
      baseline_length: withDefault(integer(1, 1000), 10),
      // Traces in a row on a new path before it becomes the baseline.
      adopt_after: withDefault(integer(1, 1000), 5),
      // RTT change: at least rtt_abs_ms AND rtt_pct percent AND rtt_noise_k baseline spreads.
      rtt_abs_ms: withDefault(integer(0, 100_000), 20),
      rtt_pct: withDefault(integer(0, 10_000), 20),
      rtt_noise_k: withDefault(integer(0, 100), 3),
      // End-to-end loss rise in percentage points.
      loss_pts: withDefault(integer(0, 100), 2),
      // ... AND at least loss_min_probes probes lost in that trace ...
      loss_min_probes: withDefault(integer(1, 1000), 2),
      // ... AND that many lost less likely than loss_p under the baseline's loss rate.
      loss_p: withDefault(probability, 0.01),
      // Destination hop moved by at least this many TTLs.
      hops: withDefault(integer(0, 255), 2),
    }),
  }),
  // The correlator (src/correlate/): which view of the RIB is "our route", how long to
  // wait for the settle trace, how far back a path change looks for routing changes, and
  // the thresholds of a verdict (score.ts).
  correlate: section({
    // BMP router (sysName or address) or RIS collector ("rrc00") whose choice is our route.
    // Unset: the first BMP router exporting a Loc-RIB, else best path over every
    // post-policy table (a router with none, e.g. a RIS Live collector: its pre-policy routes).
    router: optional(text()),
    // Only routes learned from these peers count (RIS Live peers, a router's upstreams).
    peers: withDefault(list(ipAddress, 'IP addresses like "192.0.2.1"'), []),
    // The second confirmation trace runs this long after a routing change; changes of one
    // prefix from one peer within it are one cause.
    settle: withDefault(duration({ min: '100ms' }), '5s'),
    // A path change with no routing change of its own looks this far back for one.
    lookback: withDefault(duration({ min: '1s' }), '10m'),
    // Our own AS number(s): where traces start, and what an Adj-RIB-Out path starts with.
    local_asns: withDefault(list(integer(1, 4_294_967_295), 'AS numbers like 64500'), []),
    // Worse at +rtt_abs_ms AND +rtt_pct percent AND beyond rtt_noise_k baseline spreads.
    rtt_abs_ms: withDefault(integer(0, 100_000), 20),
    rtt_pct: withDefault(integer(0, 10_000), 20),
    rtt_noise_k: withDefault(integer(0, 100), 3),
    // End-to-end loss up by this many percentage points; hop count up by this many.
    loss_pts: withDefault(integer(0, 100), 2),
    hops: withDefault(integer(0, 255), 2),
  }),
  targets: tables({
    address: required(ipAddress),
    name: optional(text()),
    interval: optional(probeInterval),
    backend: optional(probeBackend),
  }),
  // Targets smoketrace picks itself (src/targets/auto/): prefixes by BGP churn, by origin
  // or upstream AS, by traffic, or from a static list; one probed address per prefix.
  auto_targets: section({
    enabled: withDefault(boolean, false),
    // How often the choice is refreshed.
    interval: withDefault(duration({ min: '1s' }), '15m'),
    max_targets: withDefault(integer(1, 100_000), 50),
    max_per_origin: withDefault(integer(1, 100_000), 5),
    // A prefix withdrawn, or out of every top list, this long stops being a target.
    expire_after: withDefault(duration({ min: '1s' }), '6h'),
    // Probe interval of auto targets; unset: probe.interval (probe.min_interval applies).
    probe_interval: optional(duration({ min: '1s' })),
    // File of known-responsive addresses (one per line, or ISI-style "hex-address score").
    hitlist: optional(text()),
    // Addresses tried per prefix without a hitlist entry, and how often a prefix where
    // none answered is tried again.
    candidates: withDefault(integer(1, 16), 3),
    recheck_unresponsive: withDefault(duration({ min: '1s' }), '24h'),
    static: withDefault(list(cidr, 'CIDR prefixes like "198.51.100.0/24"'), []),
    churn: section({
      enabled: withDefault(boolean, true),
      window: withDefault(duration({ min: '1h' }), '24h'),
      top: withDefault(integer(0, 10_000), 20),
    }),
    asn: tables({
      asn: required(integer(1, 4_294_967_295)),
      // A word for the reason text: "originated by AS65004 (customer)".
      role: optional(text()),
      match: withDefault(oneOf(['origin', 'upstream']), 'origin'),
      top: withDefault(integer(1, 10_000), 20),
    }),
    traffic: section({
      file: optional(text()),
      // A program and its arguments (run without a shell), whose output is read like the
      // file; used when file is unset.
      command: optional(list(text(), 'strings: a program and its arguments')),
      format: withDefault(oneOf(['auto', 'csv', 'json', 'nfdump', 'pmacct']), 'auto'),
      side: withDefault(oneOf(['dst', 'src', 'both']), 'dst'),
      metric: withDefault(oneOf(['bytes', 'packets']), 'bytes'),
      top: withDefault(integer(0, 10_000), 20),
      timeout: withDefault(duration({ min: '1s' }), '30s'),
    }),
  }),
  email: section({
    smtp: optional(url(['smtp', 'smtps']), 'url-password'),
    from: optional(emailAddress),
    to: withDefault(list(emailAddress, 'email addresses like "noc@example.net"'), []),
  }),
  webhook: section({
    // Chat webhooks carry their secret in the URL's path, so messages and logs hide it.
    url: optional(url(['http', 'https']), 'url-path'),
  }),
  alert: section({
    // Where the console is reachable by whoever reads the alert: emails link to
    // <console_url>/#/target/<id>. Unset: no link.
    console_url: optional(url(['http', 'https'])),
    // A delivery that failed is retried after retry_min, doubling up to retry_max ...
    retry_min: withDefault(duration({ min: '100ms' }), '5s'),
    retry_max: withDefault(duration({ min: '100ms' }), '5m'),
    // ... until give_up_after from the alert's creation: then 'failed' (still in the API).
    give_up_after: withDefault(duration({ min: '1s' }), '24h'),
    // No [[alert.rules]]: one default rule (src/alert/rules.ts defaultRule).
    rules: tables({
      name: required(text()),
      verdicts: withDefault(list(oneOf(ALERT_VERDICTS), 'verdict kinds like "worse"'), ['worse', 'unreachable']),
      findings: withDefault(list(oneOf(ALERT_FINDINGS), 'findings like "no-routing-change"'), []),
      targets: optional(list(text(), 'target names, ids or globs like "web-*"')),
      prefixes: optional(list(cidr, 'CIDR prefixes like "192.0.2.0/24"')),
      channels: optional(list(oneOf(ALERT_CHANNELS), 'channels like "email"')),
      persistence: withDefault(persistence, '1/1'),
      cooldown: withDefault(duration({ min: '0s' }), '30m'),
      recovery: withDefault(boolean, true),
      min_confidence: withDefault(oneOf(['low', 'medium', 'high'] as const), 'low'),
    }),
  }),
};

/** A target with the [probe] defaults filled in. */
export interface Target {
  readonly address: Address;
  readonly name: string;
  readonly interval: Millis;
  readonly backend: ProbeBackend;
}

export type RawConfig = InferFields<typeof schema>;
export type Config = Omit<RawConfig, 'targets'> & { readonly targets: readonly Target[] };

/** A problem found by looking at several keys together. */
export interface CrossProblem {
  readonly path: string;
  readonly expected: string;
  readonly got: string;
}

/** Fills target defaults from [probe] and checks rules that span keys. */
export function finish(raw: RawConfig): { config: Config; problems: CrossProblem[] } {
  // Problems are reported in schema order: ris, targets, email.
  const problems: CrossProblem[] = [];
  const targets = raw.targets.map((t) => ({
    address: t.address,
    name: t.name ?? formatAddress(t.address),
    interval: t.interval ?? raw.probe.interval,
    backend: t.backend ?? raw.probe.backend,
  }));

  // RIS Live sends nothing until subscribed, so enabling it without a subscription is a mistake.
  if (raw.ris.enabled && raw.ris.subscribe.length === 0) {
    problems.push({ path: 'ris.subscribe', expected: 'at least one [[ris.subscribe]] table (ris.enabled is true)', got: 'none' });
  }

  const allowedText = raw.probe.allowed.length ? raw.probe.allowed.map(formatPrefix).join(', ') : 'none';
  const names = new Set<string>();
  const pd = raw.probe.pathdiff;
  if (pd.required > pd.window) problems.push({ path: 'probe.pathdiff.required', expected: `at most probe.pathdiff.window (${pd.window})`, got: String(pd.required) });
  if (pd.baseline_length < pd.baseline_min) problems.push({ path: 'probe.pathdiff.baseline_length', expected: `at least probe.pathdiff.baseline_min (${pd.baseline_min})`, got: String(pd.baseline_length) });
  if (pd.adopt_after < pd.baseline_min) problems.push({ path: 'probe.pathdiff.adopt_after', expected: `at least probe.pathdiff.baseline_min (${pd.baseline_min})`, got: String(pd.adopt_after) });
  targets.forEach((t, i) => {
    if (!raw.probe.allowed.some((p: Prefix) => prefixContains(p, t.address))) {
      problems.push({
        path: `targets[${i}].address`,
        expected: `an address inside probe.allowed (${allowedText})`,
        got: JSON.stringify(formatAddress(t.address)),
      });
    }
    if (names.has(t.name)) {
      problems.push({ path: `targets[${i}].name`, expected: 'a name no other target has', got: JSON.stringify(t.name) });
    }
    names.add(t.name);
  });

  // The settle trace must come before the look-back window ends, or a change would miss its own routing change.
  if (raw.correlate.lookback < raw.correlate.settle) {
    problems.push({ path: 'correlate.lookback', expected: `at least correlate.settle (${raw.correlate.settle} ms)`, got: `${raw.correlate.lookback} ms` });
  }

  // Auto targets: a traffic command needs at least the program (file wins when both are set).
  const at = raw.auto_targets;
  if (at.traffic.command !== undefined && at.traffic.command.length === 0) {
    problems.push({ path: 'auto_targets.traffic.command', expected: 'a program and its arguments, e.g. ["nfdump", "-R", "/var/flows", "-o", "csv"]', got: '[]' });
  }
  if (at.enabled && raw.probe.allowed.length === 0) {
    problems.push({ path: 'auto_targets.enabled', expected: 'probe.allowed listing where auto targets may be (auto_targets.enabled is true)', got: 'probe.allowed = []' });
  }
  const sources = [at.churn.enabled && at.churn.top > 0, at.asn.length > 0, at.static.length > 0, (at.traffic.file !== undefined || (at.traffic.command?.length ?? 0) > 0) && at.traffic.top > 0];
  if (at.enabled && !sources.some(Boolean)) {
    problems.push({ path: 'auto_targets', expected: 'at least one source: churn, [[auto_targets.asn]], static or traffic (auto_targets.enabled is true)', got: 'none' });
  }

  // Email is off until smtp is set; once it is, a message needs a sender and recipients.
  if (raw.email.smtp !== undefined) {
    if (raw.email.from === undefined) {
      problems.push({ path: 'email.from', expected: 'an email address (email.smtp is set)', got: 'nothing' });
    }
    if (raw.email.to.length === 0) {
      problems.push({ path: 'email.to', expected: 'at least one email address (email.smtp is set)', got: '[]' });
    }
  }

  // A rule may only name a channel that is configured: otherwise it would alert nobody.
  const configured = { email: raw.email.smtp !== undefined, webhook: raw.webhook.url !== undefined };
  const ruleNames = new Set<string>();
  raw.alert.rules.forEach((r, i) => {
    for (const c of r.channels ?? []) {
      if (!configured[c]) problems.push({ path: `alert.rules[${i}].channels`, expected: `channels that are configured (${c} needs ${c === 'email' ? 'email.smtp' : 'webhook.url'})`, got: JSON.stringify(c) });
    }
    if (ruleNames.has(r.name)) problems.push({ path: `alert.rules[${i}].name`, expected: 'a name no other rule has', got: JSON.stringify(r.name) });
    ruleNames.add(r.name);
  });
  if (raw.alert.retry_max < raw.alert.retry_min) problems.push({ path: 'alert.retry_max', expected: 'at least alert.retry_min', got: `${raw.alert.retry_max / 1000}s` });

  return { config: { ...raw, targets }, problems };
}
