import type { Argv, CommandModule } from 'yargs';
import { NotImplementedError } from '../../core/errors.js';

/** A registered command whose engine is not built yet: it says so and exits 9, never pretends. */
export function notBuilt(
  command: string,
  describe: string,
  examples: Array<[string, string]>,
  builder?: (y: Argv) => Argv,
): CommandModule {
  return {
    command,
    describe: `${describe} (not built yet)`,
    builder: (y: Argv) => {
      let b = builder ? builder(y) : y;
      for (const [ex, text] of examples) b = b.example(ex, text);
      return b;
    },
    handler: () => {
      throw new NotImplementedError(command.split(' ')[0]!);
    },
  };
}
