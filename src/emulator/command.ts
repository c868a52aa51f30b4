/** `csync emulator`: runs the emulator in the foreground until SIGINT/SIGTERM. */
import { startEmulator } from './index.js';

export interface EmulatorCommandArgs {
  port: number;
  host: string;
  seed: string;
  rateLimit?: number | undefined;
  burst?: number | undefined;
  latency?: number | undefined;
  faults?: number | undefined;
  data?: string | undefined;
}

export function parseSeed(seed: string): 'demo' | 'empty' | number {
  if (seed === 'demo' || seed === 'empty') return seed;
  const n = Number(seed);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new Error(`--seed must be demo, empty or a page count 1..100000, got ${JSON.stringify(seed)}`);
  return n;
}

export async function runEmulatorCommand(argv: EmulatorCommandArgs): Promise<number> {
  const emu = await startEmulator({
    port: argv.port,
    host: argv.host,
    seed: parseSeed(argv.seed),
    ...(argv.rateLimit ? { rateLimit: { rps: argv.rateLimit, ...(argv.burst ? { burst: argv.burst } : {}) } } : {}),
    ...(argv.latency ? { latencyMs: argv.latency } : {}),
    ...(argv.faults ? { faultProbability: argv.faults } : {}),
    ...(argv.data ? { dataFile: argv.data } : {}),
  });
  const spaces = [...emu.store.spaces.values()].map((s) => `${s.key} (${emu.store.spacePageIds.get(s.id)?.length ?? 0} pages)`);
  process.stdout.write(
    [
      `Confluence emulator listening on ${emu.url}`,
      `  APIs:       ${emu.url}/api/v2  and ${emu.url}/rest/api`,
      `  spaces:     ${spaces.join(', ') || 'none'}`,
      `  e-mail:     ${emu.credentials.email}`,
      `  API token:  ${emu.credentials.token}   (Data Center PAT: ${emu.credentials.pat})`,
      `  admin:      ${emu.origin}/__emulator/requests`,
      '',
      'Use it from a workspace:',
      `  export CONFLUENCE_URL=${emu.url} CONFLUENCE_EMAIL=${emu.credentials.email} CONFLUENCE_API_TOKEN=${emu.credentials.token}`,
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
