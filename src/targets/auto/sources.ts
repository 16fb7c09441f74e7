// Reading what the sources need from outside: a traffic export from a file or from a
// command's output, and the hitlist file. The command runs through a CommandRunner that
// service.ts passes in (the probe runner: argument array, no shell, a timeout and a
// bounded output), so targets/ does not reach into probe/.
import { open, readFile } from 'node:fs/promises';
import { type Hitlist, parseHitlist } from './hitlist.ts';
import { type ParsedTraffic, type TrafficFormat, type TrafficMetric, type TrafficSide, parseTraffic } from './traffic-format.ts';

/** Runs argv (no shell); rejects on a timeout, a failure to start or output past maxOutputBytes. */
export type CommandRunner = (argv: readonly string[], opts: { timeoutMs: number; maxOutputBytes: number }) => Promise<{ stdout: string }>;

/** The most a traffic export may be, from a file or a command (a top-N list is far smaller). */
export const TRAFFIC_MAX_BYTES = 64 * 1024 * 1024;

export interface TrafficSourceConfig {
  readonly file?: string;
  readonly command?: readonly string[];
  readonly format: TrafficFormat;
  readonly side: TrafficSide;
  readonly metric: TrafficMetric;
  readonly timeoutMs: number;
}

/** Reads and parses the traffic export; throws InputFormatError (file and line) or the read/run error. */
export async function readTraffic(c: TrafficSourceConfig, run: CommandRunner): Promise<ParsedTraffic | undefined> {
  let text: string;
  let name: string;
  if (c.file !== undefined) {
    name = c.file;
    text = await readCapped(c.file, TRAFFIC_MAX_BYTES);
  } else if (c.command !== undefined && c.command.length > 0) {
    name = `output of ${c.command[0]}`;
    text = (await run(c.command, { timeoutMs: c.timeoutMs, maxOutputBytes: TRAFFIC_MAX_BYTES })).stdout;
  } else return undefined;
  return parseTraffic(text, { name, format: c.format, side: c.side, metric: c.metric });
}

/**
 * A file's text, refused (with its size) when larger than `max` bytes. At most the size
 * seen at open is read, so a file that grows meanwhile cannot take more memory.
 */
async function readCapped(path: string, max: number): Promise<string> {
  const f = await open(path, 'r');
  try {
    const { size } = await f.stat();
    if (size > max) throw new Error(`${path} is ${size} bytes, more than the ${max / 1024 / 1024} MiB a traffic export may be`);
    const buf = Buffer.alloc(size);
    let got = 0;
    while (got < size) {
      const { bytesRead } = await f.read(buf, got, size - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got).toString('utf8');
  } finally {
    await f.close();
  }
}

export async function readHitlist(path: string): Promise<Hitlist> {
  return parseHitlist(await readFile(path, 'utf8'), path);
}
