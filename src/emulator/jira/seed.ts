/**
 * Jira seeds. `demo`: project DEMO with 42 issues — three epics with stories and sub-tasks, bugs, tasks; every
 * status, priority and type; labels (runbook, ops, backend, docs, …), components, fix versions, links, comments
 * (one issue with more than a page of them), attachments. Issues labelled `runbook` match the demo space's runbook
 * pages, which carry Jira macros pointing at them. `bench`: project BENCH with N generated issues (deterministic).
 */
import { crc32, deflateSync } from 'node:zlib';
import { ME, OTHER_USER } from '../store.js';
import type { Block, JiraStore } from './store.js';

const THIRD_USER = '7c3d0a1f22e3c5b8d9f0a123';
const DAY = 86_400_000;
const HOUR = 3_600_000;
const START = Date.UTC(2026, 9, 1, 9, 0);

/** A small RGB PNG (two colour bands), made here so the seed (and the export tests) carry no binary. */
export function stripePng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) row.set(y < height / 2 ? [0, 101, 255] : [255, 171, 0], 1 + x * 3);
    rows.push(row);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

const STATUSES = ['To Do', 'In Progress', 'In Review', 'Done'];
const PRIORITIES = ['Highest', 'High', 'Medium', 'Low', 'Lowest'];

export function addJiraUsers(jira: JiraStore): void {
  jira.addUser({ accountId: ME, name: 'demo', displayName: 'Demo User', email: 'demo@example.com' });
  jira.addUser({ accountId: OTHER_USER, name: 'alex', displayName: 'Alex Other', email: 'alex@example.com' });
  jira.addUser({ accountId: THIRD_USER, name: 'sam', displayName: 'Sam Third', email: 'sam@example.com' });
}

interface Spec {
  summary: string;
  type: 'Epic' | 'Story' | 'Task' | 'Bug' | 'Sub-task';
  parent?: number;
  labels?: string[];
  components?: string[];
  fix?: string[];
  description?: Block[];
  comments?: string[];
}

const EPICS: Spec[] = [
  { summary: 'Two-way sync engine', type: 'Epic', labels: ['backend'], description: [{ p: 'Everything the *sync engine* needs: planner, executor, conflict handling.' }] },
  { summary: 'Operations and on-call', type: 'Epic', labels: ['ops', 'runbook'], description: [{ p: 'Runbooks, alerts and the on-call rotation.' }] },
  { summary: 'Documentation', type: 'Epic', labels: ['docs'], description: [{ p: 'User and admin documentation.' }] },
];

const REST: Spec[] = [
  { summary: 'Restart the sync daemon after a failed upgrade', type: 'Task', parent: 2, labels: ['runbook', 'ops'], components: ['daemon'], fix: ['1.2.0'], description: [{ h: 'Steps' }, { ol: ['Stop the unit: `systemctl --user stop csync`', 'Check the logs for the failed step', 'Start the unit again'] }, { panel: 'Never delete the state database to "fix" a failed start.', kind: 'warning' }], comments: ['Tried this on staging, works.', 'Added the log check step.'] },
  { summary: 'Rotate the API token before it expires', type: 'Task', parent: 2, labels: ['runbook', 'security'], components: ['auth'], description: [{ p: 'Tokens expire after a year. Rotate them *before* that day.' }, { code: 'csync doctor --json | jq .credentials', lang: 'bash' }], comments: ['Calendar reminder set for the team.'] },
  { summary: 'Rate limit alerts fire during the nightly export', type: 'Bug', parent: 2, labels: ['runbook', 'ops'], components: ['export'], description: [{ p: 'The nightly export hits 429 answers around 02:00.' }, { quote: 'Retry-After was 30 seconds each time.' }], comments: ['Seen again last night.', 'The shared budget in Redis should fix this.', 'Fixed by the per-source limiter; closing.'] },
  { summary: 'Planner handles renames as one action', type: 'Story', parent: 1, labels: ['backend'], components: ['engine'], fix: ['1.1.0'], description: [{ p: 'A renamed page must be a rename, not a delete plus a create.' }] },
  { summary: 'Executor records each action atomically', type: 'Story', parent: 1, labels: ['backend'], components: ['engine'], fix: ['1.1.0'], description: [{ p: 'One action, one transaction.' }, { ul: ['write the file', 'advance the base', 'commit'] }] },
  { summary: 'Conflict copies keep both versions', type: 'Story', parent: 1, labels: ['backend'], components: ['engine'], description: [{ p: 'Never lose the losing side of a conflict.' }] },
  { summary: 'Write the installation guide', type: 'Story', parent: 3, labels: ['docs'], components: ['docs'], fix: ['1.0.0'], description: [{ p: 'Cover Linux and macOS.' }] },
  { summary: 'Document the exit codes', type: 'Task', parent: 3, labels: ['docs'], components: ['docs'], description: [{ p: 'Every exit code with an example.' }] },
  { summary: 'Push fails on pages over 5 MB', type: 'Bug', labels: ['backend'], components: ['engine'], description: [{ p: 'Confluence refuses bodies over 5 MB; we should skip them with a clear message.' }] },
  { summary: 'Watcher misses events on network drives', type: 'Bug', labels: ['backend'], components: ['daemon'], description: [{ p: 'The rescan catches them eventually.' }] },
];

function filler(n: number): Spec {
  const types: Spec['type'][] = ['Task', 'Story', 'Bug', 'Sub-task'];
  const type = types[n % types.length]!;
  return {
    summary: `${['Tidy', 'Speed up', 'Test', 'Explain', 'Measure'][n % 5]} ${['the planner', 'attachments', 'the export', 'the emulator', 'labels', 'the daemon'][n % 6]} (${n})`,
    type,
    ...(type === 'Sub-task' ? { parent: 7 } : n % 3 === 0 ? { parent: 1 } : {}),
    labels: n % 4 === 0 ? ['backend', 'tech-debt'] : n % 4 === 1 ? ['docs'] : [],
    components: n % 2 ? ['engine'] : [],
    ...(n % 5 === 2 ? {} : { description: [{ p: `Details for item ${n}.` }, ...(n % 3 === 0 ? [{ ul: ['first', 'second'] } as Block] : [])] }),
    comments: n % 4 === 3 ? ['Looking into it.'] : [],
  };
}

export function seedJiraDemo(jira: JiraStore): void {
  addJiraUsers(jira);
  jira.addProject('DEMO', 'Demo project', ME);
  const users = [ME, OTHER_USER, THIRD_USER];
  const specs = [...EPICS, ...REST];
  for (let n = specs.length; n < 42; n++) specs.push(filler(n + 1));
  specs.forEach((s, idx) => {
    const n = idx + 1;
    const created = START + n * 7 * HOUR;
    const issue = jira.addIssue({
      project: 'DEMO',
      summary: s.summary,
      status: STATUSES[n % STATUSES.length]!,
      type: s.type,
      priority: n % 7 === 6 ? undefined : PRIORITIES[n % PRIORITIES.length],
      assignee: n % 5 === 4 ? undefined : users[n % users.length],
      reporter: users[(n + 1) % users.length]!,
      created,
      updated: created + (n % 9) * DAY,
      labels: [...(s.labels ?? [])],
      components: [...(s.components ?? [])],
      fixVersions: [...(s.fix ?? [])],
      parent: s.parent ? `DEMO-${s.parent}` : undefined,
      description: s.description,
    });
    (s.comments ?? []).forEach((text, c) => jira.addComment(issue.key, users[(n + c) % users.length]!, [{ p: text }], issue.updated + (c + 1) * HOUR));
  });
  // One issue with more comments than Jira embeds in an issue (20): the rest come from the comment endpoint.
  for (let c = 0; c < 45; c++) jira.addComment('DEMO-6', users[c % users.length]!, [{ p: `Incident log entry ${c + 1}: checked the limiter, ${c % 2 ? 'no' : 'one'} 429 seen.` }], START + 40 * DAY + c * HOUR);
  jira.link('Blocks', 'DEMO-4', 'DEMO-6');
  jira.link('Relates', 'DEMO-5', 'DEMO-6');
  jira.link('Duplicate', 'DEMO-13', 'DEMO-12');
  jira.link('Relates', 'DEMO-7', 'DEMO-8');
  // Attachments (added before the issues' last update, so their `updated` stays as seeded): a log, an image the
  // description shows, a CSV only listed.
  const issue4 = jira.issues.get('DEMO-4')!;
  issue4.attachments.push({ id: jira.id(), filename: 'upgrade.log', mimeType: 'text/plain', data: Buffer.from('upgrade step 3 failed: state.db locked\n'), created: issue4.created + HOUR, author: ME });
  const issue6 = jira.issues.get('DEMO-6')!;
  issue6.attachments.push({ id: jira.id(), filename: 'rate-limits.png', mimeType: 'image/png', data: stripePng(24, 12), created: issue6.created + HOUR, author: OTHER_USER });
  issue6.attachments.push({ id: jira.id(), filename: '429 answers (night of 2026-11-02).csv', mimeType: 'text/csv', data: Buffer.from('time,status,retry_after\n02:00:14,429,30\n02:00:51,429,30\n'), created: issue6.created + 2 * HOUR, author: OTHER_USER });
  issue6.description = [...(issue6.description ?? []), { p: 'The limiter graph of that night:' }, { image: 'rate-limits.png' }];
}

/** N generated issues in project BENCH: every 10th has 25 comments (more than the embedded 20), the rest 0–3. */
export function seedJiraBench(jira: JiraStore, count: number): void {
  if (jira.users.size === 0) addJiraUsers(jira);
  jira.addProject('BENCH', 'Benchmark project', ME);
  const users = [ME, OTHER_USER, THIRD_USER];
  const para = (n: number, k: number) => `Paragraph ${k} of issue ${n}: the export reads this text, converts it and writes it into every format of the bundle.`;
  for (let n = 1; n <= count; n++) {
    const created = START + n * 60_000;
    const issue = jira.addIssue({
      project: 'BENCH',
      summary: `Benchmark issue ${n}`,
      status: STATUSES[n % STATUSES.length]!,
      type: n % 50 === 1 ? 'Epic' : n % 3 ? 'Task' : 'Bug',
      priority: PRIORITIES[n % PRIORITIES.length],
      assignee: users[n % users.length],
      reporter: users[(n + 1) % users.length]!,
      created,
      updated: created,
      labels: n % 2 ? ['bench'] : ['bench', 'even'],
      components: [],
      fixVersions: [],
      parent: n % 50 === 1 ? undefined : `BENCH-${Math.floor((n - 1) / 50) * 50 + 1}`,
      description: [{ h: 'Context' }, { p: para(n, 1) }, { p: para(n, 2) }, { ul: ['one', 'two', 'three'] }, { code: `echo ${n}`, lang: 'bash' }],
    });
    const comments = n % 10 === 0 ? 25 : n % 4;
    for (let c = 0; c < comments; c++) jira.addComment(issue.key, users[c % users.length]!, [{ p: `Comment ${c + 1} on issue ${n}.` }], created + (c + 1) * 1000);
  }
}
