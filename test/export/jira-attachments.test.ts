/** Pure parts of Jira attachments and linked issues in the export: bundle names, embeddable paths, missing keys. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attachmentsByIssueDir, findAttachment, isBundleAttachment, issueAttachmentsOf, jiraAttachmentFiles } from '../../src/export/jira-attachments.js';
import { missingKeysOf } from '../../src/export/jira.js';

const att = (id: string, filename: string) => ({ id, filename, size: 1, mimeType: undefined, url: undefined });

test('jiraAttachmentFiles: safe names under jira/KEY/attachments; a name taken (ignoring case) gets the id in front', () => {
  const files = jiraAttachmentFiles({ key: 'OPS-7', attachments: [att('1', 'image.png'), att('2', 'Image.PNG'), att('3', '../../x/..\\y.txt'), att('4', '...'), att('5', 'CON')] });
  assert.deepEqual([...files.values()], ['jira/OPS-7/attachments/image.png', 'jira/OPS-7/attachments/2-Image.PNG', 'jira/OPS-7/attachments/_.._x_.._y.txt', 'jira/OPS-7/attachments/_untitled', 'jira/OPS-7/attachments/_CON']);
  for (const rel of files.values()) assert.ok(isBundleAttachment(rel), rel);
});

test('isBundleAttachment: page and issue attachment folders only', () => {
  assert.ok(isBundleAttachment('attachments/123/logo.png'));
  assert.ok(isBundleAttachment('jira/DEMO-6/attachments/rate-limits.png'));
  for (const no of ['markdown/jira/DEMO-6.md', 'jira/DEMO-6/other/x.png', 'jira/DEMO-6/attachments/sub/x.png', 'html/index.html']) assert.ok(!isBundleAttachment(no), no);
});

test('findAttachment: by file name, then ignoring case, then by id', () => {
  const list = [att('10', 'Graph.png'), att('11', 'graph.PNG'), att('12', 'log.txt')];
  assert.equal(findAttachment(list, 'graph.PNG')?.id, '11');
  assert.equal(findAttachment(list, 'LOG.TXT')?.id, '12');
  assert.equal(findAttachment(list, '10')?.id, '10');
  assert.equal(findAttachment(list, 'missing.png'), undefined);
});

test('manifest grouping: files by issue attachment folder', () => {
  const files = [{ path: 'jira/A-1/attachments/x' }, { path: 'jira/A-1/attachments/y' }, { path: 'attachments/9/z' }, { path: 'markdown/jira/A-1.md' }];
  const byDir = attachmentsByIssueDir(files);
  assert.deepEqual(issueAttachmentsOf(byDir, 'A-1'), { attachments: [{ path: 'jira/A-1/attachments/x' }, { path: 'jira/A-1/attachments/y' }] });
  assert.deepEqual(issueAttachmentsOf(byDir, 'A-2'), {});
});

test('missingKeysOf: the asked keys a refusal names, once each', () => {
  const msg = "An issue with key 'MISSING-9' does not exist for field 'key'.";
  assert.deepEqual(missingKeysOf(msg, ['DEMO-1', 'MISSING-9']), ['MISSING-9']);
  assert.deepEqual(missingKeysOf(`${msg} ${msg}`, ['MISSING-9']), ['MISSING-9']);
  assert.deepEqual(missingKeysOf("An issue with key 'OTHER-1' does not exist for field 'key'.", ['DEMO-1']), [], 'a key not asked for is not dropped');
  assert.deepEqual(missingKeysOf('Error in the JQL Query', ['DEMO-1']), []);
  assert.deepEqual(missingKeysOf(undefined, ['DEMO-1']), []);
});
