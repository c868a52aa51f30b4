/**
 * The real CLI (app.ts: global options, errors, exit codes) with `csync service` registered, for as long as
 * src/cli/commands/index.ts still lists it as not built. Once the lead registers serviceCommand there, the
 * replacement finds nothing to replace and this is the plain CLI. Under `npm test` (CSYNC_TEST_CLI=dist) it runs the
 * built dist/ modules, like test/helpers/cli.ts does.
 */
import type { CommandModule } from 'yargs';

const base = process.env.CSYNC_TEST_CLI === 'dist' ? '../../dist/cli' : '../../src/cli';
const ext = process.env.CSYNC_TEST_CLI === 'dist' ? 'js' : 'ts';
const { COMMANDS } = (await import(`${base}/commands/index.${ext}`)) as { COMMANDS: CommandModule[] };
const { serviceCommand } = (await import(`${base}/commands/service.${ext}`)) as { serviceCommand: CommandModule };
const i = COMMANDS.findIndex((c) => typeof c.command === 'string' && c.command.startsWith('service '));
if (i < 0) COMMANDS.push(serviceCommand);
else if (String(COMMANDS[i]!.describe).includes('not built yet')) COMMANDS[i] = serviceCommand;
const { run } = (await import(`${base}/app.${ext}`)) as { run: (argv: string[]) => Promise<number> };
process.exitCode = await run(process.argv.slice(2));
