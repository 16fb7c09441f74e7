// The `smoketrace` command (bin/smoketrace.js runs this file through tsx).
// Exit status: 0 ok, 1 runtime failure, 2 usage or config error.
import { Command, CommanderError } from 'commander';
import { CliExit, registerConfigCommands } from './cli/config.ts';
import { registerDbCommands } from './cli/db.ts';
import { registerMrtCommands } from './cli/mrt.ts';
import { registerReplayCommand } from './cli/replay-command.ts';
import { registerServeCommand } from './cli/serve.ts';
import { registerTargetsCommands } from './cli/targets.ts';
import { registerTraceCommand } from './cli/trace.ts';
import { version } from './version.ts';

const program = new Command('smoketrace')
  .description('Joins BGP (BMP, RIS Live, MRT) with traceroutes and tells the NOC when a routing change made a path worse.')
  .version(version)
  // Throw instead of exiting, so usage errors can be given status 2 below. Set before
  // any subcommand is added: subcommands inherit it when created.
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)');

registerServeCommand(program);
registerConfigCommands(program);
registerDbCommands(program);
registerMrtCommands(program);
registerReplayCommand(program);
registerTraceCommand(program);
registerTargetsCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // Commander has printed the message (or the help/version asked for).
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (e instanceof CliExit) {
    for (const line of e.lines) process.stderr.write(`${line}\n`);
    process.exitCode = e.status;
  } else {
    process.stderr.write(`smoketrace: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  }
}
