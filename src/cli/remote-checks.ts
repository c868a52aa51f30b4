/** The doctor's checks that talk to Confluence. Filled in when the client lands (src/remote/doctor.ts). */
import type { Context } from './context.js';
import type { Check } from './commands/doctor.js';

export async function remoteChecks(_ctx: Context): Promise<Check[]> {
  return [];
}
