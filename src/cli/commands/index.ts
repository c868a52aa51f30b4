import type { CommandModule } from 'yargs';
import { initCommand } from './init.js';
import { doctorCommand } from './doctor.js';
import { emulatorCommand } from './emulator.js';
import { demoCommand } from './demo.js';
import { pullCommand } from './pull.js';
import { pushCommand } from './push.js';
import { statusCommand } from './status.js';
import { syncCommand } from './sync.js';
import { resolveCommand } from './resolve.js';
import { diffCommand } from './diff.js';
import { notBuilt } from './not-built.js';

/** Every command of the product, in the order --help lists them. */
// Modules are typed per command; yargs only needs them as untyped modules here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const COMMANDS: CommandModule<any, any>[] = [
  initCommand,
  doctorCommand,
  pullCommand,
  pushCommand,
  syncCommand,
  statusCommand,
  diffCommand,
  resolveCommand,
  notBuilt('watch', 'the daemon: file watcher + remote polling + /healthz and /metrics on loopback', [
    ['csync watch', 'run the daemon in the foreground'],
    ['csync watch --debounce 500 --poll 15', 'push faster, poll more often'],
  ]),
  notBuilt('service <action>', 'systemd user unit: install, uninstall, status', [
    ['csync service install', 'write ~/.config/systemd/user/confluence-sync.service for this workspace'],
  ], (y) => y.positional('action', { choices: ['install', 'uninstall', 'status'] as const })),
  notBuilt('export', 'pages by space/label/CQL into a Markdown/HTML bundle or zip with a checksum manifest', [
    ['csync export --label runbook --out runbooks.zip', 'export pages labelled runbook'],
  ]),
  emulatorCommand,
  demoCommand,
];
