// TOML file + environment + --set overrides -> a validated Config, or every problem
// as one line each. Reads files only; starts nothing.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot } from '../paths.ts';
import { TomlError, parse as parseToml } from 'smol-toml';
import { nodeAt } from './fields.ts';
import { type Config, finish, type RawConfig, schema } from './schema.ts';
import { type Problem, formatProblem, isTable, validate } from './validate.ts';

export const TOKEN_ENV = 'SMOKETRACE_API_TOKEN';

/** The example shipped beside package.json: the fallback that makes `npm start` work. */
export const packagedExample = join(packageRoot, 'config.example.toml');

export interface ResolvedPath {
  readonly path: string;
  readonly how: 'given' | 'config.toml' | 'example';
}

/** --config FILE if given; else config.toml in cwd; else config.example.toml (cwd, then packaged). */
export function resolveConfigPath(explicit: string | undefined, cwd: string): ResolvedPath {
  if (explicit !== undefined) return { path: resolve(cwd, explicit), how: 'given' };
  const local = resolve(cwd, 'config.toml');
  if (existsSync(local)) return { path: local, how: 'config.toml' };
  const example = resolve(cwd, 'config.example.toml');
  return { path: existsSync(example) ? example : packagedExample, how: 'example' };
}

export interface LoadOptions {
  readonly file?: string;
  /** Repeated --set KEY=VALUE, in order (later wins). */
  readonly sets?: readonly string[];
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
}

export type LoadResult =
  | { readonly ok: true; readonly config: Config; readonly source: ResolvedPath }
  | { readonly ok: false; readonly problems: readonly string[]; readonly source: ResolvedPath };

export function loadConfig(opts: LoadOptions = {}): LoadResult {
  const source = resolveConfigPath(opts.file, opts.cwd ?? process.cwd());
  let text: string;
  try {
    text = readFileSync(source.path, 'utf8');
  } catch (e) {
    return { ok: false, source, problems: [`${source.path}: cannot read the config file (${(e as Error).message})`] };
  }
  let raw: Record<string, unknown>;
  try {
    raw = parseToml(text);
  } catch (e) {
    const where = e instanceof TomlError ? `${source.path}:${e.line}:${e.column}` : source.path;
    const why = (e as Error).message.split('\n')[0].replace(/^Invalid TOML document: /, '');
    return { ok: false, source, problems: [`${where}: invalid TOML: ${why}`] };
  }
  return fromRaw(raw, opts, source);
}

/** Validates already-parsed TOML data with the same environment and --set rules as a file. */
export function fromRaw(raw: Record<string, unknown>, opts: LoadOptions, source: ResolvedPath): LoadResult {
  const lines: string[] = [];
  // Which keys did not come from the file, so their problems say where they came from.
  const origins = new Map<string, string>();

  const envToken = (opts.env ?? process.env)[TOKEN_ENV];
  if (envToken !== undefined && envToken !== '') {
    setPath(raw, ['api', 'token'], envToken);
    origins.set('api.token', `from ${TOKEN_ENV}`);
  }
  for (const assignment of opts.sets ?? []) {
    const r = applySet(raw, assignment);
    if (typeof r === 'string') lines.push(r);
    else origins.set(r.key, 'from --set');
  }

  const problems: Problem[] = [];
  const value = validate(schema, raw, problems);
  // Rules spanning keys need every key typed, so they run once each key is valid.
  const finished = problems.length === 0 ? finish(value as RawConfig) : undefined;
  if (finished) problems.push(...finished.problems);
  lines.push(...problems.map((p) => formatProblem({ ...p, path: annotate(p.path, origins) })));
  if (lines.length > 0 || !finished) return { ok: false, source, problems: lines };
  return { ok: true, source, config: finished.config };
}

function annotate(path: string, origins: ReadonlyMap<string, string>): string {
  for (const [key, origin] of origins) {
    if (path === key || path.startsWith(`${key}.`) || path.startsWith(`${key}[`)) return `${path} (${origin})`;
  }
  return path;
}

/**
 * Applies one "KEY=VALUE". The value is read as a TOML value when it parses as one
 * (10, true, ["a", "b"]), else as a string (127.0.0.1:9090). Where the key's type
 * refuses the TOML reading but takes the plain string (a token of digits), the string
 * wins; a list key takes one bare item. Returns the key, or an error line.
 */
export function applySet(raw: Record<string, unknown>, assignment: string): { key: string } | string {
  const eq = assignment.indexOf('=');
  const key = eq === -1 ? '' : assignment.slice(0, eq).trim();
  const segments = key.split('.');
  if (eq === -1 || !segments.every((s) => /^[A-Za-z0-9_-]+$/.test(s))) {
    return `--set ${JSON.stringify(assignment)}: expected KEY=VALUE with a dotted key like api.listen=127.0.0.1:9090, got ${JSON.stringify(assignment)}`;
  }
  const text = assignment.slice(eq + 1);
  let value: unknown = text;
  try {
    value = parseToml(`v = ${text}`).v;
  } catch {
    // Not a TOML value: keep it as the string it is.
  }
  // A key below a single value (api.listen.port) would turn the value into a table.
  for (let i = 1; i < segments.length; i++) {
    if (nodeAt(schema, segments.slice(0, i))?.kind === 'leaf') {
      return `${key} (from --set): expected ${segments.slice(0, i).join('.')} to be a table, got a value`;
    }
  }
  const node = nodeAt(schema, segments);
  if (node?.kind === 'leaf' && value !== text && !node.type.parse(value).ok && node.type.parse(text).ok) value = text;
  if (node?.kind === 'leaf' && node.type.isList && !Array.isArray(value)) value = [value];
  const clash = setPath(raw, segments, value);
  if (clash) return `${key} (from --set): expected ${clash} to be a table, got a value`;
  return { key };
}

/** Sets raw[a][b]... = value, making tables on the way; returns the path that is not a table, if any. */
function setPath(raw: Record<string, unknown>, segments: readonly string[], value: unknown): string | undefined {
  let table = raw;
  for (let i = 0; i < segments.length - 1; i++) {
    const next = table[segments[i]];
    if (next === undefined) table[segments[i]] = {};
    else if (!isTable(next)) return segments.slice(0, i + 1).join('.');
    table = table[segments[i]] as Record<string, unknown>;
  }
  table[segments[segments.length - 1]] = value;
  return undefined;
}
