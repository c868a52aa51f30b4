/** `csync emulator`: runs the emulator in the foreground until SIGINT/SIGTERM. */
import { startEmulator } from './index.js';
import { parseNotionSeed } from './notion/seed.js';

export interface EmulatorCommandArgs {
  port: number;
  host: string;
  seed: string;
  rateLimit?: number | undefined;
  burst?: number | undefined;
  latency?: number | undefined;
  faults?: number | undefined;
  data?: string | undefined;
  flavour?: string | undefined;
  deprecatedV1?: string | undefined;
  jiraIssues?: number | undefined;

  notion?: string | undefined;
  notionRateLimit?: number | undefined;
}

export const FLAVOURS = ['cloud', 'data-center', 'both'] as const;
export const DEPRECATED_V1 = ['live', 'gone'] as const;

/** Checks --flavour and --deprecated-v1 (a usage error names the accepted values). */
export function parseModes(argv: { flavour?: string | undefined; deprecatedV1?: string | undefined }): { flavour: (typeof FLAVOURS)[number]; deprecatedV1: (typeof DEPRECATED_V1)[number] } {
  const flavour = argv.flavour ?? 'both';
  const deprecatedV1 = argv.deprecatedV1 ?? 'live';
  if (!(FLAVOURS as readonly string[]).includes(flavour)) throw new Error(`--flavour must be cloud, data-center or both, got ${JSON.stringify(flavour)}`);
  if (!(DEPRECATED_V1 as readonly string[]).includes(deprecatedV1)) throw new Error(`--deprecated-v1 must be live or gone, got ${JSON.stringify(deprecatedV1)}`);
  return { flavour: flavour as (typeof FLAVOURS)[number], deprecatedV1: deprecatedV1 as (typeof DEPRECATED_V1)[number] };
}

export function parseSeed(seed: string): 'demo' | 'empty' | number {
  if (seed === 'demo' || seed === 'empty') return seed;
  const n = Number(seed);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new Error(`--seed must be demo, empty or a page count 1..100000, got ${JSON.stringify(seed)}`);
  return n;
}

export function parseJiraIssues(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new Error(`--jira-issues must be an issue count 1..100000, got ${JSON.stringify(n)}`);
  return n;
}

export async function runEmulatorCommand(argv: EmulatorCommandArgs): Promise<number> {
  const emu = await startEmulator({
    port: argv.port,
    host: argv.host,
    seed: parseSeed(argv.seed),
    ...parseModes(argv),
    ...(argv.rateLimit ? { rateLimit: { rps: argv.rateLimit, ...(argv.burst ? { burst: argv.burst } : {}) } } : {}),
    ...(argv.latency ? { latencyMs: argv.latency } : {}),
    ...(argv.faults ? { faultProbability: argv.faults } : {}),
    ...(argv.data ? { dataFile: argv.data } : {}),
    ...(argv.jiraIssues ? { jiraIssues: parseJiraIssues(argv.jiraIssues) } : {}),

    ...(argv.notion !== undefined
      ? { notion: { seed: parseNotionSeed(argv.notion === '' ? 'demo' : argv.notion), ...(argv.notionRateLimit !== undefined ? { rateLimit: argv.notionRateLimit > 0 ? { rps: argv.notionRateLimit } : (false as const) } : {}) } }
      : {}),
  });
  const spaces = [...emu.store.spaces.values()].map((s) => `${s.key} (${emu.store.spacePageIds.get(s.id)?.length ?? 0} pages)`);
  const cloud = emu.flavour !== 'data-center';
  const dc = emu.flavour !== 'cloud';
  process.stdout.write(
    [
      `Confluence emulator listening on ${emu.url}   (${emu.flavour === 'both' ? 'Cloud and Data Center' : cloud ? 'Cloud' : 'Data Center'})`,
      ...(cloud ? [`  Cloud:       ${emu.origin}/wiki   (APIs /wiki/api/v2 and /wiki/rest/api; e-mail ${emu.credentials.email}, API token ${emu.credentials.token})`] : []),
      ...(dc ? [`  Data Center: ${emu.origin}        (API /rest/api; personal access token ${emu.credentials.pat} as Bearer)`] : []),
      `  spaces:      ${spaces.join(', ') || 'none'}`,
      `  Jira:        ${emu.origin}   (${[cloud ? 'REST v3 /rest/api/3' : '', dc ? 'REST v2 /rest/api/2' : ''].filter(Boolean).join(', ')}; projects ${[...emu.jira.projects.values()].map((p) => `${p.key} (${[...emu.jira.issues.values()].filter((i) => i.project === p.key).length} issues)`).join(', ') || 'none'}; export JIRA_URL=${emu.origin})`,

      ...(emu.notion ? [`  Notion:      ${emu.notion.url}   (API /notion/v1, Notion-Version required; integration token ${emu.notion.token}; ${emu.notion.store.pages.size} pages)`] : []),
      `  admin:       ${emu.origin}/__emulator/requests`,
      '',
      'Use it from a workspace:',
      ...(cloud ? [`  csync init --url ${emu.origin}/wiki --email ${emu.credentials.email} --space DEMO --token-stdin   (token: ${emu.credentials.token})`] : []),
      ...(dc ? [`  csync init --url ${emu.origin} --pat --space DEMO --token-stdin   (token: ${emu.credentials.pat})`] : []),
      ...(emu.notion ? [`  NOTION_TOKEN=${emu.notion.token} NOTION_API_URL=${emu.notion.url} csync import notion --all --space DEMO`] : []),
      '',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await emu.close();
  process.stdout.write('emulator stopped\n');
  return 0;
}
