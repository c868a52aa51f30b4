/** The workspace's folders and files (README "Workspace layout"). */
import { join } from 'node:path';

export const WORKSPACE_DIRS = ['config', 'content', 'attachments', 'cache', 'logs'] as const;

export function workspacePaths(workspace: string) {
  return {
    root: workspace,
    config: join(workspace, 'config'),
    configFile: join(workspace, 'config', 'csync.json'),
    dotenv: join(workspace, '.env'),
    content: join(workspace, 'content'),
    attachments: join(workspace, 'attachments'),
    cache: join(workspace, 'cache'),
    stateDb: join(workspace, 'cache', 'state.db'),
    trash: join(workspace, 'cache', 'trash'),
    logs: join(workspace, 'logs'),
  };
}
