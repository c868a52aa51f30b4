/**
 * `csync service install|uninstall|status`: the systemd user unit that runs `csync watch` for this workspace.
 * Writes only ~/.config/systemd/user/confluence-sync.service (XDG_CONFIG_HOME honoured) and never calls systemctl
 * to change anything: it prints the commands, so nothing starts behind the user's back. `status` asks
 * `systemctl --user is-active` when it can.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CommandModule } from 'yargs';
import { CsyncError } from '../../core/errors.js';
import { workspacePaths } from '../../config/workspace.js';
import { renderUnit } from '../../daemon/unit.js';
import { cliCommand, ENABLE_COMMAND, installUnit, serviceStatus, STOP_COMMAND, uninstallUnit, userUnitDir } from '../../daemon/service-files.js';
import { outputFor, type GlobalArgs } from '../context.js';

interface ServiceArgs extends GlobalArgs {
  action: 'install' | 'uninstall' | 'status';
  force?: boolean;
  print?: boolean;
  strictSandbox?: boolean;
}

function workspaceOf(argv: ServiceArgs): string {
  return resolve(argv.workspace ?? process.env.CSYNC_WORKSPACE ?? process.cwd());
}

export const serviceCommand: CommandModule<GlobalArgs, ServiceArgs> = {
  command: 'service <action>',
  describe: 'systemd user unit for `csync watch`: install, uninstall, status',
  builder: (y) =>
    y
      .positional('action', { choices: ['install', 'uninstall', 'status'] as const, describe: 'what to do' })
      .option('force', { type: 'boolean', describe: 'install: replace a different unit; uninstall: remove a unit made for another workspace' })
      .option('print', { type: 'boolean', describe: 'install: print the unit instead of writing it' })
      .option('strict-sandbox', { type: 'boolean', describe: 'install: add mount-namespace hardening (needs unprivileged user namespaces)' })
      .example('csync service install', 'write ~/.config/systemd/user/confluence-sync.service for this workspace')
      .example('csync service install --print', 'show the unit without writing it')
      .example('csync service status --json', 'installed? for which workspace? active?')
      .example('csync service uninstall', 'remove the unit (prints the stop command)') as never,
  handler: async (argv) => {
    const out = outputFor(argv);
    const workspace = workspaceOf(argv);
    const dir = userUnitDir();
    if (argv.action === 'status') {
      const s = serviceStatus({ dir, workspace });
      out.result(
        () =>
          s.installed
            ? [
                `${s.unitFile}: installed${s.ours ? ` for ${s.workspace}` : ' (not written by csync)'}${s.ours && !s.thisWorkspace ? ' — not this workspace' : ''}`,
                `  enabled: ${s.enabled ? 'yes' : 'no'}    active: ${s.active ?? 'unknown (no systemctl --user here)'}`,
                ...(s.enabled ? [] : [`  to start it: ${ENABLE_COMMAND}`]),
              ].join('\n')
            : `not installed (${s.unitFile})\n  to install: csync service install -w ${workspace}`,
        { ok: true, action: 'status', ...s },
      );
      return;
    }
    if (argv.action === 'uninstall') {
      const r = uninstallUnit({ dir, workspace, force: Boolean(argv.force) });
      out.result(
        () =>
          r.removed
            ? [`Removed ${r.unitFile}${r.enableLinkRemoved ? ' and its enable link' : ''}.`, `Stop the running daemon: ${STOP_COMMAND}`].join('\n')
            : `Nothing to remove: ${r.unitFile} does not exist.`,
        { ok: true, action: 'uninstall', ...r, commands: r.removed ? [STOP_COMMAND] : [] },
      );
      return;
    }
    if (!existsSync(workspacePaths(workspace).configFile)) {
      throw new CsyncError('CSYNC_WORKSPACE', `${workspace} is not a csync workspace (no config/csync.json)`, {
        hint: 'run `csync init` there first, or pass --workspace',
      });
    }
    const text = renderUnit({ ...cliCommand(), workspace, sandbox: argv.strictSandbox ? 'strict' : 'basic' });
    if (argv.print) {
      out.result(text, { ok: true, action: 'print', workspace, unit: text });
      return;
    }
    const r = await installUnit({ dir, text, workspace, force: Boolean(argv.force) });
    out.result(
      () =>
        [
          r.changed ? `Wrote ${r.unitFile} for ${workspace}${r.replaced ? ` (replaced the unit for ${r.replaced})` : ''}.` : `${r.unitFile} is already installed for ${workspace} (unchanged).`,
          'Enable and start it:',
          `  ${ENABLE_COMMAND}`,
          'Keep it running after you log out:  loginctl enable-linger "$USER"',
          `Logs: journalctl --user -u confluence-sync -f    Health: curl -s http://127.0.0.1:9464/healthz (the address is watch.listen)`,
        ].join('\n'),
      { ok: true, action: 'install', ...r, commands: [ENABLE_COMMAND] },
    );
  },
};
