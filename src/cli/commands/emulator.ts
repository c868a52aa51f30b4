import type { CommandModule } from 'yargs';
import { CsyncError, UsageError } from '../../core/errors.js';
import type { GlobalArgs } from '../context.js';

interface EmulatorArgs extends GlobalArgs {
  port: number;
  host: string;
  seed: string;
  rateLimit?: number;
  burst?: number;
  latency?: number;
  faults?: number;
  data?: string;
  flavour?: string;
  deprecatedV1?: string;
  jiraIssues?: number;

  notion?: string;
  notionRateLimit?: number;
}

export const emulatorCommand: CommandModule<GlobalArgs, EmulatorArgs> = {
  command: 'emulator',
  describe: 'run a local Confluence-compatible server (for trying the tool, tests and benchmarks)',
  builder: (y) =>
    y
      .option('port', { type: 'number', default: 8090, describe: 'port (0 = any free port)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on' })
      .option('seed', { type: 'string', default: 'demo', describe: 'demo | empty | <page count> (space BENCH)' })
      .option('rate-limit', { type: 'number', describe: 'requests per second before 429s (token bucket)' })
      .option('burst', { type: 'number', describe: 'token bucket size' })
      .option('latency', { type: 'number', describe: 'added latency per request, ms' })
      .option('faults', { type: 'number', describe: 'probability (0..1) of an injected fault per request' })
      .option('data', { type: 'string', describe: 'persist state to this JSON file' })
      .option('flavour', { type: 'string', choices: ['cloud', 'data-center', 'both'], default: 'both', describe: 'Cloud under /wiki, Data Center at the root (/rest/api), or both' })
      .option('deprecated-v1', { type: 'string', choices: ['live', 'gone'], default: 'live', describe: 'the v1 content endpoints Cloud deprecated: served, or 410 Gone' })
      .option('jira-issues', { type: 'number', describe: 'generated Jira issues in project BENCH (besides the demo project DEMO)' })

      .option('notion', { type: 'string', describe: 'also serve the Notion API under /notion/v1: demo | <pages>x<blocksPerPage> (e.g. 300x20)' })
      .option('notion-rate-limit', { type: 'number', describe: 'Notion requests per second before 429 rate_limited (default 3, burst 10; 0 = none)' })
      .example('csync emulator --notion demo', 'Confluence plus a demo Notion workspace at http://127.0.0.1:8090/notion')
      .example('csync emulator --port 8090 --seed demo', 'serve the demo space on http://127.0.0.1:8090')
      .example('csync emulator --seed 10000 --rate-limit 10', 'a 10,000-page space behind a 10 req/s limit')
      .example('csync emulator --flavour data-center', 'Data Center only: http://127.0.0.1:8090/rest/api, PAT demo-pat') as never,
  handler: async (argv) => {
    const { runEmulatorCommand, parseSeed, parseModes, parseJiraIssues } = await import('../../emulator/command.js');
    try {
      parseSeed(argv.seed);
      parseModes(argv);
      if (argv.jiraIssues !== undefined) parseJiraIssues(argv.jiraIssues);

      if (argv.notion !== undefined) (await import('../../emulator/notion/seed.js')).parseNotionSeed(argv.notion === '' ? 'demo' : argv.notion);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    try {
      process.exitCode = await runEmulatorCommand(argv);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') {
        throw new CsyncError('CSYNC_CONFIG', `port ${argv.port} on ${argv.host} is already in use`, { hint: 'stop the process that holds it, or pass another --port (0 picks a free one)' });
      }
      if (code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        throw new CsyncError('CSYNC_CONFIG', `cannot listen on ${argv.host}:${argv.port} (${code})`, { hint: 'ports below 1024 need privileges; pass --port 8090, or --host 127.0.0.1' });
      }
      throw err;
    }
  },
};
