/**
 * ADF documents with the shapes Jira Cloud and Confluence Cloud produce (written for these tests: structure after
 * Atlassian's published ADF schema — local ids, marks on text, panels, media with collections, cards, task lists
 * nested as siblings, tables with header rows and colwidths — the words are our own).
 */

const t = (text: string, ...marks: Array<string | { type: string; attrs?: Record<string, unknown> }>) => ({
  type: 'text',
  text,
  ...(marks.length ? { marks: marks.map((m) => (typeof m === 'string' ? { type: m } : m)) } : {}),
});
const p = (...content: unknown[]) => ({ type: 'paragraph', content });
const li = (...content: unknown[]) => ({ type: 'listItem', content });
const cell = (text: string, header = false, attrs: Record<string, unknown> = {}) => ({
  type: header ? 'tableHeader' : 'tableCell',
  attrs: { colspan: 1, rowspan: 1, ...attrs },
  content: [p(t(text, ...(header ? ['strong'] : [])))],
});

/** A bug report as Jira Cloud stores a description. */
export const bugReport = {
  version: 1,
  type: 'doc',
  content: [
    { type: 'heading', attrs: { level: 2 }, content: [t('What happens')] },
    p(
      t('The nightly '),
      t('export job', 'strong'),
      t(' stops on '),
      t('replica-2', 'code'),
      t(' after '),
      t('about 40 minutes', 'em'),
      t('. Reported by '),
      { type: 'mention', attrs: { id: '5b10ac8d82e05b22cc7d4ef5', text: '@Mira Okafor', accessLevel: '' } },
      t(' on '),
      { type: 'date', attrs: { timestamp: '1709251200000' } },
      t(' '),
      { type: 'emoji', attrs: { shortName: ':disappointed:', id: '1f61e', text: '😞' } },
    ),
    { type: 'heading', attrs: { level: 3 }, content: [t('Steps')] },
    {
      type: 'orderedList',
      attrs: { order: 1 },
      content: [
        li(p(t('Open the '), t('scheduler page', { type: 'link', attrs: { href: 'https://ops.example.test/scheduler' } }))),
        li(
          p(t('Start the job by hand')),
          { type: 'bulletList', content: [li(p(t('with '), t('--full', 'code'))), li(p(t('or without it')))] },
        ),
        li(p(t('Wait'))),
      ],
    },
    {
      type: 'codeBlock',
      attrs: { language: 'shell' },
      content: [t('$ export-job --full\nerror: disk full (wrote 93 GiB of 100 GiB)\n# see the ```log``` above')],
    },
    {
      type: 'panel',
      attrs: { panelType: 'warning' },
      content: [p(t('Do not restart the replica while the job runs.'))],
    },
    p(t('Status: '), { type: 'status', attrs: { text: 'In progress', color: 'blue', localId: 'a1b2', style: '' } }),
    {
      type: 'mediaSingle',
      attrs: { layout: 'center', width: 60 },
      content: [
        { type: 'media', attrs: { id: '2f1c7e0a-4d3b-4b8e-9a55-0d6a7f3c9e11', type: 'file', collection: 'jira-10010-field-description', alt: 'disk-usage.png', width: 1200, height: 640 } },
        { type: 'caption', content: [t('Disk usage during the run')] },
      ],
    },
    { type: 'rule' },
    p(t('First line'), { type: 'hardBreak' }, t('second line '), t('struck', 'strike'), t(' and '), t('under', 'underline'), t(' H'), t('2', { type: 'subsup', attrs: { type: 'sub' } }), t('O, x'), t('2', { type: 'subsup', attrs: { type: 'sup' } }), t(' in '), t('red', { type: 'textColor', attrs: { color: '#ff5630' } })),
  ],
};

/** A Confluence-style page: layouts, expand, tasks, decisions, tables, cards, quotes, extensions. */
export const richPage = {
  type: 'doc',
  version: 1,
  content: [
    {
      type: 'layoutSection',
      content: [
        { type: 'layoutColumn', attrs: { width: 50 }, content: [p(t('Left column'))] },
        { type: 'layoutColumn', attrs: { width: 50 }, content: [p(t('Right column'))] },
      ],
    },
    {
      type: 'expand',
      attrs: { title: 'Rollback plan' },
      content: [p(t('Revert the release tag, then redeploy.')), { type: 'nestedExpand', attrs: { title: 'Details' }, content: [p(t('Nested words'))] }],
    },
    {
      type: 'taskList',
      attrs: { localId: 'tl-1' },
      content: [
        { type: 'taskItem', attrs: { localId: 'ti-1', state: 'DONE' }, content: [t('Back up the database')] },
        { type: 'taskItem', attrs: { localId: 'ti-2', state: 'TODO' }, content: [t('Announce the window')] },
        {
          type: 'taskList',
          attrs: { localId: 'tl-2' },
          content: [{ type: 'taskItem', attrs: { localId: 'ti-3', state: 'TODO' }, content: [t('in the ops channel')] }],
        },
      ],
    },
    {
      type: 'decisionList',
      attrs: { localId: 'dl-1' },
      content: [{ type: 'decisionItem', attrs: { localId: 'di-1', state: 'DECIDED' }, content: [t('We ship on Tuesday')] }],
    },
    {
      type: 'table',
      attrs: { isNumberColumnEnabled: false, layout: 'default', localId: 'tb-1' },
      content: [
        { type: 'tableRow', content: [cell('Host', true, { colwidth: [200] }), cell('Role', true), cell('Free', true)] },
        { type: 'tableRow', content: [cell('db-1'), cell('primary'), cell('41% | ok')] },
        { type: 'tableRow', content: [cell('db-2'), cell('replica'), cell('7%')] },
      ],
    },
    {
      type: 'table',
      content: [
        { type: 'tableRow', content: [cell('Step', true), cell('Notes', true)] },
        {
          type: 'tableRow',
          content: [
            cell('Drain', false, { colspan: 1 }),
            { type: 'tableCell', attrs: {}, content: [p(t('Two things:')), { type: 'bulletList', content: [li(p(t('stop writes'))), li(p(t('flush queues')))] }] },
          ],
        },
        { type: 'tableRow', content: [cell('Switch over', false, { colspan: 2 })] },
      ],
    },
    { type: 'blockquote', content: [p(t('Measure twice, cut once.')), p(t('Second quoted paragraph'))] },
    p({ type: 'inlineCard', attrs: { url: 'https://jira.example.test/browse/OPS-12' } }, t(' tracks it.')),
    { type: 'blockCard', attrs: { url: 'https://docs.example.test/runbooks/failover' } },
    { type: 'extension', attrs: { extensionType: 'com.atlassian.confluence.macro.core', extensionKey: 'toc', parameters: { macroParams: {} } } },
    { type: 'bodiedExtension', attrs: { extensionType: 'com.atlassian.confluence.macro.core', extensionKey: 'details' }, content: [p(t('Owner: platform team'))] },
    p(t('Inline macro '), { type: 'inlineExtension', attrs: { extensionType: 'com.atlassian.confluence.macro.core', extensionKey: 'anchor' } }),
    {
      type: 'mediaGroup',
      content: [
        { type: 'media', attrs: { id: 'f0e1d2c3', type: 'file', collection: 'contentId-123', alt: 'runbook.pdf' } },
        { type: 'media', attrs: { id: 'a9b8c7d6', type: 'file', collection: 'contentId-123' } },
      ],
    },
    { type: 'panel', attrs: { panelType: 'info' }, content: [p(t('Info panel'))] },
    { type: 'panel', attrs: { panelType: 'success' }, content: [p(t('Success panel'))] },
    { type: 'panel', attrs: { panelType: 'note' }, content: [p(t('Note panel'))] },
    { type: 'panel', attrs: { panelType: 'error' }, content: [p(t('Error panel')), { type: 'bulletList', content: [li(p(t('one')))] }] },
    { type: 'panel', attrs: { panelType: 'custom', panelIcon: ':rocket:', panelColor: '#abf5d1' }, content: [p(t('Custom panel'))] },
    p(
      { type: 'emoji', attrs: { shortName: ':check_mark:', id: 'atlassian-check_mark', text: ':check_mark:' } },
      t(' '),
      { type: 'emoji', attrs: { shortName: ':party_parrot:', id: 'custom-7f3a' } },
      t(' '),
      { type: 'emoji', attrs: { shortName: ':thumbsup:', id: '1f44d-1f3fb' } },
    ),
  ],
};

/** A comment with text that looks like Markdown syntax and marks that overlap. */
export const trickyText = {
  type: 'doc',
  version: 1,
  content: [
    p(t('# not a heading, *not emphasis*, [not](a link), <b>not html</b>, snake_case_name and _edge_ 1 < 2 & AT&T; &amp;')),
    p(t('1. not a list')),
    p(t('- nor this')),
    p(t('bold and ', 'strong'), t('bold italic', 'strong', 'em'), t(' bold again', 'strong'), t(' plain')),
    p(t(' spaced ', 'strong'), t('x')),
    p(t('link ', { type: 'link', attrs: { href: 'https://example.test/a b(c)' } }), t('bold link', { type: 'link', attrs: { href: 'https://example.test/a b(c)' } }, 'strong')),
    p(t('code with `ticks`', 'code'), t(' and '), t('`', 'code')),
    { type: 'heading', attrs: { level: 9 }, content: [t('Level clamped'), { type: 'hardBreak' }, t('one line #')] },
  ],
};

/** Malformed or unexpected values: every one must convert without throwing and keep its words. */
export const malformed: Array<[string, unknown]> = [
  ['null', null],
  ['number', 42],
  ['plain string', 'just some text'],
  ['array of nodes', [p(t('from an array'))]],
  ['doc without content', { type: 'doc', version: 1 }],
  ['content not an array', { type: 'doc', content: 'oops' }],
  ['content an object', { type: 'doc', content: p(t('single object content')) }],
  ['unknown block', { type: 'doc', content: [{ type: 'fancyWidget', attrs: { x: 1 }, content: [p(t('inside the widget'))] }] }],
  ['unknown inline', { type: 'doc', content: [p(t('before '), { type: 'sparkle', content: [t('sparkly words')] }, t(' after'))] }],
  ['node without type', { type: 'doc', content: [{ content: [p(t('typeless parent'))] }] }],
  ['text not a string', { type: 'doc', content: [p({ type: 'text', text: 12345 })] }],
  ['marks not an array', { type: 'doc', content: [p({ type: 'text', text: 'marked', marks: 'strong' })] }],
  ['mark without type', { type: 'doc', content: [p({ type: 'text', text: 'odd mark', marks: [{ attrs: {} }, null] })] }],
  ['attrs wrong types', { type: 'doc', content: [{ type: 'heading', attrs: 'big', content: [t('heading with bad attrs')] }, { type: 'orderedList', attrs: { order: 'many' }, content: [li(p(t('item')))] }] }],
  ['null children', { type: 'doc', content: [null, 7, p(null, t('survivor'))] }],
  ['table with junk', { type: 'doc', content: [{ type: 'table', content: [{ type: 'tableRow', content: [null, { type: 'tableCell' }, 'loose cell text'] }, p(t('para in table'))] }] }],
  ['bad date', { type: 'doc', content: [p({ type: 'date', attrs: { timestamp: 'yesterday' } })] }],
  ['huge date', { type: 'doc', content: [p({ type: 'date', attrs: { timestamp: 1e20 } })] }],
  ['leaf with content', { type: 'doc', content: [{ type: 'rule', content: [t('words in a rule')] }] }],
  ['block in paragraph', { type: 'doc', content: [p(t('outer '), { type: 'bulletList', content: [li(p(t('inner item')))] })] }],
  ['text at top level', { type: 'doc', content: [t('bare text'), { type: 'hardBreak' }, t('more bare text')] }],
  ['cell outside table', { type: 'doc', content: [{ type: 'tableCell', content: [p(t('lonely cell'))] }] }],
  ['item outside list', { type: 'doc', content: [{ type: 'listItem', content: [p(t('lonely item'))] }] }],
];
