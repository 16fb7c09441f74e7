// Reading what the sources need from outside: a traffic export from a file or from a
// command's output (argument array, no shell; the probe runner's spawn with a timeout
// and a bounded output), and the hitlist file.
import { readFile } from 'node:fs/promises';
import { run } from '../../probe/runner.ts';
import { type Hitlist, parseHitlist } from './hitlist.ts';
import { type ParsedTraffic, type TrafficFormat, type TrafficMetric, type TrafficSide, parseTraffic } from './traffic-format.ts';

export interface TrafficSourceConfig {
  readonly file?: string;
  readonly command?: readonly string[];
  readonly format: TrafficFormat;
  readonly side: TrafficSide;
  readonly metric: TrafficMetric;
  readonly timeoutMs: number;
}

/** Reads and parses the traffic export; throws InputFormatError (file and line) or the read/run error. */
export async function readTraffic(c: TrafficSourceConfig): Promise<ParsedTraffic | undefined> {
  let text: string;
  let name: string;
  if (c.file !== undefined) {
    name = c.file;
    text = await readFile(c.file, 'utf8');
  } else if (c.command !== undefined && c.command.length > 0) {
    name = `output of ${c.command[0]}`;
    text = (await run(c.command, { timeoutMs: c.timeoutMs, maxOutputBytes: 64 * 1024 * 1024 })).stdout;
  } else return undefined;
  return parseTraffic(text, { name, format: c.format, side: c.side, metric: c.metric });
}

export async function readHitlist(path: string): Promise<Hitlist> {
  return parseHitlist(await readFile(path, 'utf8'), path);
}
