/**
 * Storage bodies shaped like what Confluence Cloud's editor saves today (written for this project, no copied
 * text): `local-id` on paragraphs, headings, lists and list items (whose text sits in a `<p>`, as ADF has it),
 * `ac:local-id` on tables, images and macros, `ac:schema-version` + `ac:macro-id` on every macro, tables with
 * `data-table-width` / `data-layout` and colgroup widths, images with original sizes, widths and captions,
 * attachment references with `ri:version-at-save`, status lozenges, emoji emoticons, mentions, dates, task lists,
 * panels, expands, layouts with breakout attributes, toc, anchors, legacy emoticons, links to pages in other spaces
 * and to pages outside the workspace, inline images with a height or width, code macros with title / theme /
 * linenumbers / firstline / collapse, tables whose cells hold several paragraphs or a list, tables with a header
 * column. Deterministic for a seed.
 */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'release checklist owner rollout review staging metrics alert runbook deploy service queue latency budget team backlog'.split(' ');

export function cloudPage(seed: number, targetBytes = 4000): string {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)] as T;
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const lid = () => hex(12);
  const macro = (name: string) => `<ac:structured-macro ac:name="${name}" ac:schema-version="1" ac:local-id="${uuid()}" ac:macro-id="${uuid()}">`;
  const words = (n: number) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const inline = (): string => {
    const k = r();
    let extra = '';
    if (k < 0.15) extra = ` <strong>${words(2)}</strong>`;
    else if (k < 0.25) extra = ` <em>${words(2)}</em>`;
    else if (k < 0.35) extra = ` <code>${pick(WORDS)}.run()</code>`;
    else if (k < 0.45) extra = ` <a href="https://example.com/${pick(WORDS)}">${words(2)}</a>`;
    else if (k < 0.55) extra = ` <ac:link><ri:page ri:content-title="Other Page" ri:version-at-save="4" /><ac:plain-text-link-body><![CDATA[${words(2)}]]></ac:plain-text-link-body></ac:link>`;
    else if (k < 0.6) extra = ` ${macro('status')}<ac:parameter ac:name="colour">${pick(['Green', 'Blue', 'Red'])}</ac:parameter><ac:parameter ac:name="title">${pick(['DONE', 'IN PROGRESS', 'BLOCKED'])}</ac:parameter></ac:structured-macro>`;
    else if (k < 0.65) extra = ' <ac:emoticon ac:name="blue-star" ac:emoji-shortname=":white_check_mark:" ac:emoji-id="2705" ac:emoji-fallback="✅" />';
    else if (k < 0.68) extra = ` <ac:link><ri:user ri:account-id="5b10a2844c20165700ede21g" ri:local-id="${uuid()}" /></ac:link>`;
    else if (k < 0.7) extra = ` <time datetime="2025-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 10)}" />`;
    else if (k < 0.72) extra = ` <ac:link><ri:page ri:space-key="${pick(['OPS', 'ENG', '~5b10a2844c20'])}" ri:content-title="${pick(WORDS)} ${pick(WORDS)}" ri:version-at-save="2" /></ac:link>`;
    else if (k < 0.74) extra = ` <ac:link ac:anchor="${pick(WORDS)}"><ri:page ri:content-title="${pick(WORDS)} notes" /><ac:plain-text-link-body><![CDATA[${words(2)}]]></ac:plain-text-link-body></ac:link>`;
    else if (k < 0.76) extra = ` <ac:image ac:height="${pick(['16', '20', '24'])}" ac:local-id="${uuid()}"><ri:attachment ri:filename="icon-${pick(WORDS)}.png" ri:version-at-save="1" /></ac:image>`;
    else if (k < 0.77) extra = ` <ac:emoticon ac:name="${pick(['smile', 'tick', 'warning', 'thumbs-up'])}" />`;
    else if (k < 0.78) extra = ` ${macro('anchor')}<ac:parameter ac:name="">${pick(WORDS)}-${pick(WORDS)}</ac:parameter></ac:structured-macro>`;
    return `${words(5)}${extra} ${words(4)}.`;
  };
  const item = () => `<li local-id="${lid()}"><p local-id="${lid()}">${inline()}</p></li>`;
  // What people set on code blocks: a title, line numbers, a theme, the first line number, collapsed.
  const codeParams = () =>
    [
      r() < 0.4 ? `<ac:parameter ac:name="title">${words(2)}.py</ac:parameter>` : '',
      r() < 0.2 ? `<ac:parameter ac:name="theme">${pick(['Midnight', 'Eclipse', 'RDark'])}</ac:parameter>` : '',
      r() < 0.3 ? '<ac:parameter ac:name="linenumbers">true</ac:parameter>' : '',
      r() < 0.15 ? `<ac:parameter ac:name="firstline">${1 + Math.floor(r() * 40)}</ac:parameter>` : '',
      r() < 0.15 ? '<ac:parameter ac:name="collapse">true</ac:parameter>' : '',
    ].join('');
  const cell = (tag: string) => `<${tag}><p>${words(1 + Math.floor(r() * 3))}</p></${tag}>`;
  // A table whose cells hold several paragraphs or a list (what people build status pages and decision logs with).
  const richCell = () =>
    r() < 0.5
      ? `<td><p>${inline()}</p><p>${words(3)}</p></td>`
      : `<td><ul><li><p>${words(2)}</p></li><li><p>${words(3)}</p></li></ul></td>`;
  const richTable = () =>
    `<table data-table-width="${pick(['760', '1200', '1800'])}" data-layout="${pick(['default', 'wide'])}" ac:local-id="${uuid()}"><colgroup><col style="width: 180.0px;" /><col style="width: 580.0px;" /></colgroup><tbody>` +
    `<tr>${cell('th')}${cell('th')}</tr>` +
    Array.from({ length: 2 + Math.floor(r() * 2) }, () => `<tr>${cell('td')}${richCell()}</tr>`).join('') +
    '</tbody></table>';
  // A table with a header column: every row starts with a <th>.
  const sideTable = () =>
    `<table data-table-width="760" data-layout="default" ac:local-id="${uuid()}"><tbody>` +
    Array.from({ length: 3 }, () => `<tr>${cell('th')}${cell('td')}${cell('td')}</tr>`).join('') +
    '</tbody></table>';
  const blocks: Array<() => string> = [
    richTable,
    sideTable,
    () => `<h2 local-id="${lid()}">${words(3)}</h2>`,
    () => `<h3 local-id="${lid()}">${words(2)}</h3>`,
    () => `<p local-id="${lid()}">${inline()}</p>`,
    () => `<p local-id="${lid()}">${inline()}</p>`,
    () => `<p local-id="${lid()}">${inline()}</p>`,
    () => `<ul local-id="${lid()}">${item()}${item()}${item()}</ul>`,
    () => `<ol start="1" local-id="${lid()}">${item()}${item()}</ol>`,
    () =>
      `<table data-table-width="760" data-layout="default" ac:local-id="${uuid()}"><colgroup><col style="width: 253.0px;" /><col style="width: 253.0px;" /><col style="width: 253.0px;" /></colgroup><tbody>` +
      `<tr><th><p><strong>${words(1)}</strong></p></th><th><p><strong>${words(1)}</strong></p></th><th><p><strong>${words(1)}</strong></p></th></tr>` +
      `<tr><td><p>${words(2)}</p></td><td><p>${words(1)}</p></td><td><p>${words(3)}</p></td></tr>` +
      `<tr><td><p>${words(1)}</p></td><td><p>${words(2)}</p></td><td><p>${words(1)}</p></td></tr></tbody></table>`,
    () => `${macro('code')}<ac:parameter ac:name="language">${pick(['python', 'bash', 'java'])}</ac:parameter>${codeParams()}<ac:plain-text-body><![CDATA[def ${pick(WORDS)}(x):\n    return x < 3 and x > 1\n]]></ac:plain-text-body></ac:structured-macro>`,
    () => `${macro(pick(['info', 'note', 'tip', 'warning']))}<ac:rich-text-body><p local-id="${lid()}">${inline()}</p></ac:rich-text-body></ac:structured-macro>`,
    () => `${macro('expand')}<ac:parameter ac:name="title">${words(2)}</ac:parameter><ac:rich-text-body><p local-id="${lid()}">${inline()}</p></ac:rich-text-body></ac:structured-macro>`,
    () =>
      `<ac:task-list ac:task-list-id="${uuid()}"><ac:task><ac:task-id>${uuid()}</ac:task-id><ac:task-uuid>${uuid()}</ac:task-uuid><ac:task-status>incomplete</ac:task-status><ac:task-body><span class="placeholder-inline-tasks">${words(4)}</span></ac:task-body></ac:task></ac:task-list>`,
    () =>
      `<ac:image ac:align="center" ac:layout="center" ac:original-height="540" ac:original-width="960" ac:custom-width="true" ac:alt="${pick(WORDS)}.png" ac:width="680" ac:local-id="${uuid()}"><ri:attachment ri:filename="${pick(WORDS)}.png" ri:version-at-save="1" /><ac:caption><p>${words(3)}</p></ac:caption></ac:image>`,
    () => `<p local-id="${lid()}" />`,
    () => `<p local-id="${lid()}">${words(3)} <ac:image ac:width="${pick(['240', '320'])}" ac:local-id="${uuid()}"><ri:url ri:value="https://example.com/${pick(WORDS)}.png" /></ac:image> ${words(2)}.</p>`,
    () =>
      `<ac:image ac:align="${pick(['center', 'wide', 'align-start'])}" ac:layout="${pick(['center', 'wide', 'align-start'])}" ac:original-height="${pick(['400', '720'])}" ac:original-width="${pick(['640', '1280'])}" ac:alt="${words(2)}" ac:title="${words(3)}" ac:width="${pick(['480', '760'])}" ac:border="true" ac:local-id="${uuid()}"><ri:attachment ri:filename="${pick(WORDS)}-${pick(WORDS)}.png" ri:version-at-save="2" /></ac:image>`,
  ];
  let body = r() < 0.3 ? `${macro('toc')}<ac:parameter ac:name="maxLevel">3</ac:parameter>${r() < 0.5 ? '<ac:parameter ac:name="minLevel">2</ac:parameter>' : ''}</ac:structured-macro>` : '';
  while (body.length < targetBytes) body += pick(blocks)();
  if (r() < 0.25) {
    body = `<ac:layout><ac:layout-section ac:type="two_equal" ac:breakout-mode="default" ac:breakout-width="760"><ac:layout-cell>${body}</ac:layout-cell><ac:layout-cell><p local-id="${lid()}">${inline()}</p></ac:layout-cell></ac:layout-section></ac:layout>`;
  }
  return body;
}

export function cloudCorpus(count: number, seed = 7, targetBytes = 4000): string[] {
  return Array.from({ length: count }, (_, i) => cloudPage(seed * 100_003 + i, targetBytes));
}

const XHTML_LINE = /<!-- (?:storage|attrs):|`storage:|<\/?(?:ac|ri):/;

/**
 * Share of the Markdown's bytes on lines that still carry XHTML: lines inside (and of) verbatim storage fences,
 * raw-storage markers, attrs comments and inline verbatim spans.
 */
export function xhtmlShare(markdown: readonly string[]): { xhtmlBytes: number; totalBytes: number; percent: number } {
  let xhtml = 0;
  let total = 0;
  for (const md of markdown) {
    let fence: string | undefined;
    for (const line of md.split('\n')) {
      const bytes = Buffer.byteLength(line) + 1;
      total += bytes;
      if (fence !== undefined) {
        xhtml += bytes;
        if (line.startsWith(fence) && line.trim() === fence) fence = undefined;
        continue;
      }
      const open = /^(`{3,})confluence-storage\s*$/.exec(line);
      if (open) {
        fence = open[1];
        xhtml += bytes;
      } else if (XHTML_LINE.test(line)) xhtml += bytes;
    }
  }
  return { xhtmlBytes: xhtml, totalBytes: total, percent: total ? (100 * xhtml) / total : 0 };
}
