/** The doctor's checks that talk to Confluence (src/remote/doctor.ts), with the site config of this workspace. */
import { runDoctorChecks } from '../remote/doctor.js';
import type { Context } from './context.js';
import type { Check } from './commands/doctor.js';
import { clientOptionsFrom } from './site.js';

export async function remoteChecks(ctx: Context): Promise<Check[]> {
  const report = await runDoctorChecks({ client: clientOptionsFrom(ctx.config, ctx.logger), spaces: ctx.config.spaces });
  const checks: Check[] = report.checks.map((c) => ({ ...c, warning: c.warning ?? false }));
  if (report.flavour) checks.push({ name: 'api', ok: true, detail: `${report.flavour === 'cloud' ? 'Confluence Cloud' : 'Data Center'}; median latency ${report.latencyMs === undefined ? '?' : Math.round(report.latencyMs)} ms over ${report.requests} read request(s)` });
  return checks;
}
