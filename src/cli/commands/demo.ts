import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../context.js';
import { runDemo } from '../demo.js';

export const demoCommand: CommandModule<GlobalArgs, GlobalArgs & { keep?: boolean }> = {
  command: 'demo',
  describe: 'run the whole cycle against the built-in emulator in a temporary workspace',
  builder: (y) =>
    y
      .option('keep', { type: 'boolean', describe: 'keep the temporary workspace and print its path' })
      .example('csync demo', 'show init, doctor and a sync cycle against the emulator') as never,
  handler: async (argv) => {
    process.exitCode = await runDemo({ keep: Boolean(argv.keep) });
  },
};
