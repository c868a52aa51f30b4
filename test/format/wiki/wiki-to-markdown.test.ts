/**
 * Wiki markup → Markdown on bodies with the shapes Jira Data Center produces: golden text, the Markdown read back by
 * the export's parser, odd and broken input, and a property: any string converts without throwing and keeps its words.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Blockquote, List, Root, Table } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { wikiToMarkdown } from '../../../src/format/wiki/to-markdown.js';
import { alertOf } from '../../../src/export/alerts.js';
import { announce, checkSeed, suiteSeeds } from '../../helpers/seeds.js';
import { changeRequest, incident, odd } from './fixtures.js';

const parse = (md: string) => unified().use(remarkParse).use(remarkGfm).parse(md) as Root;
const plain = (node: unknown): string => {
  const n = node as { value?: string; children?: unknown[] };
  return (n.value ?? '') + (n.children ?? []).map(plain).join('');
};

test('an incident description: headings, marks, mention, nested lists, table, code, noformat, quotes, panel, colour, image, breaks, escapes', () => {
  assert.equal(
    wikiToMarkdown(incident),
    [
      '## Summary',
      '',
      'The nightly **backup job** fails on *db-replica-2* since the upgrade to 14.3. See [the runbook](https://wiki.example.test/display/OPS/Backups) and ask @jdoe.',
      '',
      '### Steps to reproduce',
      '',
      '1. Log in to the bastion host',
      '2. Run `systemctl start backup@nightly`',
      '   1. check the journal with `journalctl -u backup@nightly`',
      '   2. look for lines with **ERROR**',
      '3. Compare with the previous run',
      '',
      '- the disk is 93% full',
      '  - /var/lib/pgsql holds 1.2 TB',
      '- snapshots older than 7 days are not pruned',
      '',
      '| Host | Role | Free space |',
      '| --- | --- | --- |',
      '| db-replica-1 | replica | 41% |',
      '| db-replica-2 | replica | **7%** |',
      '',
      '```bash',
      '# prune old snapshots',
      'for f in /backups/*-snap; do',
      '  echo "removing $f" # keep *last* one',
      'done',
      '```',
      '',
      '```',
      '2024-03-01 02:00:13 ERROR backup: cannot write - no space left on device',
      '```',
      '',
      '> We saw this last year as well. ~~Fixed~~ by hand.',
      '',
      '> Owner: platform team',
      '',
      '> [!IMPORTANT] Workaround',
      '> Delete the files under \\~/tmp and \\~/cache, then rerun.',
      '',
      'Do not delete the WAL directory!',
      '',
      'The ticket OPS-1234 and DEV-5678 are related. Logs: ![backup-log.png](backup-log.png)\\',
      'Line one\\',
      'Line two\\',
      'Escaped \\*not bold\\* and a price of 5 \\* 3 \\* 2.',
      '',
    ].join('\n'),
  );
  const tree = parse(wikiToMarkdown(incident));
  assert.deepEqual(
    tree.children.map((c) => c.type),
    ['heading', 'paragraph', 'heading', 'list', 'list', 'table', 'code', 'code', 'blockquote', 'blockquote', 'blockquote', 'paragraph', 'paragraph'],
  );
  assert.equal((tree.children[6] as { value: string }).value.split('\n')[0], '# prune old snapshots', 'code is verbatim');
  const alert = alertOf(tree.children[10] as Blockquote);
  assert.deepEqual([alert?.kind, alert?.title, plain(alert?.children[0])], ['important', 'Workaround', 'Delete the files under ~/tmp and ~/cache, then rerun.']);
  const last = tree.children[12] as { children: Array<{ type: string; url?: string; value?: string }> };
  assert.equal(last.children[0]!.value, 'The ticket OPS-1234 and DEV-5678 are related. Logs: ');
  assert.deepEqual([last.children[1]!.type, last.children[1]!.url], ['image', 'backup-log.png']);
  assert.equal(last.children.filter((c) => c.type === 'break').length, 3);
});

test('a change request: info/warning alerts, mixed nested lists, table with links, images and pipes in cells, titled code, lists in quotes, emoticons, sup/sub, addresses', () => {
  assert.equal(
    wikiToMarkdown(changeRequest),
    [
      '# Change: move the queue to the new cluster',
      '',
      '> [!NOTE] Window',
      '> Saturday 02:00-04:00 UTC',
      '',
      '1.',
      '   - prepare the new brokers',
      '   - copy the topics',
      '     1. first the small ones',
      '     2. then `orders`',
      '2. switch the clients',
      '',
      '- a dash item',
      '- another one',
      '',
      '| Step | Owner | Link |',
      '| --- | --- | --- |',
      '| Drain | @mira | [ticket](https://jira.example.test/browse/OPS-7) |',
      '| Switch | ops | ![diagram.png](diagram.png) |',
      '| Verify | `curl -s host\\|grep ok` | [checklist.pdf](checklist.pdf) |',
      '',
      '*values.yaml*',
      '',
      '```yaml',
      'brokers: 3',
      'replicas: *all*',
      '```',
      '',
      '> [!CAUTION]',
      '> Clients that cache the address must be restarted.',
      '',
      '> Things to check:',
      '>',
      '> - lag is zero',
      '> - no errors',
      '',
      '---',
      '',
      'Done ✅ pending ❌ careful ⚠️ <u>underlined</u> and x<sup>2</sup> and H<sub>2</sub>O *cited* 🙂\\',
      'Bare address <https://status.example.test/queues>, mail [ops@example.test](mailto:ops@example.test) and [#Summary](#Summary) and Page Title and OPS:Runbook.\\',
      '{toc}',
      '',
    ].join('\n'),
  );
  const tree = parse(wikiToMarkdown(changeRequest));
  const ordered = tree.children.find((c): c is List => c.type === 'list' && c.ordered === true)!;
  assert.equal(ordered.children.length, 2);
  const table = tree.children.find((c): c is Table => c.type === 'table')!;
  assert.deepEqual(
    table.children.map((r) => r.children.map(plain)),
    [
      ['Step', 'Owner', 'Link'],
      ['Drain', '@mira', 'ticket'],
      ['Switch', 'ops', ''],
      ['Verify', 'curl -s host|grep ok', 'checklist.pdf'],
    ],
  );
});

test('odd and broken input converts to readable Markdown', () => {
  for (const [name, input, want] of odd) assert.equal(wikiToMarkdown(input), want, name);
  assert.equal(wikiToMarkdown(undefined as unknown as string), '');
  assert.equal(wikiToMarkdown('!img.png!', { attachmentTarget: (n) => `attachments/${n}` }), '![img.png](attachments/img.png)\n');
});

test('quotes nested deeper than any real document still convert', () => {
  const text = '{quote}\n'.repeat(500) + 'deep words\n' + '{quote}\n'.repeat(500);
  assert.match(wikiToMarkdown(text), /deep words/);
});

const seeds = suiteSeeds('CSYNC_WIKI', 20261203, 300, 150);
announce('wiki-to-markdown.property', seeds);
const piece = fc.oneof(
  fc.stringMatching(/^[a-z0-9]{1,6}$/),
  fc.constantFrom(' ', '\n', '\n\n', '*', '_', '-', '+', '^', '~', '??', '{{', '}}', '[', ']', '|', '||', '!', '\\', '\\\\', '#', '# ', '* ', 'h2. ', 'bq. ', '----', '{code}', '{code:js}', '{noformat}', '{quote}', '{panel:title=t}', '{panel}', '{color:red}', '{color}', '(/)', ':)', 'http://x.test/a', '[~u]', '[a|http://b.test]', '!a.png|thumbnail!'),
);
test(`random wiki markup: never throws, every word is kept (${seeds.map((s) => `${s.cases} cases of ${s.kind} seed ${s.seed}`).join(' + ')})`, async () => {
  for (const s of seeds) {
    await checkSeed(
      'CSYNC_WIKI',
      'wiki-to-markdown',
      s,
      fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
        const input = parts.join('');
        const md = wikiToMarkdown(input);
        assert.equal(typeof md, 'string');
        // Words of the input, without the words of markup itself (macro names, link targets stay in the output too).
        const flat = md.toLowerCase().replace(/[^a-z0-9]+/g, ' ');
        for (const w of parts.filter((p) => /^[a-z0-9]+$/.test(p))) assert.ok(flat.includes(w), `word ${JSON.stringify(w)} missing from:\n${md}\ninput:\n${input}`);
      }),
    );
  }
});

test('a long line of unmatched formatting characters converts in linear time', () => {
  // Each `*` opens a run that never closes: a search from each of them to the end of the line took 46 s for this.
  const line = '*a '.repeat(20_000) + '-b '.repeat(20_000) + '^c '.repeat(20_000);
  const started = Date.now();
  const md = wikiToMarkdown(line);
  assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
  assert.equal(md.split('\\*a').length - 1, 20_000);
});
