// Registers `smoketrace mrt import` (src/cli/mrt-import.ts does the work, loaded lazily so
// the other commands start without the store and the RIB).
import type { Command } from 'commander';
import { version } from '../version.ts';
import { type ConfigOptions, addConfigOptions, loadConfigOrExit } from './config.ts';

export function registerMrtImportCommand(mrt: Command): void {
  addConfigOptions(
    mrt
      .command('import')
      .description(
        'load MRT RIB dumps and update files (in order) into a RIB and the store at storage.path: route changes of monitored prefixes, churn counts; prints a summary',
      )
      .argument('<file...>', 'MRT files: plain, .gz or .bz2')
      .option('--router <name>', 'the router name the routes are filed under', 'mrt'),
  ).action(async (files: string[], opts: ConfigOptions & { router: string }) => {
    const { config } = loadConfigOrExit(opts);
    const { createLogger } = await import('../log.ts');
    const { mrtImport } = await import('./mrt-import.ts');
    const logger = createLogger({ level: config.log.level === 'info' ? 'warn' : config.log.level, destination: process.stderr });
    const { status } = await mrtImport(files, config, { router: opts.router, version, logger }, { out: process.stdout, err: process.stderr });
    process.exitCode = status;
  });
}
