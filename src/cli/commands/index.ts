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
import { watchCommand } from './watch.js';
import { serviceCommand } from './service.js';
import { exportCommand } from './export.js';

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
  watchCommand,
  serviceCommand,
  exportCommand,
  emulatorCommand,
  demoCommand,
];
