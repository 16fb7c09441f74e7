// `smoketrace serve`: validates the config, starts the service, and on SIGINT/SIGTERM
// stops it (API stops accepting and drains, then the store closes) and exits 0.
import type { Command } from 'commander';
import { version } from '../version.ts';
import { CliExit, type ConfigOptions, addConfigOptions, loadConfigOrExit } from './config.ts';

/** A stop that takes longer than this is stuck: exit 1 rather than hang a service manager. */
const STOP_TIMEOUT_MS = 10_000;

export function registerServeCommand(program: Command): void {
  addConfigOptions(
    program.command('serve').description('run the service: API on api.listen, storage at storage.path'),
  ).action(async (opts: ConfigOptions) => {
    const { config, source } = loadConfigOrExit(opts);
    // Loaded here, not at the top: every other command starts without fastify and pino.
    const { createLogger } = await import('../log.ts');
    const { Service } = await import('../service.ts');
    const logger = createLogger({ level: config.log.level });

    // Listen for signals before starting, so a Ctrl-C during start still shuts down cleanly.
    let signalled: (signal: NodeJS.Signals) => void = () => {};
    const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
      signalled = resolve;
    });
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      if (++signals > 1) {
        logger.warn({ signal }, 'second signal: exiting without a clean stop');
        process.exit(1);
      }
      signalled(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    logger.info({ config: source.path, version }, 'starting smoketrace');
    const service = new Service(config, { logger, version });
    try {
      await service.start();
    } catch (e) {
      logger.fatal({ err: e }, 'start failed');
      throw new CliExit(1, [`smoketrace serve: ${(e as Error).message}`]);
    }

    const signal = await stopRequested;
    logger.info({ signal }, 'stopping');
    const watchdog = setTimeout(() => {
      logger.error(`stop took longer than ${STOP_TIMEOUT_MS / 1000} s; exiting anyway`);
      process.exit(1);
    }, STOP_TIMEOUT_MS);
    await service.stop();
    clearTimeout(watchdog);
    logger.info('stopped');
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
}
