// Runs one backend command (mtr, traceroute, tcptraceroute, a scamper check) and turns
// every way it can go wrong into a typed ProbeError the scheduler can act on:
//   backend-missing     the binary (or `ip`, for a netns) is not installed: mark the
//                       backend unavailable, re-check later, keep the service running
//   backend-permission  raw sockets refused (not root, no CAP_NET_RAW, setuid bit gone)
//   backend-failed      it ran and failed (bad exit, output over the cap, unparsable)
//   timeout             it ran too long: SIGTERM, then SIGKILL after a grace period
//   unsupported         the request cannot be expressed for this backend (mtr udp over v6)
// Commands are argument arrays through execa, never a shell. Signals go to the child's
// PID only (execa's subprocess.kill): never to a process group or by name. Under
// `ip netns exec` the PID is still the tool's, since ip exec(2)s it in place.
import { execa } from 'execa';

export type ProbeErrorKind = 'backend-missing' | 'backend-permission' | 'backend-failed' | 'timeout' | 'unsupported';

export class ProbeError extends Error {
  override readonly name = 'ProbeError';
  constructor(
    readonly kind: ProbeErrorKind,
    message: string,
    /** The last lines of the tool's stderr, when there were any. */
    readonly stderr?: string,
  ) {
    super(message);
  }

  toJSON(): { kind: ProbeErrorKind; message: string } {
    return { kind: this.kind, message: this.message };
  }
}

export interface RunOptions {
  /** Network namespace to run in (`ip netns exec NS ...`): the lab, or a VRF-like setup. */
  readonly netns?: string;
  /** Whole-run limit; SIGTERM when reached. Default 60 s. */
  readonly timeoutMs?: number;
  /** Time between SIGTERM and SIGKILL. Default 2 s. */
  readonly killGraceMs?: number;
  /** Cap on stdout (and, separately, stderr) bytes; the child is killed past it. Default 4 MiB. */
  readonly maxOutputBytes?: number;
  readonly signal?: AbortSignal;
  /** Called with the child's PID once spawned (tests check that it is gone afterwards). */
  readonly onSpawn?: (pid: number) => void;
}

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  readonly durationMs: number;
}

// Namespace names as `ip netns add` accepts them, minus anything that could read as an option.
const NETNS = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/** `argv` prefixed to run inside a network namespace (unchanged without one). */
export function inNetns(argv: readonly string[], netns?: string): string[] {
  if (netns === undefined) return [...argv];
  if (!NETNS.test(netns)) throw new ProbeError('unsupported', `network namespace name ${JSON.stringify(netns.slice(0, 80))} is not a plain name`);
  return ['ip', 'netns', 'exec', netns, ...argv];
}

// What the tools print when raw sockets are refused (checked before "not found":
// mtr-packet's message can mention a missing helper as well).
const PERMISSION = [
  /operation not permitted/i,
  /permission denied/i,
  /mtr-packet: failure to open/i,
  /failure to start mtr-packet/i,
  /could not open (?:icmp|udp|tcp|raw|datalink)/i,
  /not have enough privileges|not enough privileges/i,
  /requires root|must be root|need root/i,
  /cannot open raw socket/i,
];
// `ip netns exec` exits 255 with this when the tool itself is missing.
const MISSING = [/exec of ".*" failed: no such file or directory/i, /command not found/i, /cannot open network namespace/i];

/** Classifies a failed run from its stderr; undefined when nothing is recognised. */
export function classifyStderr(stderr: string): 'backend-missing' | 'backend-permission' | undefined {
  if (PERMISSION.some((re) => re.test(stderr))) return 'backend-permission';
  if (MISSING.some((re) => re.test(stderr))) return 'backend-missing';
  return undefined;
}

/** The last few lines of stderr, for messages and logs. */
export function tail(text: string, lines = 5, chars = 600): string {
  const t = text.trim().split('\n').slice(-lines).join(' | ');
  return t.length > chars ? `...${t.slice(-chars)}` : t;
}

const decoder = new TextDecoder();
const asText = (v: unknown): string => (v instanceof Uint8Array ? decoder.decode(v) : typeof v === 'string' ? v : '');

/**
 * The whole environment a probe tool gets: PATH to find it (and `ip netns exec` to find
 * it in turn) and the C locale, so a locale never changes the decimal separator of the
 * numbers it prints. Nothing else of the service's environment (SMOKETRACE_API_TOKEN,
 * SMTP passwords, ...) reaches a raw-socket tool that often runs with CAP_NET_RAW.
 */
export function toolEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', LC_ALL: 'C' };
}

/**
 * Runs argv[0] with the rest as arguments. Resolves with the output when the tool exited 0;
 * throws ProbeError otherwise. A non-zero exit with usable stdout is still a failure here:
 * callers that accept partial output (traceroute's !N exits 0 anyway) do not need that.
 */
export async function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  if (argv.length === 0) throw new ProbeError('unsupported', 'empty command');
  const full = inNetns(argv, opts.netns);
  const tool = argv[0];
  const maxBytes = opts.maxOutputBytes ?? 4 * 1024 * 1024;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const child = execa(full[0], full.slice(1), {
    reject: false,
    stdin: 'ignore',
    encoding: 'buffer',
    stripFinalNewline: false,
    timeout: timeoutMs,
    killSignal: 'SIGTERM',
    forceKillAfterDelay: opts.killGraceMs ?? 2_000,
    maxBuffer: maxBytes,
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
    env: toolEnv(),
    extendEnv: false,
  });
  if (child.pid !== undefined) opts.onSpawn?.(child.pid);
  const r = await child;
  const stdout = asText(r.stdout);
  const stderr = asText(r.stderr);
  const durationMs = Math.round(r.durationMs);
  const where = opts.netns ? ` in netns ${opts.netns}` : '';

  if (r.code === 'ENOENT') {
    const what = full[0] === 'ip' && opts.netns ? '`ip` (iproute2, for netns)' : tool;
    throw new ProbeError('backend-missing', `${what} is not installed or not on PATH`);
  }
  if (r.code === 'EACCES' || r.code === 'EPERM') throw new ProbeError('backend-permission', `${tool} cannot be executed: ${r.code}`);
  if (r.timedOut) {
    const how = r.isForcefullyTerminated ? 'SIGTERM ignored, killed with SIGKILL' : 'stopped with SIGTERM';
    throw new ProbeError('timeout', `${tool}${where} ran longer than ${timeoutMs} ms (${how})`, tail(stderr));
  }
  if (r.isCanceled) throw new ProbeError('backend-failed', `${tool}${where} was cancelled`, tail(stderr));
  if (r.isMaxBuffer) throw new ProbeError('backend-failed', `${tool}${where} printed more than ${maxBytes} bytes; killed`, tail(stderr));
  if (r.failed || r.exitCode !== 0) {
    const kind = classifyStderr(stderr) ?? 'backend-failed';
    const status = r.signal ? `killed by ${r.signal}` : `exit status ${r.exitCode ?? '?'}`;
    const detail = tail(stderr) || tail(stdout, 2, 200) || 'no output';
    const hint = kind === 'backend-permission' ? ' (raw sockets need root or CAP_NET_RAW)' : '';
    throw new ProbeError(kind, `${tool}${where} failed, ${status}: ${detail}${hint}`, tail(stderr));
  }
  return { stdout, stderr, exitCode: r.exitCode ?? 0, durationMs };
}
