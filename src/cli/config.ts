// `smoketrace config check [FILE]`, and the --config/--set options and loading every
// command shares. A bad config is reported one line per problem and ends the command
// with status 2 before anything starts.
import type { Command } from 'commander';
import { type LoadResult, loadConfig } from '../config/load.ts';
import type { Config } from '../config/schema.ts';

/** Ends a command with a status and lines for stderr; src/cli.ts prints them and sets the status. */
export class CliExit extends Error {
  override readonly name = 'CliExit';
  constructor(
    readonly status: number,
    readonly lines: readonly string[] = [],
  ) {
    super(lines.join('\n'));
  }
}

export interface ConfigOptions {
  readonly config?: string;
  readonly set?: string[];
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Adds --config FILE and repeatable --set KEY=VALUE to a command. */
export function addConfigOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'config file (default: ./config.toml if present, else config.example.toml)')
    .option('--set <key=value>', 'override a config key, e.g. --set api.listen=127.0.0.1:9090 (repeatable)', collect);
}

export type LoadedConfig = Extract<LoadResult, { ok: true }>;

/** Loads and validates, or throws CliExit(2) listing every problem. */
export function loadConfigOrExit(opts: ConfigOptions, file: string | undefined = opts.config): LoadedConfig {
  const r = loadConfig({ file, sets: opts.set });
  if (r.ok) return r;
  const n = r.problems.length;
  return fail(r.problems, `smoketrace: ${r.source.path}: ${n} problem${n === 1 ? '' : 's'} in the config; nothing was started`);
}

function fail(lines: readonly string[], summary: string): never {
  throw new CliExit(2, [...lines, summary]);
}

function summary(config: Config): string[] {
  const on = (b: boolean) => (b ? 'on' : 'off');
  return [
    `api: ${config.api.listen.text}, writes ${config.api.token ? 'need the bearer token' : 'disabled (no api.token)'}`,
    `storage: ${config.storage.path}, kept ${config.storage.retention / 86_400_000} days`,
    `bmp: ${config.bmp.listen.text}; ris: ${on(config.ris.enabled)}; targets: ${config.targets.length}`,
    `email: ${on(config.email.smtp !== undefined)}; webhook: ${on(config.webhook.url !== undefined)}`,
  ];
}

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('check the configuration');
  addConfigOptions(
    config
      .command('check')
      .description('validate a config file with its --set overrides; status 2 and one line per problem if it is bad')
      .argument('[file]', 'the config file (overrides --config)'),
  ).action((file: string | undefined, opts: ConfigOptions) => {
    const { config: c, source } = loadConfigOrExit(opts, file ?? opts.config);
    process.stdout.write(`config OK: ${source.path}\n${summary(c).map((l) => `  ${l}\n`).join('')}`);
  });
}
