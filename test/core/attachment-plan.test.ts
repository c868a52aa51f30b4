import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planAttachmentPush, type AttachmentBase, type AttachmentPlanInput } from '../../src/core/attachment-plan.js';
import type { LocalState } from '../../src/core/plan.js';

const P1 = 'attachments/DOC/Guide';
const P2 = 'attachments/DOC/Guide/Setup';

function input(over: Partial<AttachmentPlanInput> & { base?: AttachmentBase[]; local?: Map<string, LocalState> }): AttachmentPlanInput {
  return {
    base: [],
    local: new Map(),
    untracked: [],
    livePages: new Set(['1', '2']),
    folderOf: new Map([
      ['1', P1],
      ['2', P2],
    ]),
    maxDelete: { percent: 50 },
    force: false,
    ...over,
  };
}

const att = (id: string, pageId: string, path: string, status: 'synced' | 'conflict' = 'synced'): AttachmentBase => ({ id, pageId, path, fileName: path.slice(path.lastIndexOf('/') + 1), status });

test('unchanged, modified, new and deleted files become nothing, update, upload and delete', () => {
  const base = [att('a1', '1', `${P1}/logo.png`), att('a2', '1', `${P1}/report.csv`), att('a3', '2', `${P2}/x.txt`), att('a4', '2', `${P2}/y.txt`), att('a5', '2', `${P2}/z.txt`)];
  const local = new Map<string, LocalState>([
    ['a1', 'unchanged'],
    ['a2', 'modified'],
    ['a4', 'unchanged'],
    ['a5', 'unchanged'],
  ]);
  const plan = planAttachmentPush(input({ base, local, untracked: [{ path: `${P2}/new.txt`, pageId: '2' }] }));
  assert.equal(plan.gate, undefined);
  assert.equal(plan.unchanged, 3);
  assert.deepEqual(plan.actions, [
    { kind: 'update', id: 'a2', pageId: '1', path: `${P1}/report.csv`, from: `${P1}/report.csv` },
    { kind: 'upload', pageId: '2', path: `${P2}/new.txt`, fileName: 'new.txt' },
    { kind: 'delete', id: 'a3', pageId: '2', path: `${P2}/x.txt` },
  ]);
});

test('a file found in its page\'s new folder is relocated, not deleted and uploaded again', () => {
  const base = [att('a1', '1', 'attachments/DOC/Old name/logo.png')];
  const plan = planAttachmentPush(input({ base, untracked: [{ path: `${P1}/logo.png`, pageId: '1' }] }));
  assert.deepEqual(plan.actions, [{ kind: 'relocate', id: 'a1', path: `${P1}/logo.png`, from: 'attachments/DOC/Old name/logo.png' }]);
});

test('deletes are gated like pages; --force and --no-delete', () => {
  const base = [att('a1', '1', `${P1}/a`), att('a2', '1', `${P1}/b`), att('a3', '1', `${P1}/c`)];
  const gated = planAttachmentPush(input({ base }));
  assert.match(gated.gate ?? '', /would delete 3 attachment\(s\), more than the limit \(50% of 3 attachment\(s\)\)/);
  assert.equal(planAttachmentPush(input({ base, force: true })).gate, undefined);
  const kept = planAttachmentPush(input({ base, noDelete: true }));
  assert.equal(kept.gate, undefined);
  assert.deepEqual(kept.actions, []);
});

test('conflicts are never pushed; a deleted page\'s records are forgotten; a folder without a page is an orphan; paths limit the plan', () => {
  const base = [att('a1', '1', `${P1}/c.png`, 'conflict'), att('a2', '9', 'attachments/DOC/Gone/g.png')];
  const local = new Map<string, LocalState>([['a1', 'modified']]);
  const untracked = [
    { path: 'attachments/DOC/Nowhere/n.txt' },
    { path: 'attachments/DOC/New page/p.txt', pageCreated: true },
  ];
  const plan = planAttachmentPush(input({ base, local, untracked }));
  assert.deepEqual(plan.actions, [
    { kind: 'forget', id: 'a2', path: 'attachments/DOC/Gone/g.png' },
    { kind: 'conflict', id: 'a1', path: `${P1}/c.png` },
    { kind: 'upload', pageId: undefined, path: 'attachments/DOC/New page/p.txt', fileName: 'p.txt' },
    { kind: 'orphan', path: 'attachments/DOC/Nowhere/n.txt' },
  ]);
  const only = planAttachmentPush(input({ base, local, untracked, paths: ['attachments/DOC/Nowhere'] }));
  assert.deepEqual(only.actions, [{ kind: 'orphan', path: 'attachments/DOC/Nowhere/n.txt' }]);
});
