/**
 * Storage bodies for every construct in CONFLUENCE-NOTES.md, written the way Confluence returns them (with the
 * attributes the server adds). `clean` lists substrings the Markdown must contain, proving the construct got its
 * readable form instead of a verbatim block.
 */
export interface Fixture {
  name: string;
  storage: string;
  /** Substrings expected in the Markdown. */
  clean?: string[];
  /** Substrings that must not be in the Markdown. */
  absent?: string[];
}

const MID = 'ac:schema-version="1" ac:macro-id="3c1f5a7e-1b2c-4d5e-8f90-a1b2c3d4e5f6"';

export const FIXTURES: Fixture[] = [
  {
    name: 'headings and paragraphs',
    storage: '<h1>Title</h1><p>Plain text with <strong>bold</strong>, <em>italic</em>, <del>gone</del> and <code>code()</code>.</p><h3 local-id="h-1">Third</h3>',
    clean: ['# Title', '**bold**', '*italic*', '~~gone~~', '`code()`', '### Third'],
    absent: ['confluence-storage', 'local-id'],
  },
  {
    name: 'entities: named, numeric, CDATA-like text',
    storage: '<p>a&nbsp;b &mdash; c &amp; d &lt;tag&gt; &#169; &#x2603; &quot;q&quot; &apos;s&apos; &hellip;</p>',
    clean: ['—', '©', '☃', '…'],
    absent: ['confluence-storage'],
  },
  {
    name: 'line breaks',
    storage: '<p>line one<br/>line two<br />line three</p>',
    clean: ['line one\\\nline two'],
    absent: ['confluence-storage'],
  },
  {
    name: 'nested lists, ordered with start',
    storage: '<ul><li>one</li><li>two<ul><li>two.a</li><li>two.b<ol><li>deep</li></ol></li></ul></li><li>three</li></ul><ol start="4"><li>four</li><li>five</li></ol>',
    clean: ['- one', '  - two.a', '4. four', '5. five'],
    absent: ['confluence-storage'],
  },
  {
    name: 'loose list (Cloud editor wraps items in <p>)',
    storage: '<ul><li><p>first</p></li><li><p>second</p><ul><li><p>inner</p></li></ul></li></ul>',
    clean: ['- first', '- second'],
    absent: ['confluence-storage'],
  },
  {
    name: 'block quote and horizontal rule',
    storage: '<blockquote><p>quoted <em>text</em></p><p>second para</p></blockquote><hr/><p>after</p>',
    clean: ['> quoted *text*', '---'],
    absent: ['confluence-storage'],
  },
  {
    name: 'table with header, alignment and server attributes',
    storage:
      '<table data-layout="default" ac:local-id="a1b2c3"><colgroup><col style="width: 226.67px;"/><col style="width: 226.67px;"/><col style="width: 226.67px;"/></colgroup><tbody><tr><th><p><strong>Name</strong></p></th><th style="text-align: center;"><p>Count</p></th><th style="text-align: right;"><p>Price</p></th></tr><tr><td><p>apple | pear</p></td><td style="text-align: center;"><p>3</p></td><td style="text-align: right;"><p>1.50</p></td></tr><tr><td><p/></td><td style="text-align: center;"><p>0</p></td><td style="text-align: right;"><p><em>free</em></p></td></tr></tbody></table>',
    clean: ['| **Name**', ':---:', '---:', 'apple \\| pear'],
    absent: ['confluence-storage', 'cells=', 'data-layout', 'local-id'],
  },
  {
    name: 'table without header row, bare cells',
    storage: '<table><tbody><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></tbody></table>',
    clean: ['header="none"', '| a | b |'],
    absent: ['confluence-storage'],
  },
  {
    name: 'table with merged cells (no GFM form): an HTML table',
    storage: '<table><tbody><tr><th colspan="2">wide</th></tr><tr><td>a</td><td>b</td></tr></tbody></table>',
    clean: ['<table>\n<tbody>\n<tr>\n<th colspan="2">wide</th>\n</tr>\n<tr>\n<td>a</td>\n<td>b</td>\n</tr>\n</tbody>\n</table>'],
    absent: ['confluence-storage'],
  },
  {
    name: 'rich table (paragraphs and lists in cells, header column, Cloud attributes): HTML table around Markdown cells',
    storage:
      '<table data-table-width="1200" data-layout="wide" ac:local-id="t-7"><colgroup><col style="width: 200.0px;"/><col style="width: 1000.0px;"/></colgroup><tbody>' +
      '<tr><th><p local-id="p1"><strong>Step</strong></p></th><td><p local-id="p2">First line with <em>emphasis</em> and a <a href="https://example.com/x">link</a>.</p><p local-id="p3">Second paragraph &amp; more.</p></td></tr>' +
      '<tr><th><p>Checks</p></th><td><ul><li><p>lint</p></li><li><p>tests <ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">Green</ac:parameter><ac:parameter ac:name="title">OK</ac:parameter></ac:structured-macro></p></li></ul></td></tr>' +
      '<tr><th>Plain <code>x &lt; y</code></th><td/></tr></tbody></table>',
    clean: [
      '<table>\n<tbody>\n<tr>\n<th><strong>Step</strong></th>\n<td>\n\nFirst line with *emphasis* and a [link](https://example.com/x).\n\nSecond paragraph & more.\n\n</td>\n</tr>',
      '<th>Checks</th>\n<td>\n\n- lint\n\n- tests [OK](status:Green)\n\n</td>',
      '<th>Plain <code>x &lt; y</code></th>\n<td/>\n</tr>\n</tbody>\n</table>',
    ],
    absent: ['confluence-storage', 'storage:', 'attrs:', 'local-id', 'colgroup'],
  },
  {
    name: 'code macro with language, title and line numbers',
    storage: `<ac:structured-macro ac:name="code" ${MID}><ac:parameter ac:name="language">typescript</ac:parameter><ac:parameter ac:name="title">Example &amp; more</ac:parameter><ac:parameter ac:name="linenumbers">true</ac:parameter><ac:plain-text-body><![CDATA[const a = 1 < 2 && "x";\n// ]]]]><![CDATA[> done\n\`\`\`\nnested fence\n]]></ac:plain-text-body></ac:structured-macro>`,
    clean: ['````typescript title="Example & more" linenumbers="true"\n', 'const a = 1 < 2 && "x";'],
    absent: ['confluence-storage'],
  },
  {
    name: 'code macro without language',
    storage: '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[plain\ntext]]></ac:plain-text-body></ac:structured-macro><ac:structured-macro ac:name="code" ac:schema-version="1"><ac:parameter ac:name="title">Only a title</ac:parameter><ac:plain-text-body><![CDATA[x]]></ac:plain-text-body></ac:structured-macro>',
    clean: ['```\nplain\ntext\n```', '```title="Only a title"'],
    absent: ['confluence-storage'],
  },
  {
    name: 'info, note, warning, tip with titles',
    storage: `<ac:structured-macro ac:name="info" ${MID}><ac:parameter ac:name="title">Heads up</ac:parameter><ac:rich-text-body><p>Info body</p></ac:rich-text-body></ac:structured-macro><ac:structured-macro ac:name="note"><ac:rich-text-body><p>Note body</p><ul><li>item</li></ul></ac:rich-text-body></ac:structured-macro><ac:structured-macro ac:name="warning"><ac:parameter ac:name="title">Careful</ac:parameter><ac:parameter ac:name="icon">false</ac:parameter><ac:rich-text-body><p>Danger</p></ac:rich-text-body></ac:structured-macro><ac:structured-macro ac:name="tip"><ac:rich-text-body><p>Tip body</p></ac:rich-text-body></ac:structured-macro>`,
    clean: ['> [!NOTE] Heads up', '> [!WARNING]\n', '> [!CAUTION] Careful <!-- attrs: icon="false" -->', '> [!TIP]'],
    absent: ['confluence-storage'],
  },
  {
    name: 'panel with parameters',
    storage: '<ac:structured-macro ac:name="panel" ac:schema-version="1"><ac:parameter ac:name="bgColor">#deebff</ac:parameter><ac:parameter ac:name="title">Panel</ac:parameter><ac:rich-text-body><p>In a panel</p></ac:rich-text-body></ac:structured-macro>',
    clean: ['> [!IMPORTANT]', 'bgColor="#deebff"'],
    absent: ['confluence-storage'],
  },
  {
    name: 'expand macro (container: content stays Markdown)',
    storage: `<ac:structured-macro ac:name="expand" ${MID}><ac:parameter ac:name="title">Click me</ac:parameter><ac:rich-text-body><p>Hidden <strong>content</strong></p></ac:rich-text-body></ac:structured-macro>`,
    clean: ['<details>\n<summary>Click me</summary>\n\nHidden **content**\n\n</details>'],
    absent: ['confluence-storage'],
  },
  {
    name: 'status, emoticons, user mention inline',
    storage: '<p>State: <ac:structured-macro ac:name="status" ac:schema-version="1" ac:macro-id="s1"><ac:parameter ac:name="colour">Green</ac:parameter><ac:parameter ac:name="title">DONE</ac:parameter></ac:structured-macro> <ac:emoticon ac:name="smile"/> <ac:emoticon ac:name="thumbs-up" ac:emoji-shortname=":thumbsup:" ac:emoji-id="1f44d" ac:emoji-fallback="👍"/> ping <ac:link><ri:user ri:account-id="5b10ac8d82e05b22cc7d4ef5" ri:local-id="u1"/></ac:link></p>',
    clean: ['State: [DONE](status:Green) [:smile:](emoticon:smile) [👍](emoji:thumbsup "thumbs-up") ping <user:5b10ac8d82e05b22cc7d4ef5>'],
    absent: ['storage:', 'emoji-id'],
  },
  {
    name: 'toc and jira macros',
    storage: `<ac:structured-macro ac:name="toc" ${MID}><ac:parameter ac:name="maxLevel">3</ac:parameter></ac:structured-macro><p>See <ac:structured-macro ac:name="jira" ac:schema-version="1" ac:macro-id="j1"><ac:parameter ac:name="server">System JIRA</ac:parameter><ac:parameter ac:name="serverId">abc-123</ac:parameter><ac:parameter ac:name="key">PROJ-42</ac:parameter></ac:structured-macro> now</p>`,
    clean: ['[TOC]{maxLevel=3}\n', 'PROJ-42'],
  },
  {
    name: 'task list with ids',
    storage: '<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>incomplete</ac:task-status><ac:task-body>write <strong>docs</strong></ac:task-body></ac:task><ac:task><ac:task-id>2</ac:task-id><ac:task-uuid>9a8b-7c6d</ac:task-uuid><ac:task-status>complete</ac:task-status><ac:task-body>ship it</ac:task-body></ac:task></ac:task-list>',
    clean: ['- [ ] write **docs**\n- [x] ship it\n'],
    absent: ['confluence-storage', 'attrs:', 'task-id'],
  },
  {
    name: 'layouts',
    storage: '<ac:layout><ac:layout-section ac:type="two_equal" ac:breakout-mode="default"><ac:layout-cell><h2>Left</h2><p>left text</p></ac:layout-cell><ac:layout-cell><p>right text</p></ac:layout-cell></ac:layout-section><ac:layout-section ac:type="single"><ac:layout-cell><p>full</p></ac:layout-cell></ac:layout-section></ac:layout>',
    clean: ['<!-- storage: <ac:layout><ac:layout-section ac:type="two_equal" ac:breakout-mode="default"><ac:layout-cell> -->', '## Left', 'right text'],
    absent: ['confluence-storage'],
  },
  {
    name: 'page links, anchors, attachment links',
    storage: '<p><ac:link><ri:page ri:content-title="Other Page" ri:version-at-save="7"/><ac:plain-text-link-body><![CDATA[the other page]]></ac:plain-text-link-body></ac:link>, <ac:link><ri:page ri:space-key="ENG" ri:content-title="Design"/></ac:link>, <ac:link ac:anchor="install"><ri:page ri:content-title="Other Page"/><ac:link-body>install <em>steps</em></ac:link-body></ac:link>, <ac:link ac:anchor="top"><ac:plain-text-link-body><![CDATA[back to top]]></ac:plain-text-link-body></ac:link>, <ac:link><ri:attachment ri:filename="spec.pdf"/><ac:plain-text-link-body><![CDATA[the spec]]></ac:plain-text-link-body></ac:link></p>',
    clean: ['[the other page](<../Other Page.md>), ', '[Design](../../ENG/Design.md)', '[install *steps*](<../Other Page.md#install>)', '[back to top](#top)', '[the spec](Home/spec.pdf)'],
    absent: ['confluence-storage'],
  },
  {
    name: 'link to a page outside the workspace: a page: link',
    storage: '<p><ac:link><ri:page ri:content-title="Nowhere"/></ac:link></p>',
    clean: ['[Nowhere](page:Nowhere)'],
    absent: ['storage:'],
  },
  {
    name: 'anchor macro',
    storage: '<p><ac:structured-macro ac:name="anchor" ac:schema-version="1"><ac:parameter ac:name="">install</ac:parameter></ac:structured-macro>Install</p>',
    clean: ['<anchor:install>Install'],
    absent: ['storage:'],
  },
  {
    name: 'images: attachment and external',
    storage: '<p><ac:image ac:height="250" ac:alt="The logo" ac:local-id="img1"><ri:attachment ri:filename="logo.png" ri:version-at-save="1"/></ac:image></p><p><ac:image><ri:url ri:value="https://example.com/a.png"/></ac:image></p><ac:image ac:align="center" ac:layout="center" ac:width="600"><ri:attachment ri:filename="diagram one.png"/></ac:image>',
    clean: ['![The logo](Home/logo.png){height=250}', '![](https://example.com/a.png)', '![](<Home/diagram one.png>){block align=center width=600}'],
    absent: ['confluence-storage', 'attrs:'],
  },
  {
    name: 'images: size, border, title and caption in the brace list',
    storage:
      '<ac:image ac:align="center" ac:layout="center" ac:original-height="540" ac:original-width="960" ac:custom-width="true" ac:alt="Deploy flow" ac:title="How a change ships" ac:width="680" ac:border="true" ac:local-id="i-9"><ri:attachment ri:filename="flow.png" ri:version-at-save="3"/><ac:caption><p>From merge to production</p></ac:caption></ac:image>' +
      '<p>Inline <ac:image ac:height="16" ac:thumbnail="true"><ri:url ri:value="https://example.com/i.svg"/></ac:image> icon and <ac:image ac:style="max-width: 50%;"><ri:attachment ri:filename="small.png"/></ac:image>{not braces}</p>',
    clean: [
      '![Deploy flow](Home/flow.png "How a change ships"){block align=center width=680 border=true caption="From merge to production"}',
      'Inline ![](https://example.com/i.svg){height=16 thumbnail=true} icon and ![](Home/small.png){style="max-width: 50%25;"}',
    ],
    absent: ['attrs:', 'original-width', 'local-id'],
  },
  {
    name: 'Cloud emoji, status without a title, mention with a link text, date, pages in other spaces',
    storage:
      '<p><ac:emoticon ac:name="blue-star" ac:emoji-shortname=":white_check_mark:" ac:emoji-id="2705" ac:emoji-fallback="✅"/> done <ac:structured-macro ac:name="status" ac:schema-version="1" ac:macro-id="s2"><ac:parameter ac:name="colour">Yellow</ac:parameter></ac:structured-macro> ' +
      '<ac:structured-macro ac:name="status"><ac:parameter ac:name="title">NEW</ac:parameter></ac:structured-macro> by <ac:link><ri:user ri:account-id="557058:0a1b2c3d-4e5f-6789-abcd-ef0123456789"/><ac:plain-text-link-body><![CDATA[@Robin]]></ac:plain-text-link-body></ac:link> on <time datetime="2026-03-14"/>, ' +
      'see <ac:link><ri:page ri:space-key="OPS" ri:content-title="Runbook: 50% rollout #2" ri:version-at-save="7"/></ac:link> and <ac:link ac:anchor="limits"><ri:page ri:content-title="Q1/Q2 plan"/><ac:plain-text-link-body><![CDATA[the plan]]></ac:plain-text-link-body></ac:link></p>',
    clean: [
      '[✅](emoji:white_check_mark) done [(Yellow)](status:Yellow "no title") [NEW](status:) by [@Robin](user:557058:0a1b2c3d-4e5f-6789-abcd-ef0123456789) on <date:2026-03-14>',
      '[Runbook: 50% rollout #2](<page:OPS/Runbook: 50%25 rollout %232>)',
      '[the plan](<page:/Q1/Q2 plan#limits>)',
    ],
    absent: ['storage:', 'emoji-id', 'version-at-save'],
  },
  {
    name: 'toc without parameters, expand without a title, nested expands',
    storage:
      '<ac:structured-macro ac:name="toc" ac:schema-version="1" ac:macro-id="t1"/>' +
      '<ac:structured-macro ac:name="expand"><ac:rich-text-body><p>outer</p><ac:structured-macro ac:name="expand"><ac:parameter ac:name="title">Inner &amp; more</ac:parameter><ac:rich-text-body><ul><li>x</li></ul></ac:rich-text-body></ac:structured-macro></ac:rich-text-body></ac:structured-macro>' +
      '<p>[TOC]</p>',
    clean: ['[TOC]\n\n<details>\n\nouter\n\n<!-- storage: <ac:structured-macro ac:name="expand">', '- x\n\n<!-- storage: </ac:rich-text-body></ac:structured-macro> -->\n\n</details>', '\\[TOC]'],
  },
  {
    name: 'external links',
    storage: '<p><a href="https://example.com/a?b=c&amp;d=e" title="Ex">example</a> and <a href="https://atlassian.com" data-card-appearance="inline">https://atlassian.com</a></p>',
    clean: ['[example](https://example.com/a?b=c\\&d=e "Ex")', '@data-card-appearance="inline"'],
    absent: ['confluence-storage'],
  },
  {
    name: 'empty paragraphs and top-level text',
    storage: '<p/><p>text</p><p local-id="e1"/><p/><h2>After the spacers</h2><p><br/></p>bare top-level text',
    clean: ['text\n\n## After the spacers\n\n<!-- storage: <p><br/></p> -->', '<!-- attrs: p="none" -->\n\nbare top-level text'],
    absent: ['confluence-storage', '<p/>', 'local-id'],
  },
  {
    name: 'CDATA outside macros and comments',
    storage: '<p><ac:link ac:anchor="x"><ac:plain-text-link-body><![CDATA[a <b> & c]]></ac:plain-text-link-body></ac:link></p><!-- a comment -->',
    clean: ['[a \\<b> & c](#x)'],
  },
  {
    name: 'pretty-printed body with whitespace between blocks',
    storage: '\n<h2>Spaced</h2>\n\n<p>one</p>\n  <ul>\n    <li>x</li>\n  </ul>\n',
    clean: ['## Spaced', '- x'],
    absent: ['confluence-storage'],
  },
  {
    name: 'unknown macro with rich body and a nested code macro',
    storage: `<ac:structured-macro ac:name="details" ${MID}><ac:rich-text-body><table><tbody><tr><th>Owner</th><td>me</td></tr></tbody></table><ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[x]]></ac:plain-text-body></ac:structured-macro></ac:rich-text-body></ac:structured-macro>`,
    clean: ['<!-- storage: <ac:structured-macro ac:name="details"', '```\nx\n```'],
  },
  {
    name: 'inline formatting without a Markdown form',
    storage: '<p>a <u>underlined</u> <span style="color: rgb(255,86,48);">red</span> <sup>2</sup> <time datetime="2024-01-02"/> <ac:inline-comment-marker ac:ref="c1">commented</ac:inline-comment-marker></p>',
    clean: ['a <u>underlined</u> <span style="color: rgb(255,86,48);">red</span> <sup>2</sup>', '<date:2024-01-02>', '`storage:<ac:inline-comment-marker ac:ref="c1">`commented`storage:</ac:inline-comment-marker>`'],
  },
  {
    name: 'raw html macro',
    storage: '<ac:structured-macro ac:name="html"><ac:plain-text-body><![CDATA[<div class="x">\n<b>hi</b>\n</div>]]></ac:plain-text-body></ac:structured-macro>',
    clean: ['<div class="x">\n<b>hi</b>\n</div>'],
    absent: ['confluence-storage'],
  },
  {
    name: 'excerpt, children, drawio and gliffy macros',
    storage: `<ac:structured-macro ac:name="excerpt" ${MID}><ac:parameter ac:name="hidden">true</ac:parameter><ac:rich-text-body><p>Summary <em>here</em></p></ac:rich-text-body></ac:structured-macro><ac:structured-macro ac:name="children" ac:schema-version="2" data-layout="default" ac:local-id="l1" ac:macro-id="c1"><ac:parameter ac:name="all">true</ac:parameter></ac:structured-macro><ac:structured-macro ac:name="drawio" ac:schema-version="1" data-layout="default" ac:macro-id="d1"><ac:parameter ac:name="diagramName">arch</ac:parameter><ac:parameter ac:name="revision">3</ac:parameter></ac:structured-macro><ac:structured-macro ac:name="gliffy"><ac:parameter ac:name="name">flow</ac:parameter></ac:structured-macro>`,
    clean: ['Summary *here*', '```confluence-storage\n<ac:structured-macro ac:name="children"', 'ac:name="drawio"'],
  },
  {
    name: 'Cloud editor extension block',
    storage: '<ac:adf-extension><ac:adf-node type="decision-list"><ac:adf-attribute key="local-id">x1</ac:adf-attribute><ac:adf-node type="decision-item"><ac:adf-attribute key="state">DECIDED</ac:adf-attribute><ac:adf-content>Ship on Friday</ac:adf-content></ac:adf-node></ac:adf-node><ac:adf-fallback><ul><li>Ship on Friday</li></ul></ac:adf-fallback></ac:adf-extension>',
    clean: ['```confluence-storage\n<ac:adf-extension>'],
  },
  {
    name: 'paragraph alignment and indentation attributes',
    storage: '<p style="text-align: center;">centred</p><p style="margin-left: 30.0px;">indented</p><h2 style="text-align: right;">right</h2>',
    clean: ['<!-- attrs: @style="text-align: center;" -->\n\ncentred'],
    absent: ['confluence-storage'],
  },
  {
    name: 'a whole Cloud page',
    storage:
      '<p>This page describes the <strong>sync</strong> flow. Owner: <ac:link><ri:user ri:account-id="557058:aaaa-bbbb" /></ac:link> &mdash; last review <time datetime="2024-05-01" />.</p>' +
      '<ac:structured-macro ac:name="toc" ac:schema-version="1" data-layout="default" ac:local-id="t0" ac:macro-id="m0"><ac:parameter ac:name="minLevel">1</ac:parameter><ac:parameter ac:name="maxLevel">3</ac:parameter></ac:structured-macro>' +
      '<h2 local-id="h2a">Overview</h2><p>Pull, then push. See <ac:link><ri:page ri:content-title="Other Page" ri:version-at-save="12" /><ac:link-body>the <em>other</em> page</ac:link-body></ac:link>.</p>' +
      '<ac:structured-macro ac:name="note" ac:schema-version="1" ac:macro-id="m1"><ac:rich-text-body><p>Back up first.</p></ac:rich-text-body></ac:structured-macro>' +
      '<ol start="1"><li><p>Scan</p></li><li><p>Plan</p></li><li><p>Execute</p></li></ol>' +
      '<table data-table-width="760" data-layout="default" ac:local-id="tb1"><tbody><tr><th><p><strong>Step</strong></p></th><th><p><strong>Owner</strong></p></th></tr><tr><td><p>Scan</p></td><td><p>engine</p></td></tr></tbody></table>' +
      '<ac:task-list ac:task-list-id="tl1"><ac:task><ac:task-id>7</ac:task-id><ac:task-uuid>u-7</ac:task-uuid><ac:task-status>incomplete</ac:task-status><ac:task-body><span class="placeholder-inline-tasks">Write tests</span></ac:task-body></ac:task></ac:task-list>' +
      '<p />',
    clean: ['## Overview', '[the *other* page](<../Other Page.md>)', '> [!WARNING]\n', '1. Scan', '| **Step** | **Owner** |\n| -------- | --------- |\n| Scan     | engine    |\n\n- [ ]', '- [ ] Write tests\n'],
  },
];

/** Bodies that are not well-formed: each must stay verbatim (byte for byte) with a warning. */
export const MALFORMED: Array<{ name: string; storage: string }> = [
  { name: 'unclosed tag', storage: '<p>open <strong>never closed</p>' },
  { name: 'unclosed at end', storage: '<p>para</p><ul><li>x</li>' },
  { name: 'unknown namespace', storage: '<p><foo:bar x="1"/></p>' },
  { name: 'invalid named entity', storage: '<p>a &notanentity; b</p>' },
  { name: 'invalid numeric entity', storage: '<p>a &#xD800; b &#0;</p>' },
  { name: 'bare ampersand', storage: '<p>fish & chips</p>' },
  { name: 'stray end tag', storage: '</p><p>x</p>' },
  { name: 'attribute without quotes', storage: '<p class=x>y</p>' },
  { name: 'fence inside the body', storage: '<p>```\n````\n<b>x</p>' },
  { name: 'doctype', storage: '<!DOCTYPE html><p>x</p>' },
];
