/** `csync diff [paths..]`: unified diff of the Confluence version (converted to the local format) against the local file. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandModule } from 'yargs';
import { ConfigError } from '../../core/errors.js';
import { composeFile } from '../../format/front-matter.js';
import { loadFormat } from '../../format/index.js';
import { inside, statOrUndefined } from '../../local/files.js';
import { openStateStore } from '../../state/index.js';
import { createContext, type GlobalArgs } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { clientFor } from '../site.js';

export interface DiffArgs extends GlobalArgs {
  paths?: string[];
  space?: string[];
}

export const diffCommand: CommandModule<GlobalArgs, DiffArgs> = {
  command: 'diff [paths..]',
  describe: 'unified diff of local files against their pages (default: every locally modified file)',
  builder: (y) =>
    y
      .positional('paths', { type: 'string', array: true, describe: 'files or folders (default: the modified files)' })
      .option('space', { type: 'string', array: true, describe: 'space key (repeatable)' })
      .example('csync diff content/DOC/Guide.md', 'diff one page') as never,
  handler: async (argv) => {
    const ctx = await createContext(argv, { requireSite: true });
    const spaces = argv.space?.length ? argv.space : [...ctx.config.spaces];
    if (spaces.length === 0) throw new ConfigError('no space configured', { hint: 'pass --space KEY' });
    const ws = ctx.config.workspace;
    const dbPath = join(ws, 'cache', 'state.db');
    if (!(await statOrUndefined(dbPath))) throw new ConfigError('nothing has been pulled into this workspace yet', { hint: 'run csync pull first' });
    const { localChanges, inPaths } = await import('../../engine/push.js');
    const { unifiedDiff } = await import('../../engine/merge.js');
    const { SpaceLinks } = await import('../../engine/resolver.js');
    const state = openStateStore(dbPath, { readonly: true });
    const client = clientFor(ctx.config, ctx.logger);
    const diffs: Array<{ path: string; diff: string }> = [];
    try {
      for (const key of spaces) {
        const format = await loadFormat(ctx.config.format);
        const pages = state.pageMetasOfSpace(key);
        const links = new SpaceLinks(key);
        for (const b of pages) links.add(b.title, b.path);
        const targets = argv.paths?.length ? pages.filter((b) => inPaths(b.path, argv.paths)) : (await localChanges(ws, state, key, format)).modified;
        for (const b of targets) {
          const local = await readFile(inside(ws, b.path), 'utf8').catch(() => '');
          const remote = await client.getPage(b.id, { body: true, labels: true });
          const remoteText = remote ? composeFile({ id: remote.id, title: remote.title, labels: remote.labels ?? [] }, format.toLocal(remote.body ?? '', { spaceKey: key, title: remote.title, resolver: links.resolverFor(b.path) }).text) : '';
          const d = unifiedDiff(remoteText, local, `confluence/${b.path}${remote ? ` (version ${remote.version.number})` : ' (deleted)'}`, b.path);
          if (d) diffs.push({ path: b.path, diff: d });
        }
      }
    } finally {
      state.close();
      await client.close();
    }
    ctx.out.result(() => diffs.map((d) => d.diff).join('') || 'No differences.', { ok: true, diffs });
    process.exitCode = EXIT.OK;
  },
};
