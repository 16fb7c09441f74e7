// Registers `smoketrace replay` (src/cli/replay.ts does the work, loaded lazily).
import type { Command } from 'commander';
import { CliExit } from './config.ts';

export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description('send MRT files to a BMP collector as one BMP session (Initiation, Peer Up per MRT peer, Route Monitoring, End-of-RIB, Termination)')
    .argument('<file...>', 'MRT files: RIB dumps and/or BGP4MP update files, plain, .gz or .bz2')
    .requiredOption('--bmp <host:port>', 'the collector, e.g. 127.0.0.1:11019')
    .option('--speed <n>', 'replay BGP4MP updates at N times their recorded pace; 0 or max: as fast as possible', 'max')
    .option('--keep-open', 'after sending everything, hold the session open until SIGINT/SIGTERM (then Termination)', false)
    .option('--local-as <asn>', "the monitored router's AS in the synthesized OPENs when the files do not say (RIB dumps)", '64511')
    .action(async (files: string[], opts: { bmp: string; speed: string; keepOpen: boolean; localAs: string }) => {
      const { parseHostPort, parseSpeed, replay } = await import('./replay.ts');
      const target = parseHostPort(opts.bmp);
      if (!target) throw new CliExit(2, [`smoketrace replay: --bmp: expected HOST:PORT like 127.0.0.1:11019 or [::1]:11019, got ${JSON.stringify(opts.bmp)}`]);
      const speed = parseSpeed(opts.speed);
      if (speed === undefined) throw new CliExit(2, [`smoketrace replay: --speed: expected a number >= 0 or "max", got ${JSON.stringify(opts.speed)}`]);
      const localAs = /^\d{1,10}$/.test(opts.localAs) ? Number(opts.localAs) : Number.NaN;
      if (!(localAs >= 1 && localAs <= 4_294_967_295)) throw new CliExit(2, [`smoketrace replay: --local-as: expected an AS number 1-4294967295, got ${JSON.stringify(opts.localAs)}`]);
      const ac = new AbortController();
      const onSignal = () => ac.abort();
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        process.exitCode = await replay(files, { ...target, speed, keepOpen: opts.keepOpen, localAs }, { out: process.stdout, err: process.stderr, signal: ac.signal });
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
