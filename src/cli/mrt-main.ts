// Stand-alone entry for the mrt commands (`node --import tsx src/cli/mrt-main.ts mrt dump FILE`),
// used by tests and the benchmark while src/cli.ts is not there; src/cli.ts registers the
// same commands through registerMrtCommands.
import { Command } from 'commander';
import { registerMrtCommands } from './mrt.ts';

const program = new Command('smoketrace');
registerMrtCommands(program);
await program.parseAsync(process.argv);
