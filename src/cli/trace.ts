// `smoketrace trace TARGET`: one traceroute run here and now, printed AS-annotated the
// way an operator reads mtr, or as Trace JSON (--json). The work is in trace-run.ts,
// loaded only when the command runs.
import type { Command } from 'commander';
import { type ConfigOptions, addConfigOptions, loadConfigOrExit } from './config.ts';

export interface TraceOptions extends ConfigOptions {
  readonly backend?: string;
  readonly json?: boolean;
  readonly api?: string;
  readonly netns?: string;
}

export function registerTraceCommand(program: Command): void {
  addConfigOptions(
    program
      .command('trace')
      .description(
        'trace TARGET (an IP address or host name inside probe.allowed) with a local backend and print each hop with its origin AS, ' +
          'asked of a running service (GET /api/lookup); AS? when no API answers',
      )
      .argument('<target>', 'IP address or host name')
      .option('--backend <name>', 'mtr, scamper or traceroute (default probe.backend)')
      .option('--json', 'print the Trace JSON (as GET /api/targets/:id/traces gives it), asn filled')
      .option('--api <url>', 'the service whose RIB gives the AS per hop (default: http://api.listen of the config)')
      .option('--netns <name>', 'run the backend inside this network namespace (default probe.netns)'),
  ).action(async (target: string, opts: TraceOptions) => {
    const { config } = loadConfigOrExit(opts);
    const { runTraceCommand } = await import('./trace-run.ts');
    await runTraceCommand(target, opts, config);
  });
}
