// Driver for test/lab/lab.sh from node:test tests.
//
//   const lab = await Lab.up({ bmpPort });      // waits for the machine-wide lab lock, builds, converges
//   try {
//     await lab.flap('prepend');                 // best path moves to r1-r3-r4
//     const p = await lab.ping('probe', TARGETS.v4[0], { count: 10 });
//   } finally {
//     await lab.down();                          // also runs on process exit / SIGINT / SIGTERM
//   }
//
// Only one lab runs per machine (the management subnet 10.77.255.0/30 in the root
// namespace is fixed), so `up` first takes an exclusive flock(1) on a lock file and keeps
// it until `down`. The lock is held by a small `flock ... cat` child whose stdin is a pipe
// from this process: when this process dies in any way, the pipe closes and the lock goes
// with it. A lab left standing by a killed process is removed by the next `up` of the same
// prefix (lab.sh cleans its own leftovers first).
//
// Commands run with argument arrays (spawn, no shell string). See README.md beside this
// file for the topology, addresses and measured timings.
import { type ChildProcess, type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type AddressInfo, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const LAB_DIR = dirname(fileURLToPath(import.meta.url));
export const LAB_SH = join(LAB_DIR, 'lab.sh');
export const PINGER = join(LAB_DIR, 'pinger.py');
const PYTHON = '/usr/bin/python3';

export type Router = 'r1' | 'r2' | 'r3' | 'r4';
export type LabNode = 'probe' | Router | 'tgt' | 'gobgp';
export type LinkName = 'r1-r2' | 'r1-r3' | 'r2-r4' | 'r3-r4';
export type FlapMode = 'prepend' | 'session' | 'link' | 'localpref' | 'blackhole';

export const DEFAULT_PREFIX = 'st-';
export const DEFAULT_BMP_PORT = 11019;
/** The collector's address: root-namespace end of r1's management veth. */
export const BMP_ADDR = '10.77.255.1';
/** Source addresses BMP sessions come from, as the collector sees them. */
export const BMP_SOURCES = { r1: '10.77.255.2', gobgp: '10.77.255.6' } as const;

export const ASN = { r1: 65001, r2: 65002, r3: 4200000003, r4: 65004, gobgp: 65006 } as const;
export const ROUTER_ID = { r1: '10.77.0.1', r2: '10.77.0.2', r3: '10.77.0.3', r4: '10.77.0.4', gobgp: '10.77.0.6' } as const;

/** Addresses of the probe and of the targets (on tgt's loopback). */
export const PROBE = { v4: '192.0.2.10', v6: '2001:db8:1::10' } as const;
export const PROBE_PREFIXES = { v4: '192.0.2.0/24', v6: '2001:db8:1::/64' } as const;
export const TARGETS = {
  v4: ['198.51.100.1', '203.0.113.1'],
  v6: ['2001:db8:100::1', '2001:db8:200::1'],
} as const;
/** Originated by r4. lab.sh's own waits use the first of each family: withdraw the second. */
export const TARGET_PREFIXES = {
  v4: ['198.51.100.0/24', '203.0.113.0/24'],
  v6: ['2001:db8:100::/48', '2001:db8:200::/48'],
} as const;

/** Interface addresses. Router links are /30 + /64: 10.77.XY.0/30 and fd77:XY::/64 for rX-rY. */
export const ADDR = {
  probe: { eth0: ['192.0.2.10', '2001:db8:1::10'] },
  r1: { 'to-probe': ['192.0.2.1', '2001:db8:1::1'], 'to-r2': ['10.77.12.1', 'fd77:12::1'], 'to-r3': ['10.77.13.1', 'fd77:13::1'], mgmt: ['10.77.255.2', 'fd77:ff::2'], 'to-gobgp': ['10.77.16.1', 'fd77:16::1'] },
  r2: { 'to-r1': ['10.77.12.2', 'fd77:12::2'], 'to-r4': ['10.77.24.1', 'fd77:24::1'] },
  r3: { 'to-r1': ['10.77.13.2', 'fd77:13::2'], 'to-r4': ['10.77.34.1', 'fd77:34::1'] },
  r4: { 'to-r2': ['10.77.24.2', 'fd77:24::2'], 'to-r3': ['10.77.34.2', 'fd77:34::2'], 'to-tgt': ['10.77.40.1', 'fd77:40::1'] },
  tgt: { eth0: ['10.77.40.2', 'fd77:40::2'] },
  gobgp: { eth0: ['10.77.16.2', 'fd77:16::2'], mgmt: ['10.77.255.6'] },
} as const;

/** Addresses a traceroute from the probe shows (ICMP errors come from the inbound interface). */
export const HOPS = {
  fast: { v4: ['192.0.2.1', '10.77.12.2', '10.77.24.2'], v6: ['2001:db8:1::1', 'fd77:12::2', 'fd77:24::2'] },
  slow: { v4: ['192.0.2.1', '10.77.13.2', '10.77.34.2'], v6: ['2001:db8:1::1', 'fd77:13::2', 'fd77:34::2'] },
} as const;

/** Origin AS of each traceroute hop (HOPS) when the lab is up with announceLinks. */
export const HOP_ASNS = {
  fast: [ASN.r1, ASN.r2, ASN.r4],
  slow: [ASN.r1, ASN.r3, ASN.r4],
} as const;

/** AS_PATH r1 sees for the targets, best path first. */
export const AS_PATHS = {
  fast: '65002 65004',
  slow: '4200000003 4200000003 65004',
  fastPrepended: '65002 65004 65004 65004 65004',
} as const;

export const LINKS: readonly LinkName[] = ['r1-r2', 'r1-r3', 'r2-r4', 'r3-r4'];
export const FAST_MS = 1.25;
export const SLOW_MS = 10;
/** Each crossing of a user-space link costs ~0.15 ms on top of its delay (measured). */
export const LINK_OVERHEAD_MS = 0.15;

/** Round trip probe <-> target when both directions take a path whose two links have `perLinkMs` each. */
export function expectedRttMs(perLinkMs: number): number {
  return 4 * (perLinkMs + LINK_OVERHEAD_MS);
}
/** ~5.6 ms measured (5.6-6.0). */
export const EXPECTED_RTT_FAST_MS = expectedRttMs(FAST_MS);
/** ~41 ms measured. */
export const EXPECTED_RTT_SLOW_MS = expectedRttMs(SLOW_MS);

export interface LabOptions {
  /** Port of the BMP collector on 10.77.255.1 (default 11019). */
  bmpPort?: number;
  /** Port gobgpd exports to (default: bmpPort). */
  gobgpBmpPort?: number;
  /** gobgpd route-monitoring-policy: local-rib (default), pre-policy, post-policy, both, all. */
  gobgpBmpPolicy?: string;
  /** Namespace/interface prefix, default 'st-' (<= 8 chars). */
  prefix?: string;
  /** State directory, default /tmp/smoketrace-lab.<prefix>. */
  runDir?: string;
  /** One-way delay per link on the fast (r2) and slow (r3) path. */
  fastMs?: number;
  slowMs?: number;
  /**
   * Link subnets are also originated in BGP by the router at their far end from the
   * probe (LAB_ANNOUNCE_LINKS=1), so each traceroute hop is covered by a route of the
   * answering router's AS (HOP_ASNS). Off by default: other tests count routes.
   */
  announceLinks?: boolean;
  /** Start gobgpd (Loc-RIB over BMP) as part of up. */
  gobgp?: boolean;
  /** How long to wait for another lab on this machine to finish (default 10 min). */
  lockTimeoutMs?: number;
  /** Lock file (default $SMOKETRACE_LAB_LOCK or /run/lock/smoketrace-lab.lock). */
  lockFile?: string;
  /** Receives lab.sh's progress lines (stderr). */
  log?: (line: string) => void;
}

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface ExecOptions {
  timeoutMs?: number;
  input?: string;
}

export interface PingResult {
  dst: string;
  sent: number;
  received: number;
  loss_pct: number;
  rtt_ms: number[];
  min: number | null;
  avg: number | null;
  max: number | null;
  /** ICMP errors about the probes, e.g. "seq 1: unreachable code 0 from 192.0.2.1". */
  errors: string[];
}

export interface MtrHub {
  count: number;
  host: string;
  'Loss%': number;
  Snt: number;
  Last: number;
  Avg: number;
  Best: number;
  Wrst: number;
  StDev: number;
}
export interface MtrReport {
  report: { mtr: Record<string, unknown>; hubs: MtrHub[] };
}

export interface Impairment {
  delayMs?: number;
  jitterMs?: number;
  /** Percent, applied per direction (round trip loss = 1 - (1 - p)^2). */
  lossPct?: number;
  /** Drop everything without carrier loss (BGP notices on hold-timer expiry, 9 s). */
  down?: boolean;
}

export class LabError extends Error {
  constructor(
    message: string,
    readonly result?: ExecResult,
  ) {
    super(message);
    this.name = 'LabError';
  }
}

/** Children still running (lab.sh, vtysh, probes): killed before the exit-time teardown. */
const inflight = new Set<ChildProcess>();

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, opts: ExecOptions = {}): Promise<ExecResult> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    inflight.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer =
      opts.timeoutMs !== undefined
        ? setTimeout(() => {
            stderr += `\n[lab.ts] killed after ${opts.timeoutMs} ms`;
            child.kill('SIGKILL');
          }, opts.timeoutMs)
        : undefined;
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      inflight.delete(child);
      reject(e);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      inflight.delete(child);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

// ---------------------------------------------------------------- machine-wide lock

function defaultLockFile(): string {
  if (process.env.SMOKETRACE_LAB_LOCK) return process.env.SMOKETRACE_LAB_LOCK;
  return existsSync('/run/lock') ? '/run/lock/smoketrace-lab.lock' : '/tmp/smoketrace-lab.lock';
}

/** Waits for the exclusive lock; resolves with the child process that holds it. */
async function acquireLock(file: string, timeoutMs: number): Promise<ChildProcessWithoutNullStreams> {
  const secs = Math.max(1, Math.ceil(timeoutMs / 1000));
  // flock(1) opens+locks the file, then runs the command with the lock held; `exec cat`
  // lives until our end of its stdin closes: on release, or when this process dies.
  const child = spawn('flock', ['-x', '-w', String(secs), file, 'sh', '-c', 'echo locked; exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return await new Promise<ChildProcessWithoutNullStreams>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
    });
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('locked')) {
        // holding the lock must not keep the event loop alive
        child.unref();
        for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void }).unref?.();
        resolve(child);
      }
    });
    child.on('error', (e) => reject(new LabError(`cannot run flock(1) for the lab lock ${file}: ${e.message}`)));
    child.on('exit', (code) => {
      if (!out.includes('locked')) {
        reject(
          new LabError(
            code === 1
              ? `another lab held ${file} for more than ${secs} s (one lab per machine)`
              : `flock ${file} failed (exit ${code}): ${err.trim()}`,
          ),
        );
      }
    });
  });
}

function releaseLock(holder: ChildProcess | undefined): void {
  if (!holder) return;
  holder.stdin?.destroy();
  holder.kill('SIGTERM');
}

// ---------------------------------------------------------------- cleanup on exit

const activeLabs = new Set<Lab>();
let handlersInstalled = false;

function onExit(): void {
  if (activeLabs.size === 0) return;
  // a lab.sh still building (or flapping) must not race the teardown
  for (const c of inflight) c.kill('SIGKILL');
  for (const lab of activeLabs) lab.downSync();
}
function onSignal(sig: NodeJS.Signals): void {
  onExit();
  const n = sig === 'SIGINT' ? 2 : sig === 'SIGHUP' ? 1 : 15;
  process.exit(128 + n);
}
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', onExit);
  for (const s of SIGNALS) process.on(s, onSignal);
}
function removeHandlers(): void {
  if (!handlersInstalled || activeLabs.size > 0) return;
  handlersInstalled = false;
  process.off('exit', onExit);
  for (const s of SIGNALS) process.off(s, onSignal);
}

// ---------------------------------------------------------------- the lab

export class Lab {
  readonly prefix: string;
  readonly runDir: string;
  readonly bmpPort: number;
  readonly gobgpBmpPort: number;
  readonly fastMs: number;
  readonly slowMs: number;
  /** ms the last `up` took (lock wait excluded) and the lock wait itself. */
  upMs = 0;
  lockWaitMs = 0;
  private readonly env: NodeJS.ProcessEnv;
  private readonly log?: (line: string) => void;
  private lock: ChildProcess | undefined;
  private isUp = false;

  private constructor(opts: LabOptions) {
    this.prefix = opts.prefix ?? DEFAULT_PREFIX;
    this.runDir = opts.runDir ?? `/tmp/smoketrace-lab.${this.prefix}`;
    this.bmpPort = opts.bmpPort ?? DEFAULT_BMP_PORT;
    this.gobgpBmpPort = opts.gobgpBmpPort ?? this.bmpPort;
    this.fastMs = opts.fastMs ?? FAST_MS;
    this.slowMs = opts.slowMs ?? SLOW_MS;
    this.log = opts.log;
    this.env = {
      ...process.env,
      LAB_PREFIX: this.prefix,
      LAB_RUN: this.runDir,
      LAB_BMP_PORT: String(this.bmpPort),
      LAB_GOBGP_BMP_PORT: String(this.gobgpBmpPort),
      LAB_FAST_MS: String(this.fastMs),
      LAB_SLOW_MS: String(this.slowMs),
      ...(opts.gobgpBmpPolicy ? { LAB_GOBGP_BMP_POLICY: opts.gobgpBmpPolicy } : {}),
      LAB_ANNOUNCE_LINKS: opts.announceLinks ? '1' : '0',
    };
  }

  /** Takes the machine-wide lab lock, builds the lab, waits for BGP convergence. */
  static async up(opts: LabOptions = {}): Promise<Lab> {
    if (activeLabs.size > 0) throw new LabError('a lab is already up in this process; down() it first');
    const lab = new Lab(opts);
    const t0 = Date.now();
    lab.lock = await acquireLock(opts.lockFile ?? defaultLockFile(), opts.lockTimeoutMs ?? 600_000);
    lab.lockWaitMs = Date.now() - t0;
    activeLabs.add(lab);
    installHandlers();
    const t1 = Date.now();
    try {
      await lab.sh(['up'], 180_000);
      lab.isUp = true;
      if (opts.gobgp) await lab.gobgpUp();
    } catch (e) {
      await lab.down().catch(() => {});
      throw e;
    }
    lab.upMs = Date.now() - t1;
    return lab;
  }

  /** Network namespace name of a node. */
  ns(node: LabNode): string {
    return `${this.prefix}${node}`;
  }

  /** Expected round trip probe <-> target on the fast / slow path with this lab's delays. */
  get expectedRtt(): { fast: number; slow: number } {
    return { fast: expectedRttMs(this.fastMs), slow: expectedRttMs(this.slowMs) };
  }

  /** Runs `lab.sh ARGS...`; throws LabError (with lab.sh's output) on a non-zero exit. */
  async sh(args: readonly string[], timeoutMs = 90_000): Promise<ExecResult> {
    const r = await run('bash', [LAB_SH, ...args], this.env, { timeoutMs });
    if (this.log) for (const line of r.stderr.split('\n')) if (line) this.log(line);
    if (r.code !== 0) {
      throw new LabError(`lab.sh ${args.join(' ')} failed (exit ${r.code ?? r.signal}):\n${r.stderr.trim()}\n${r.stdout.trim()}`, r);
    }
    return r;
  }

  flap(mode: FlapMode): Promise<ExecResult> {
    return this.sh(['flap', mode]);
  }
  restore(): Promise<ExecResult> {
    return this.sh(['restore']);
  }
  /** Data-plane change on one link (no BGP change). Unset fields keep their value. */
  impair(link: LinkName, imp: Impairment): Promise<ExecResult> {
    const a: string[] = ['impair', link];
    if (imp.delayMs !== undefined) a.push('delay', String(imp.delayMs));
    if (imp.jitterMs !== undefined) a.push('jitter', String(imp.jitterMs));
    if (imp.lossPct !== undefined) a.push('loss', String(imp.lossPct));
    if (imp.down !== undefined) a.push(imp.down ? 'down' : 'up');
    return this.sh(a);
  }
  /** One link, or every link, back to its default delay, no jitter, no loss. */
  resetImpair(link?: LinkName): Promise<ExecResult> {
    return this.sh(link ? ['impair', link, 'reset'] : ['impair', 'reset']);
  }
  /** r4 stops originating `prefix`; resolves once r1 has lost it. */
  withdraw(prefix: string): Promise<ExecResult> {
    return this.sh(['withdraw', prefix]);
  }
  /** r4 originates `prefix` again; resolves once r1 has it. */
  announce(prefix: string): Promise<ExecResult> {
    return this.sh(['announce', prefix]);
  }
  /** Per-flow ECMP at r1 over r2 and r3 (equal: the slow path gets the fast delays too). */
  ecmp(on: boolean, opts: { equal?: boolean } = {}): Promise<ExecResult> {
    return this.sh(on ? ['ecmp', 'on', ...(opts.equal ? ['equal'] : [])] : ['ecmp', 'off']);
  }
  /** ICMP error rate limit in one namespace: ms per error (kernel default 1000), or false = off. */
  ratelimit(node: LabNode, ms: number | false): Promise<ExecResult> {
    return this.sh(ms === false ? ['ratelimit', node, 'off'] : ['ratelimit', node, 'on', String(ms)]);
  }
  /** gobgpd (AS65006) peering with r1, exporting its Loc-RIB over BMP (peer type 3). */
  gobgpUp(): Promise<ExecResult> {
    return this.sh(['gobgp', 'up']);
  }
  gobgpDown(): Promise<ExecResult> {
    return this.sh(['gobgp', 'down']);
  }
  /** `gobgp` client against the lab's gobgpd, e.g. ['global', 'rib', '-a', 'ipv4', '-j']. */
  async gobgp(argv: readonly string[]): Promise<string> {
    return this.execOk('gobgp', ['gobgp', '-u', '127.0.0.1', '-p', '50051', ...argv]);
  }
  /** Pid of a router's running bgpd, from its pid file; undefined when there is none. */
  bgpdPid(router: Router): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.runDir, router, 'bgpd.pid'), 'utf8').trim());
      if (!Number.isInteger(pid) || pid <= 0) return undefined;
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }
  /** SIGKILLs a router's bgpd by its pid file (a crash: no NOTIFICATION, no BMP Termination). */
  killBgpd(router: Router): Promise<ExecResult> {
    return this.sh(['bgpd', router, 'kill']);
  }
  /** Starts a router's bgpd again from its config of `up` (flaps are not in it); resolves once every session is Established. */
  startBgpd(router: Router): Promise<ExecResult> {
    return this.sh(['bgpd', router, 'start']);
  }
  status(): Promise<ExecResult> {
    return this.sh(['status']);
  }

  /** vtysh on one router; each element of `cmds` is one `-c` line. Throws on failure. */
  async vtysh(router: Router, ...cmds: string[]): Promise<string> {
    const args = ['--vty_socket', join(this.runDir, router)];
    for (const c of cmds) args.push('-c', c);
    const r = await run('vtysh', args, this.env, { timeoutMs: 30_000 });
    if (r.code !== 0) throw new LabError(`vtysh ${router} ${JSON.stringify(cmds)} failed (exit ${r.code}): ${r.stderr}${r.stdout}`, r);
    return r.stdout;
  }
  /** A `... json` show command, parsed, e.g. vtyshJson(r1, 'show bgp ipv4 unicast json'). */
  async vtyshJson<T = unknown>(router: Router, cmd: string): Promise<T> {
    const c = /\bjson$/.test(cmd.trim()) ? cmd : `${cmd} json`;
    const out = await this.vtysh(router, c);
    try {
      return JSON.parse(out) as T;
    } catch {
      throw new LabError(`vtysh ${router} '${c}' did not print JSON: ${out.slice(0, 300)}`);
    }
  }

  /** Runs argv inside a node's namespace (`ip netns exec`, no shell). Never throws on exit status. */
  exec(node: LabNode, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) throw new LabError('exec: empty argv');
    return run('ip', ['netns', 'exec', this.ns(node), ...argv], this.env, { timeoutMs: opts.timeoutMs ?? 60_000, input: opts.input });
  }
  /** Like exec, but throws unless the exit status is 0; returns stdout. */
  async execOk(node: LabNode, argv: readonly string[], opts: ExecOptions = {}): Promise<string> {
    const r = await this.exec(node, argv, opts);
    if (r.code !== 0) throw new LabError(`${this.ns(node)}: ${argv.join(' ')} failed (exit ${r.code ?? r.signal}): ${r.stderr.trim()}`, r);
    return r.stdout;
  }

  /** ICMP echo from a node (pinger.py, no iputils needed). Resolves even when nothing answers. */
  async ping(node: LabNode, dst: string, o: { count?: number; intervalS?: number; timeoutS?: number } = {}): Promise<PingResult> {
    const argv = [PYTHON, PINGER, '-c', String(o.count ?? 5), '-i', String(o.intervalS ?? 0.05), '-W', String(o.timeoutS ?? 1), dst];
    const r = await this.exec(node, argv);
    if (r.code !== 0 && r.code !== 1) throw new LabError(`pinger ${dst} failed (exit ${r.code}): ${r.stderr}`, r);
    return JSON.parse(r.stdout) as PingResult;
  }

  /** `mtr --json -n` from a node (default the probe); `extra` e.g. ['--udp'] or ['--tcp', '-P', '80']. */
  async mtr(dst: string, o: { node?: LabNode; count?: number; intervalS?: number; extra?: string[] } = {}): Promise<MtrReport> {
    const argv = ['mtr', '--json', '-n', '-c', String(o.count ?? 5), '-i', String(o.intervalS ?? 0.2), '-G', '1', ...(o.extra ?? []), dst];
    return JSON.parse(await this.execOk(o.node ?? 'probe', argv)) as MtrReport;
  }

  /** Lab namespaces that exist right now. */
  namespaces(): string[] {
    const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    return r.stdout
      .split('\n')
      .map((l) => l.split(' ')[0])
      .filter((n) => n.startsWith(this.prefix));
  }

  /** Tears the lab down (works after any partial failure) and releases the lock. */
  async down(): Promise<ExecResult | undefined> {
    if (!activeLabs.has(this)) return undefined;
    try {
      return await this.sh(['down'], 120_000);
    } finally {
      this.isUp = false;
      activeLabs.delete(this);
      releaseLock(this.lock);
      this.lock = undefined;
      removeHandlers();
    }
  }

  /** Synchronous teardown for process exit handlers. */
  downSync(): void {
    if (!activeLabs.has(this)) return;
    activeLabs.delete(this);
    spawnSync('bash', [LAB_SH, 'down'], { env: this.env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000 });
    releaseLock(this.lock);
    this.lock = undefined;
    this.isUp = false;
  }

  /** True between a successful `up` and `down`. */
  get running(): boolean {
    return this.isUp;
  }
}

/** A TCP port free on 127.0.0.1 right now (for the lab's BMP collector and the like). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}
