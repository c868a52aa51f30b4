/**
 * Seeds. `demo`: space DEMO, ~30 pages three levels deep using every construct of CONFLUENCE-NOTES.md (macros,
 * links, images and attachments, tasks, emoticons, layouts, tables, labels). `<N>`: space BENCH with N pages of
 * realistic size (median ~5 KB), generated deterministically; bodies are made on first read so 100,000 pages
 * seed in well under a second. Three `Cloud …` pages are saved the way Confluence Cloud's editor saves them (local ids,
 * macro ids, table widths, images with sizes and captions, rich tables, code blocks with parameters).
 */
import { OTHER_USER, type Store } from './store.js';
import { stripePng } from './jira/seed.js';

// A real, decodable image (the 1-pixel PNG this replaced had a bad checksum: exports rightly refused it).
const LOGO_PNG = stripePng(48, 16);

const CONSTRUCTS: Record<string, string> = {
  'Code samples': `<p>Code blocks keep their language and title.</p><ac:structured-macro ac:name="code"><ac:parameter ac:name="language">typescript</ac:parameter><ac:parameter ac:name="title">hello.ts</ac:parameter><ac:parameter ac:name="linenumbers">true</ac:parameter><ac:plain-text-body><![CDATA[export function hello(name: string): string {
  return \`Hello, \${name} <3\`;
}]]></ac:plain-text-body></ac:structured-macro><ac:structured-macro ac:name="code"><ac:parameter ac:name="language">xml</ac:parameter><ac:plain-text-body><![CDATA[<a href="x">&amp;</a>]]></ac:plain-text-body></ac:structured-macro>`,
  Admonitions: `<ac:structured-macro ac:name="info"><ac:parameter ac:name="title">Good to know</ac:parameter><ac:rich-text-body><p>Info panels carry a <strong>title</strong>.</p></ac:rich-text-body></ac:structured-macro><ac:structured-macro ac:name="note"><ac:rich-text-body><p>A note without a title.</p></ac:rich-text-body></ac:structured-macro><ac:structured-macro ac:name="warning"><ac:parameter ac:name="title">Careful</ac:parameter><ac:rich-text-body><p>Warnings stand out.</p></ac:rich-text-body></ac:structured-macro><ac:structured-macro ac:name="tip"><ac:rich-text-body><p>Tips help.</p></ac:rich-text-body></ac:structured-macro><ac:structured-macro ac:name="panel"><ac:parameter ac:name="bgColor">#deebff</ac:parameter><ac:parameter ac:name="title">A panel</ac:parameter><ac:rich-text-body><p>Panels have colours.</p></ac:rich-text-body></ac:structured-macro>`,
  'Expand and status': `<ac:structured-macro ac:name="expand"><ac:parameter ac:name="title">Click to see more</ac:parameter><ac:rich-text-body><p>Hidden until expanded.</p></ac:rich-text-body></ac:structured-macro><p>Build: <ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">Green</ac:parameter><ac:parameter ac:name="title">PASSING</ac:parameter></ac:structured-macro> Review: <ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">Yellow</ac:parameter><ac:parameter ac:name="title">IN PROGRESS</ac:parameter></ac:structured-macro></p>`,
  'Table of contents': `<ac:structured-macro ac:name="toc"><ac:parameter ac:name="maxLevel">3</ac:parameter></ac:structured-macro><h2>First section</h2><p>Text.</p><h3>A subsection</h3><p>More text.</p><h2>Second section</h2><p>End.</p>`,
  'Jira issues': `<p>Tracked in <ac:structured-macro ac:name="jira"><ac:parameter ac:name="server">System JIRA</ac:parameter><ac:parameter ac:name="serverId">a1b2c3d4-0000-1111-2222-333344445555</ac:parameter><ac:parameter ac:name="key">DEMO-42</ac:parameter></ac:structured-macro>.</p>`,
  'Task list': `<p>Launch checklist:</p><ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>complete</ac:task-status><ac:task-body>Write the docs</ac:task-body></ac:task><ac:task><ac:task-id>2</ac:task-id><ac:task-status>incomplete</ac:task-status><ac:task-body>Ship it <ri:user ri:account-id="${OTHER_USER}" /></ac:task-body></ac:task></ac:task-list>`,
  Emoticons: `<p>Feelings: <ac:emoticon ac:name="smile" /> <ac:emoticon ac:name="sad" /> <ac:emoticon ac:name="thumbs-up" /> <ac:emoticon ac:name="tick" /> <ac:emoticon ac:name="warning" /></p>`,
  'Two column layout': `<ac:layout><ac:layout-section ac:type="two_equal"><ac:layout-cell><p>Left column.</p></ac:layout-cell><ac:layout-cell><p>Right column.</p></ac:layout-cell></ac:layout-section><ac:layout-section ac:type="single"><ac:layout-cell><p>Full width below.</p></ac:layout-cell></ac:layout-section></ac:layout>`,
  'Links and anchors': `<p>See <ac:link><ri:page ri:content-title="Getting started" /><ac:plain-text-link-body><![CDATA[the getting started guide]]></ac:plain-text-link-body></ac:link>, <ac:link><ri:page ri:content-title="Code samples" /></ac:link> and <a href="https://example.com/docs">external docs</a>.</p><p><ac:structured-macro ac:name="anchor"><ac:parameter ac:name="">details</ac:parameter></ac:structured-macro>Jump to <ac:link ac:anchor="details"><ac:link-body>details</ac:link-body></ac:link>.</p><p>Mention: <ac:link><ri:user ri:account-id="${OTHER_USER}" /></ac:link></p>`,
  'Images and files': `<p>Our logo:</p><ac:image ac:alt="Logo"><ri:attachment ri:filename="logo.png" /></ac:image><p>An external image:</p><ac:image><ri:url ri:value="https://example.com/banner.png" /></ac:image><p>Download the <ac:link><ri:attachment ri:filename="report.csv" /></ac:link>.</p>`,
  Tables: `<table data-layout="default"><colgroup><col /><col /></colgroup><tbody><tr><th><p>Name</p></th><th><p>Value</p></th></tr><tr><td><p>alpha</p></td><td><p>1</p></td></tr><tr><td><p>beta &amp; gamma</p></td><td><p>2</p></td></tr></tbody></table>`,
  'Text formatting': `<h1>Heading one</h1><p><strong>Bold</strong>, <em>italic</em>, <span style="text-decoration: line-through;">struck</span>, <del>deleted</del>, <code>code</code>, <u>underlined</u>, H<sub>2</sub>O, x<sup>2</sup>.</p><p>Line one<br />line two&nbsp;with a non-breaking space &mdash; and an em dash.</p><blockquote><p>A quotation.</p></blockquote><hr /><ol start="3"><li>three</li><li>four<ul><li>nested bullet</li></ul></li></ol>`,
  // Pages as Confluence Cloud's editor saves them: local ids on every block, macro ids, table widths, images with
  // sizes and captions, cells holding paragraphs and lists, code blocks with parameters.
  'Cloud release notes': `<h2 local-id="c1a0">What changed</h2><p local-id="c1a1">Release <ac:structured-macro ac:name="status" ac:schema-version="1" ac:local-id="c1s1" ac:macro-id="2f6d0c1e-5b7a-4c3e-9d1f-0a2b3c4d5e6f"><ac:parameter ac:name="colour">Green</ac:parameter><ac:parameter ac:name="title">SHIPPED</ac:parameter></ac:structured-macro> on <time datetime="2026-11-20" /> by <ac:link><ri:user ri:account-id="${OTHER_USER}" ri:local-id="c1u1" /></ac:link> <ac:emoticon ac:name="blue-star" ac:emoji-shortname=":rocket:" ac:emoji-id="1f680" ac:emoji-fallback="🚀" /></p><p local-id="c1a2" /><ac:image ac:align="center" ac:layout="center" ac:original-height="1" ac:original-width="1" ac:custom-width="true" ac:alt="Release dashboard" ac:width="480" ac:local-id="c1i1"><ri:url ri:value="https://example.com/img/dashboard.png" /><ac:caption><p>The dashboard after the rollout</p></ac:caption></ac:image><ul local-id="c1l1"><li local-id="c1l2"><p local-id="c1l3">Faster pulls</p></li><li local-id="c1l4"><p local-id="c1l5">Readable Markdown for Cloud pages</p></li></ul>`,
  'Cloud decision log': `<ac:structured-macro ac:name="toc" ac:schema-version="1" ac:local-id="c2t0" ac:macro-id="7a1b2c3d-0e9f-4a8b-b7c6-d5e4f3a2b1c0"><ac:parameter ac:name="maxLevel">2</ac:parameter></ac:structured-macro><h2 local-id="c2h1">Decisions</h2><table data-table-width="1200" data-layout="wide" ac:local-id="c2tb"><colgroup><col style="width: 240.0px;" /><col style="width: 960.0px;" /></colgroup><tbody><tr><th><p local-id="c2p1"><strong>Decision</strong></p></th><th><p local-id="c2p2"><strong>Why</strong></p></th></tr><tr><td><p local-id="c2p3">Keep ids in the base</p></td><td><p local-id="c2p4">Nobody types them.</p><p local-id="c2p5">The push puts them back.</p></td></tr><tr><td><p local-id="c2p6">HTML tables for rich cells</p></td><td><ul local-id="c2l1"><li local-id="c2l2"><p local-id="c2l3">GitHub renders them</p></li><li local-id="c2l4"><p local-id="c2l5">cells stay Markdown</p></li></ul></td></tr></tbody></table><ac:structured-macro ac:name="expand" ac:schema-version="1" ac:local-id="c2e1" ac:macro-id="0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f"><ac:parameter ac:name="title">Options we dropped</ac:parameter><ac:rich-text-body><p local-id="c2p7">Directives: they change how every colon in text reads.</p></ac:rich-text-body></ac:structured-macro>`,
  'Cloud runbook': `<p local-id="c3p1">Restart the worker <ac:image ac:height="16" ac:local-id="c3i1"><ri:url ri:value="https://example.com/icons/restart.png" /></ac:image> with:</p><ac:structured-macro ac:name="code" ac:schema-version="1" ac:local-id="c3c1" ac:macro-id="9e8d7c6b-5a4f-4e3d-a2c1-b0a9f8e7d6c5"><ac:parameter ac:name="language">bash</ac:parameter><ac:parameter ac:name="title">restart.sh</ac:parameter><ac:parameter ac:name="linenumbers">true</ac:parameter><ac:parameter ac:name="firstline">10</ac:parameter><ac:parameter ac:name="theme">Midnight</ac:parameter><ac:parameter ac:name="collapse">true</ac:parameter><ac:plain-text-body><![CDATA[systemctl restart worker
journalctl -u worker -n 50]]></ac:plain-text-body></ac:structured-macro><p local-id="c3p2">See also <ac:link><ri:page ri:space-key="OPS" ri:content-title="Paging policy" ri:version-at-save="3" /></ac:link> <ac:emoticon ac:name="warning" />.</p>`,
  'Excerpt and children': `<ac:structured-macro ac:name="excerpt"><ac:rich-text-body><p>This page has an excerpt.</p></ac:rich-text-body></ac:structured-macro><ac:structured-macro ac:name="children"><ac:parameter ac:name="all">true</ac:parameter></ac:structured-macro>`,
};

/** A Jira issue macro as Confluence stores it (the Jira seed's project DEMO has these issues). */
const jiraMacro = (key: string) => `<ac:structured-macro ac:name="jira"><ac:parameter ac:name="server">System JIRA</ac:parameter><ac:parameter ac:name="serverId">a1b2c3d4-0000-1111-2222-333344445555</ac:parameter><ac:parameter ac:name="key">${key}</ac:parameter></ac:structured-macro>`;

/** Runbook pages point at their tickets (issues labelled runbook, and one that is not: DEMO-9). */
const JIRA_REFS: Record<string, string> = {
  'On-call': `<p>Open incidents: ${jiraMacro('DEMO-6')} and ${jiraMacro('DEMO-4')}.</p>`,
  'Release process': `<p>Before a release, check ${jiraMacro('DEMO-5')} and ${jiraMacro('DEMO-9')}.</p>`,
};

const TREE: Array<[string, string[]]> = [
  ['Getting started', ['Installation', 'Configuration', 'First sync']],
  ['Formatting guide', ['Text formatting', 'Tables', 'Code samples', 'Admonitions', 'Expand and status', 'Table of contents', 'Links and anchors', 'Images and files', 'Emoticons', 'Two column layout', 'Task list', 'Jira issues', 'Excerpt and children', 'Cloud release notes', 'Cloud decision log', 'Cloud runbook']],
  ['Team handbook', ['Onboarding', 'On-call', 'Release process']],
  ['Architecture', ['Sync engine', 'Storage format', 'Rate limits']],
  ['Meeting notes', ['2026-11-02 Planning', '2026-11-09 Retro', '2026-11-16 Planning']],
];

const GRANDCHILDREN: Record<string, string[]> = {
  Installation: ['Linux', 'macOS'],
  'Sync engine': ['Planner', 'Executor'],
  Onboarding: ['First week'],
};

function plain(title: string): string {
  return `<p>This is <strong>${title.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</strong>. Edit it in Confluence or in your editor; the other side follows.</p><ul><li>One point</li><li>Another point</li></ul>`;
}

export function seedDemo(store: Store): void {
  const space = store.addSpace('DEMO', 'Demo space');
  const home = store.createPage({ spaceId: space.id, title: 'Demo space home', parentId: null, body: `<p>Welcome to the <strong>confluence-sync</strong> demo space.</p>${CONSTRUCTS['Table of contents']}` });
  for (const [top, children] of TREE) {
    const t = store.createPage({ spaceId: space.id, title: top, parentId: home.id, body: plain(top) });
    for (const c of children) {
      const p = store.createPage({ spaceId: space.id, title: c, parentId: t.id, body: (CONSTRUCTS[c] ?? plain(c)) + (JIRA_REFS[c] ?? '') });
      for (const g of GRANDCHILDREN[c] ?? []) store.createPage({ spaceId: space.id, title: g, parentId: p.id, body: plain(g) });
      if (c === 'Images and files') {
        store.putAttachment({ pageId: p.id, title: 'logo.png', mediaType: 'image/png', data: LOGO_PNG, comment: 'the logo' });
        store.putAttachment({ pageId: p.id, title: 'report.csv', mediaType: 'text/csv', data: Buffer.from('name,value\nalpha,1\nbeta,2\n') });
      }
    }
  }
  const label = (title: string, ...labels: string[]) => {
    for (const p of store.pages.values()) if (p.title === title) p.labels.push(...labels);
    for (const l of labels) store.labelId(l);
  };
  label('Getting started', 'guide', 'start-here');
  label('Formatting guide', 'guide');
  label('Release process', 'runbook');
  label('On-call', 'runbook');
  label('Sync engine', 'architecture');
}

export function seedBench(store: Store, count: number): void {
  const space = store.addSpace('BENCH', `Benchmark space (${count} pages)`);
  const home = store.createPage({ spaceId: space.id, title: 'Bench home', parentId: null, body: '<p>Benchmark space.</p>', rewrite: false });
  // A wide, three-level tree: 1 home, sections of ~100 pages each.
  let section = home.id;
  let sections = 0;
  for (let i = 1; i < count; i++) {
    const parentId = i % 100 === 1 ? home.id : section;
    // Titles are unique by construction and positions follow the loop: no per-page scan of the space.
    const position = i % 100 === 1 ? sections++ : (i % 100 === 0 ? 98 : (i % 100) - 2);
    const p = store.createPage({ spaceId: space.id, title: `Bench page ${String(i).padStart(6, '0')}`, parentId, body: '', rewrite: false, position });
    p.lazyBody = i;
    p.version.body = '';
    if (i % 100 === 1) section = p.id;
  }
}
