// scamper (Debian 20211212) as a backend: ONE long-running process for every target.
//
// How it is driven, and why. scamper can read targets from `-i`, `-f FILE` (also `-f -`
// with `-O cmdfile`: commands on stdin), or take commands on a control socket (`-P port`,
// `-U path`) from a client that sends `attach`. Tried on 20211212:
// - `-O json -O cmdfile -f -` streams results as tasks finish, but a command scamper
//   does not accept vanishes without a word (no ack, no error), so a typo or a refused
//   option looks exactly like a trace that never returns.
// - `-U sock` + `attach format json` (format json is there in 20211212): every command
//   is answered `OK id-N` or `ERR reason`, in order; results arrive framed as
//   `DATA <bytes>\n<json>`; scamper says `MORE` when it wants another command, which is
//   flow control for free. This is what we use.
// Each command carries `-U <userid>` (trace's user id, echoed in the JSON "userid"), so a
// result maps back to its request even when one target is traced twice at once.
//
// The socket lives in a private 0700 directory: whoever can connect to it can make this
// host send probes anywhere. The process runs under `ip netns exec` when `netns` is set
// (a path-bound unix socket is reachable across network namespaces). `-p` is the
// packets-per-second budget scamper enforces itself; `-w` optionally caps parallel tasks.
// If scamper dies, traces in flight fail (backend-failed), queued ones wait, and it is
// restarted with backoff (1 s doubling to 60 s). With a fixed `runDir`, a scamper left
// by a crashed earlier run of this service is found by its pid file and stopped.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { Method, Trace } from '../../model/trace.ts';
import { decodeScamperTrace } from '../../codec/trace/index.ts';
import type { JsonObject } from '../../codec/trace/common.ts';
import { type Clock, systemClock } from '../clock.ts';
import { ProbeError, classifyStderr, inNetns, tail, toolEnv } from '../runner.ts';
import { type TraceBackend, type TraceRequest, DEFAULT_HOPS_GUESS, checkPort, checkRange, literal } from './types.ts';

export interface ScamperOptions {
  readonly binary?: string;
  /** Packets per second scamper may send, all tasks together (-p, 1..10000). Default 100. */
  readonly pps?: number;
  /** Tasks probing at once (-w); 0 = no limit (scamper's default). */
  readonly window?: number;
  readonly netns?: string;
  /** Directory for the control socket and pid file; default a fresh private temp dir. */
  readonly runDir?: string;
  /** trace -q: attempts per hop. Default 2. */
  readonly attempts?: number;
  /** trace -w: seconds to wait for a reply. Default 2. */
  readonly waitS?: number;
  readonly maxTtl?: number;
  /** How long a request may take from trace() to its result (queueing included). */
  readonly taskTimeoutMs?: number;
  readonly startTimeoutMs?: number;
  readonly restartMinMs?: number;
  readonly restartMaxMs?: number;
  readonly clock?: Clock;
}

type State = 'stopped' | 'starting' | 'up' | 'down';

interface Task {
  readonly userid: number;
  readonly target: string;
  readonly command: string;
  readonly resolve: (t: Trace) => void;
  readonly reject: (e: ProbeError) => void;
  timer?: unknown;
  sent: boolean;
}

const SCAMPER_METHOD: Partial<Record<Method, string>> = {
  icmp: 'icmp',
  'icmp-paris': 'icmp-paris',
  udp: 'udp',
  'udp-paris': 'udp-paris',
  tcp: 'tcp',
  'tcp-paris': 'tcp',
  'tcp-ack': 'tcp-ack',
};
const DEFAULT_PARIS_SPORT = 33000;

/** The control-socket command for one trace (no newline). */
export function scamperCommand(req: TraceRequest, userid: number, o: ScamperOptions = {}): string {
  const { text } = literal(req.target);
  const method = req.method ?? 'icmp-paris';
  const m = SCAMPER_METHOD[method];
  if (m === undefined) throw new ProbeError('unsupported', `scamper trace has no ${method} method`);
  const parts = ['trace', '-P', m, '-q', String(checkRange(o.attempts ?? 2, 1, 10, 'scamper attempts'))];
  parts.push('-w', String(Math.round(checkRange(o.waitS ?? 2, 1, 20, 'scamper wait'))), '-m', String(checkRange(o.maxTtl ?? 30, 1, 255, 'scamper max ttl')));
  const sport = checkPort(req.sport, 'source port');
  const port = checkPort(req.port, 'destination port');
  // Without -s, udp-paris picks a new source port per run and may change ECMP branch.
  if (method === 'udp-paris' || method === 'tcp-paris') parts.push('-s', String(sport ?? DEFAULT_PARIS_SPORT));
  else if (sport !== undefined && m !== 'icmp-paris' && m !== 'icmp') parts.push('-s', String(sport));
  if (port !== undefined && m !== 'icmp-paris' && m !== 'icmp') parts.push('-d', String(port));
  else if (m === 'tcp' || m === 'tcp-ack') parts.push('-d', '80');
  parts.push('-U', String(userid), text);
  return parts.join(' ');
}

export class ScamperBackend implements TraceBackend {
  readonly name = 'scamper' as const;
  private readonly clock: Clock;
  private state: State = 'stopped';
  private child?: ResultPromise;
  private sock?: Socket;
  private dir?: string;
  private stderr = '';
  private buf: Buffer = Buffer.alloc(0);
  private dataLeft = -1; // bytes still to read of a DATA block; -1 when reading lines
  private attached = false;
  private credit = 0;
  private nextUserid = 1;
  private readonly tasks = new Map<number, Task>();
  private readonly queue: Task[] = [];
  private readonly unacked: number[] = [];
  private lastError?: ProbeError;
  private restartTimer?: unknown;
  private restartDelay: number;
  /** Bumped by stop(): a launch() from an earlier epoch was abandoned. */
  private epoch = 0;
  readonly counters = { started: 0, restarts: 0, completed: 0, failed: 0, refused: 0 };

  constructor(private readonly opts: ScamperOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.restartDelay = opts.restartMinMs ?? 1_000;
  }

  estimatePackets(_req: TraceRequest, hops = DEFAULT_HOPS_GUESS): number {
    // One probe per TTL once answered (-q only matters for silence), plus a silent tail
    // of a few TTLs when the target never answers.
    return hops + 2;
  }

  /** In flight (sent to scamper) and waiting here. */
  get load(): { inFlight: number; queued: number } {
    return { inFlight: this.tasks.size - this.queue.length, queued: this.queue.length };
  }

  health(): { state: State; detail?: string } {
    return { state: this.state, ...(this.lastError ? { detail: this.lastError.message } : {}) };
  }

  /** PID of the running scamper (tests check it stays the same over many traces). */
  get pid(): number | undefined {
    return this.state === 'up' ? this.child?.pid : undefined;
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.state = 'starting';
    await this.launch();
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    this.epoch++; // a launch() still on its way gives up at its next step
    if (this.restartTimer !== undefined) this.clock.clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.failAll(new ProbeError('backend-failed', 'scamper backend stopped'), true);
    await this.teardown();
  }

  trace(req: TraceRequest): Promise<Trace> {
    if (this.state === 'stopped') return Promise.reject(new ProbeError('backend-failed', 'scamper backend is not started'));
    // A backend known to be missing or refused answers at once: the scheduler then marks it.
    if (this.state === 'down' && this.lastError && this.lastError.kind !== 'backend-failed') return Promise.reject(this.lastError);
    const userid = this.nextUserid;
    this.nextUserid = this.nextUserid >= 0xfffffffe ? 1 : this.nextUserid + 1;
    let command: string;
    try {
      command = scamperCommand(req, userid, this.opts);
    } catch (e) {
      return Promise.reject(e);
    }
    const target = literal(req.target).text;
    return new Promise<Trace>((resolve, reject) => {
      const task: Task = { userid, target, command, resolve, reject, sent: false };
      const o = this.opts;
      const timeoutMs = o.taskTimeoutMs ?? (o.maxTtl ?? 30) * (o.attempts ?? 2) * (o.waitS ?? 2) * 1000 + 30_000;
      task.timer = this.clock.setTimeout(() => this.finish(task, new ProbeError('timeout', `scamper gave no result for ${target} within ${timeoutMs} ms`)), timeoutMs);
      req.signal?.addEventListener('abort', () => this.finish(task, new ProbeError('backend-failed', `trace to ${target} was cancelled`)), { once: true });
      this.tasks.set(userid, task);
      this.queue.push(task);
      this.pump();
    });
  }

  // ------------------------------------------------------------ process and socket

  private async launch(): Promise<void> {
    // stop() (and a later start()) bump the epoch: a launch that finds it changed after
    // any await was abandoned, and cleans up only what it made itself (its own process,
    // socket and temporary folder), never a newer launch's.
    const epoch = this.epoch;
    const gone = () => this.epoch !== epoch;
    let dir: string | undefined;
    let child: ResultPromise | undefined;
    let sock: Socket | undefined;
    const abandon = async () => {
      sock?.destroy();
      if (child && this.child === child) this.child = undefined;
      if (child && child.exitCode === null && child.pid !== undefined) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child?.kill('SIGKILL'), 2_000);
        await child.catch(() => {});
        clearTimeout(killer);
      }
      if (dir && this.opts.runDir === undefined && dir !== this.dir) await rm(dir, { recursive: true, force: true }).catch(() => {});
    };
    try {
      dir = this.opts.runDir ?? (await mkdtemp(join(tmpdir(), 'smoketrace-scamper-')));
      if (gone()) return await abandon();
      this.dir = dir;
      await mkdir(dir, { recursive: true, mode: 0o700 });
      if (gone()) return await abandon();
      const path = join(dir, 'control.sock');
      const pidFile = join(dir, 'scamper.pid');
      await this.stopLeftover(pidFile, path);
      if (gone()) return await abandon();
      await rm(path, { force: true });
      if (gone()) return await abandon();
      const pps = checkRange(this.opts.pps ?? 100, 1, 10_000, 'scamper pps');
      const argv = [this.opts.binary ?? 'scamper', '-U', path, '-p', String(Math.round(pps)), '-e', pidFile];
      if (this.opts.window !== undefined) argv.push('-w', String(this.opts.window));
      const full = inNetns(argv, this.opts.netns);
      this.stderr = '';
      const proc = execa(full[0], full.slice(1), { reject: false, stdin: 'ignore', stdout: 'ignore', buffer: false, env: toolEnv(), extendEnv: false });
      child = proc;
      this.child = proc;
      proc.stderr?.on('data', (d: Buffer) => {
        this.stderr = (this.stderr + d.toString('utf8')).slice(-8192);
      });
      let exitHow: string | undefined;
      void proc.then((r) => {
        exitHow = r.code === 'ENOENT' ? 'ENOENT' : r.signal ? `signal ${r.signal}` : `status ${r.exitCode ?? '?'}`;
        this.onExit(proc, exitHow);
      });
      sock = await this.connectWhenReady(path, () => exitHow, gone);
      if (sock === undefined || gone()) return await abandon();
      this.sock = sock;
      this.counters.started++;
      sock.on('data', (d: Buffer) => this.onData(d));
      sock.on('close', () => this.onExit(proc, 'control socket closed'));
      sock.on('error', () => {}); // 'close' follows and handles it
      this.attached = false;
      this.credit = 0;
      sock.write('attach format json\n');
      this.state = 'up';
      this.lastError = undefined;
    } catch (e) {
      if (gone()) return await abandon();
      const err = e instanceof ProbeError ? e : new ProbeError('backend-failed', `scamper did not start: ${(e as Error).message}`);
      this.lastError = err;
      await this.teardown();
      if (this.state !== 'stopped') {
        this.state = 'down';
        this.failAll(err, false);
        this.scheduleRestart();
      }
      throw err;
    }
  }

  /** Connects once scamper has created its socket; gives its stderr when it exits first. */
  private async connectWhenReady(path: string, exited: () => string | undefined, gone: () => boolean): Promise<Socket | undefined> {
    const deadline = Date.now() + (this.opts.startTimeoutMs ?? 5_000);
    for (;;) {
      // Let the exit handler run first if the process already failed.
      await new Promise((r) => setTimeout(r, 25));
      if (gone()) return undefined;
      const how = exited();
      if (how !== undefined) throw this.exitError('exited while starting', how);
      try {
        return await new Promise<Socket>((resolve, reject) => {
          const s = connect(path);
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        });
      } catch {
        if (Date.now() > deadline) throw new ProbeError('backend-failed', `scamper control socket ${path} did not appear within ${this.opts.startTimeoutMs ?? 5_000} ms`, tail(this.stderr));
      }
    }
  }

  private exitError(what: string, how?: string): ProbeError {
    if (how === 'ENOENT') return new ProbeError('backend-missing', `${this.opts.netns ? '`ip` or ' : ''}${this.opts.binary ?? 'scamper'} is not installed or not on PATH`);
    const kind = classifyStderr(this.stderr) ?? 'backend-failed';
    return new ProbeError(kind, `scamper ${what}${how ? ` (${how})` : ''}: ${tail(this.stderr) || 'no message'}`, tail(this.stderr));
  }

  private onExit(child: ResultPromise, how: string): void {
    if (child !== this.child) return; // an older process, already handled
    this.child = undefined;
    if (this.state === 'stopped' || this.state === 'starting') return;
    const err = this.exitError('exited', how);
    this.lastError = err;
    this.state = 'down';
    this.sock?.destroy();
    this.sock = undefined;
    this.failAll(err, false);
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    if (this.restartTimer !== undefined || this.state === 'stopped') return;
    const delay = this.restartDelay;
    this.restartDelay = Math.min(this.opts.restartMaxMs ?? 60_000, delay * 2);
    this.restartTimer = this.clock.setTimeout(() => {
      this.restartTimer = undefined;
      if (this.state !== 'down') return;
      this.counters.restarts++;
      this.state = 'starting';
      this.launch().catch(() => {}); // launch() records the error and schedules the next try
    }, delay);
  }

  private async teardown(): Promise<void> {
    this.sock?.destroy();
    this.sock = undefined;
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.pid !== undefined) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 2_000);
      await child.catch(() => {});
      clearTimeout(killer);
    }
    if (this.dir && this.opts.runDir === undefined) await rm(this.dir, { recursive: true, force: true }).catch(() => {});
  }

  /** Stops a scamper an earlier run of this service left behind (its pid file names our socket). */
  private async stopLeftover(pidFile: string, socketPath: string): Promise<void> {
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(pid) || pid <= 1) return;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.split('\0').includes(socketPath)) return; // recycled pid: not ours
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }

  // ------------------------------------------------------------ protocol

  private pump(): void {
    if (this.state !== 'up' || !this.attached || !this.sock) return;
    while (this.credit > 0 && this.queue.length > 0) {
      const task = this.queue.shift()!;
      task.sent = true;
      this.unacked.push(task.userid);
      this.credit--;
      this.sock.write(`${task.command}\n`);
    }
  }

  private onData(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    for (;;) {
      if (this.dataLeft >= 0) {
        if (this.buf.length < this.dataLeft) return;
        const block = this.buf.subarray(0, this.dataLeft).toString('utf8');
        this.buf = this.buf.subarray(this.dataLeft);
        this.dataLeft = -1;
        this.onResult(block);
        continue;
      }
      const nl = this.buf.indexOf(0x0a);
      if (nl === -1) return;
      const line = this.buf.subarray(0, nl).toString('utf8');
      this.buf = this.buf.subarray(nl + 1);
      this.onLine(line);
    }
  }

  private onLine(line: string): void {
    if (line.startsWith('DATA ')) {
      const n = Number(line.slice(5));
      // A bad length means we lost the framing: only a fresh process recovers from that.
      if (!Number.isInteger(n) || n < 0 || n > 64 * 1024 * 1024) {
        if (this.child) this.onExit(this.child, `bad DATA length ${JSON.stringify(line.slice(0, 40))}`);
        return;
      }
      this.dataLeft = n;
    } else if (line === 'MORE') {
      this.credit++;
      this.pump();
    } else if (line === 'OK' && !this.attached) {
      this.attached = true;
      this.restartDelay = this.opts.restartMinMs ?? 1_000;
    } else if (line.startsWith('OK')) {
      this.unacked.shift();
    } else if (line.startsWith('ERR')) {
      const userid = this.unacked.shift();
      const task = userid === undefined ? undefined : this.tasks.get(userid);
      this.counters.refused++;
      if (task) this.finish(task, new ProbeError('backend-failed', `scamper refused "${task.command}": ${line.slice(3).trim()}`));
    }
  }

  private onResult(text: string): void {
    let o: JsonObject;
    try {
      o = JSON.parse(text) as JsonObject;
    } catch {
      return; // not ours to judge; the task's timeout reports the loss
    }
    if (o === null || typeof o !== 'object' || o.type !== 'trace') return; // cycle-start/stop
    const task = typeof o.userid === 'number' ? this.tasks.get(o.userid) : undefined;
    if (!task) return; // timed out or cancelled already
    try {
      const t = decodeScamperTrace(o);
      if (t.target !== task.target) throw new Error(`result for ${t.target}, asked for ${task.target}`);
      this.finish(task, t); // start and end are scamper's own clock: when the task really ran
    } catch (e) {
      this.finish(task, new ProbeError('backend-failed', `scamper result could not be read: ${(e as Error).message}`));
    }
  }

  private finish(task: Task, result: Trace | ProbeError): void {
    if (this.tasks.get(task.userid) !== task) return;
    this.tasks.delete(task.userid);
    if (task.timer !== undefined) this.clock.clearTimeout(task.timer);
    if (!task.sent) {
      const i = this.queue.indexOf(task);
      if (i !== -1) this.queue.splice(i, 1);
    }
    if (result instanceof ProbeError) {
      this.counters.failed++;
      task.reject(result);
    } else {
      this.counters.completed++;
      task.resolve(result);
    }
  }

  /** Fails tasks sent to a process that is gone (and, with `queuedToo`, those waiting). */
  private failAll(err: ProbeError, queuedToo: boolean): void {
    const fatal = queuedToo || err.kind !== 'backend-failed';
    for (const task of [...this.tasks.values()]) if (task.sent || fatal) this.finish(task, err);
    this.unacked.length = 0;
    this.buf = Buffer.alloc(0);
    this.dataLeft = -1;
  }
}
