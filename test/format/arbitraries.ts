/** fast-check generators of storage bodies that mix every construct, with text full of Markdown metacharacters. */
import fc from 'fast-check';

const CHARS = [...'abcxyz AZ09 ', ...'*_`[]()#<>&\\|~!-+.:"\'=/{}^$%@', '\u00a0', 'é', '—', '😀', '\t'];

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const attrEscape = (s: string) => xmlEscape(s).replace(/"/g, '&quot;');

export const rawText = (max = 12) => fc.string({ unit: fc.constantFrom(...CHARS), minLength: 1, maxLength: max });
const text = (max = 12) => rawText(max).map(xmlEscape);
const word = fc.string({ unit: fc.constantFrom(...'abcdefghij'), minLength: 1, maxLength: 6 });

const leaf = fc.oneof(
  { weight: 6, arbitrary: text() },
  { weight: 1, arbitrary: text().map((t) => `<strong>${t}</strong>`) },
  { weight: 1, arbitrary: word.map((t) => `<em>${t}</em>`) },
  { weight: 1, arbitrary: word.map((t) => `<del>${t}</del>`) },
  { weight: 1, arbitrary: text(8).map((t) => `<code>${t}</code>`) },
  { weight: 1, arbitrary: fc.constant('<br/>') },
  { weight: 1, arbitrary: fc.tuple(word, text(6)).map(([u, t]) => `<a href="https://example.com/${u}">${t}</a>`) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom('Other Page', 'Home', 'Unknown'), fc.option(text(6), { nil: undefined })).map(
      ([title, t]) =>
        `<ac:link><ri:page ri:content-title="${title}" ri:version-at-save="2"/>${t === undefined ? '' : `<ac:plain-text-link-body><![CDATA[${t}]]></ac:plain-text-link-body>`}</ac:link>`,
    ),
  },
  { weight: 1, arbitrary: word.map((f) => `<ac:image ac:height="100"><ri:attachment ri:filename="${f}.png"/></ac:image>`) },
  { weight: 1, arbitrary: fc.constantFrom('smile', 'sad', 'tick').map((n) => `<ac:emoticon ac:name="${n}"/>`) },
  // The readable forms of docs/markdown.md: image brace lists, emoji, status, mentions, dates, anchors, outside pages.
  {
    weight: 1,
    arbitrary: fc
      .tuple(word, fc.constantFrom('', ' ac:width="240"', ' ac:align="center" ac:border="true"', ' ac:style="a: 1;"', ' ac:title="t &quot;q&quot;"'))
      .map(([f, a]) => `<ac:image${a}><ri:url ri:value="https://example.com/${f}.png"/></ac:image>`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(':rocket:', ':white_check_mark:', 'bad'), fc.constantFrom('🚀', '✅', ' x'), fc.constantFrom('blue-star', 'smile'))
      .map(([short, fb, name]) => `<ac:emoticon ac:name="${name}" ac:emoji-shortname="${short}" ac:emoji-id="1f680" ac:emoji-fallback="${fb}"/>`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('Green', 'Red', 'light blue', ''), text(4))
      .map(([c, t]) => `<ac:structured-macro ac:name="status">${c ? `<ac:parameter ac:name="colour">${c}</ac:parameter>` : ''}<ac:parameter ac:name="title">${t}</ac:parameter></ac:structured-macro>`),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(
      word.map((w) => `<ac:link><ri:user ri:account-id="557058:${w}"/></ac:link>`),
      fc.constantFrom('2026-03-14', '2026-13-99x', 'x').map((d) => `<time datetime="${d}"/>`),
      fc.constantFrom('top', 'a b', '').map((a) => `<ac:structured-macro ac:name="anchor"><ac:parameter ac:name="">${a}</ac:parameter></ac:structured-macro>`),
      fc
        .tuple(fc.constantFrom(' ri:space-key="OPS"', ' ri:space-key="DOC"', ''), fc.constantFrom('Far away', 'Q1/Q2', '50% #1', 'a:b'))
        .map(([k, t]) => `<ac:link><ri:page${k} ri:content-title="${t}"/></ac:link>`),
    ),
  },
  {
    weight: 1,
    arbitrary: word.map(
      (t) => `<ac:structured-macro ac:name="status" ac:schema-version="1"><ac:parameter ac:name="title">${t}</ac:parameter></ac:structured-macro>`,
    ),
  },
);

const spacing = fc.constantFrom(' ', '\n', '  ', '\t', ' \n ', '<br/>');
/** Inline content nested two levels deep: attention and wrapper elements around other inline content. */
const TAGS = ['strong', 'em', 'del', 'u', 'span style="color: red;"', 'sup', 'ac:inline-comment-marker ac:ref="c1"'];
const wrap = (tag: string, inner: string) => `<${tag}>${inner}</${tag.split(' ')[0]}>`;
const nested = fc.oneof(
  fc.tuple(fc.constantFrom(...TAGS), fc.array(fc.oneof(leaf, spacing), { minLength: 1, maxLength: 3 })).map(([tag, kids]) => wrap(tag, kids.join(''))),
  fc.tuple(fc.constantFrom(...TAGS), word, word, word).map(([tag, a, b, c]) => wrap(tag, `${a} ${wrap(tag, b)} ${c}`)),
);

export const inline = fc
  .array(fc.oneof({ weight: 4, arbitrary: leaf }, { weight: 1, arbitrary: nested }, { weight: 1, arbitrary: spacing }), { minLength: 1, maxLength: 6 })
  .map((a) => a.join(''));

const para = inline.map((s) => `<p>${s}</p>`);
const heading = fc.tuple(fc.integer({ min: 1, max: 6 }), inline).map(([d, s]) => `<h${d}>${s}</h${d}>`);
const list = fc
  .tuple(fc.boolean(), fc.boolean(), fc.array(inline, { minLength: 1, maxLength: 4 }))
  .map(([ordered, loose, items]) => {
    const tag = ordered ? 'ol' : 'ul';
    return `<${tag}>${items.map((i) => `<li>${loose ? `<p>${i}</p>` : i}</li>`).join('')}</${tag}>`;
  });
const code = fc
  .tuple(fc.option(fc.constantFrom('java', 'python', 'c++', 'bad lang'), { nil: undefined }), fc.string({ unit: fc.constantFrom(...CHARS, '\n', '`'), maxLength: 40 }))
  .map(
    ([lang, body]) =>
      `<ac:structured-macro ac:name="code" ac:schema-version="1">${lang ? `<ac:parameter ac:name="language">${lang}</ac:parameter>` : ''}<ac:plain-text-body><![CDATA[${body.replace(/]]>/g, ']]]]><![CDATA[>')}]]></ac:plain-text-body></ac:structured-macro>`,
  );
const alert = fc
  .tuple(fc.constantFrom('info', 'note', 'warning', 'tip', 'panel'), fc.option(rawText(8), { nil: undefined }), fc.array(para, { maxLength: 2 }))
  .map(
    ([name, title, body]) =>
      `<ac:structured-macro ac:name="${name}" ac:macro-id="m">${title === undefined ? '' : `<ac:parameter ac:name="title">${xmlEscape(title)}</ac:parameter>`}<ac:rich-text-body>${body.join('')}</ac:rich-text-body></ac:structured-macro>`,
  );
const tasks = fc
  .array(fc.tuple(fc.boolean(), inline, fc.boolean()), { minLength: 1, maxLength: 3 })
  .map(
    (items) =>
      `<ac:task-list>${items.map(([done, body, span], i) => `<ac:task><ac:task-id>${i + 1}</ac:task-id><ac:task-status>${done ? 'complete' : 'incomplete'}</ac:task-status><ac:task-body>${span ? `<span class="placeholder-inline-tasks">${body}</span>` : body}</ac:task-body></ac:task>`).join('')}</ac:task-list>`,
  );
const table = fc
  .tuple(fc.boolean(), fc.array(fc.tuple(inline, inline), { minLength: 2, maxLength: 3 }))
  .map(([wrap, rows]) => {
    const cell = (tag: string, s: string) => `<${tag}>${wrap ? `<p>${s}</p>` : s}</${tag}>`;
    return `<table data-layout="default"><tbody>${rows.map(([a, b], r) => `<tr>${cell(r ? 'td' : 'th', a)}${cell(r ? 'td' : 'th', b)}</tr>`).join('')}</tbody></table>`;
  });
/** Tables GFM cannot hold: paragraphs or a list in a cell, a header column, a merged cell. */
const richTable = fc
  .tuple(inline, inline, inline, fc.constantFrom('<td>', '<th>', '<td colspan="2">'))
  .map(
    ([a, b, c, head]) =>
      `<table ac:local-id="t9"><tbody><tr>${head}${a}${head.replace('<', '</').replace(/ .*>/, '>')}<td><p>${b}</p><p>${c}</p></td></tr><tr><td><ul><li>${a}</li></ul></td><td>${c}</td></tr></tbody></table>`,
  );
const simpleBlock = fc.oneof(
  para,
  para,
  heading,
  list,
  code,
  alert,
  tasks,
  table,
  richTable,
  fc.constant('<hr/>'),
  fc.constant('<p/>'),
  fc.constant('<p local-id="s1"/>'),
  fc.constant('<ac:structured-macro ac:name="toc"><ac:parameter ac:name="maxLevel">2</ac:parameter></ac:structured-macro>'),
  word.map((f) => `<ac:image ac:align="center" ac:width="600"><ri:attachment ri:filename="${f}.png"/><ac:caption><p>${f} caption</p></ac:caption></ac:image>`),
);
const quote = fc.array(fc.oneof(para, list), { minLength: 1, maxLength: 2 }).map((ps) => `<blockquote>${ps.join('')}</blockquote>`);
const nestedList = fc
  .tuple(inline, list, fc.boolean())
  .map(([text, inner, loose]) => `<ul><li>${loose ? `<p>${text}</p>` : text}${inner}</li><li>${loose ? '<p>x</p>' : 'x'}</li></ul>`);
const layout = fc
  .array(fc.array(simpleBlock, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 3 })
  .map((cells) => `<ac:layout><ac:layout-section ac:type="fixed-width">${cells.map((c) => `<ac:layout-cell>${c.join('')}</ac:layout-cell>`).join('')}</ac:layout-section></ac:layout>`);
const expand = fc
  .tuple(word, fc.array(simpleBlock, { maxLength: 2 }))
  .map(([t, body]) => `<ac:structured-macro ac:name="expand"><ac:parameter ac:name="title">${attrEscape(t)}</ac:parameter><ac:rich-text-body>${body.join('')}</ac:rich-text-body></ac:structured-macro>`);

export const block = fc.oneof(simpleBlock, simpleBlock, simpleBlock, quote, layout, expand, nestedList);

export const storageBody = fc.array(block, { minLength: 1, maxLength: 6 }).map((bs) => bs.join(''));

/** Markdown documents: what a person might type, metacharacters included. */
const mdInline = fc
  .array(
    fc.oneof(
      { weight: 5, arbitrary: rawText(10).filter((s) => !s.includes('\n')) },
      { weight: 1, arbitrary: word.map((w) => `**${w}**`) },
      { weight: 1, arbitrary: word.map((w) => `*${w}*`) },
      { weight: 1, arbitrary: word.map((w) => `\`${w}\``) },
      { weight: 1, arbitrary: word.map((w) => `[${w}](https://x.org/${w})`) },
      { weight: 1, arbitrary: word.map((w) => `[${w}](<../Other Page.md>)`) },
      { weight: 1, arbitrary: word.map((w) => `![${w}](Home/${w}.png)`) },
      { weight: 1, arbitrary: word.map((w) => `<span>${w}</span>`) },
      { weight: 1, arbitrary: word.map((w) => `<sup class="x">*${w}*</sup>`) },
      { weight: 1, arbitrary: word.map((w) => `<u>${w}`) },
    ),
    { minLength: 1, maxLength: 5 },
  )
  .map((a) => a.join(' ').trim())
  .filter((s) => s.length > 0);
const mdBlock = fc.oneof(
  mdInline,
  mdInline.map((s) => `## ${s}`),
  fc.array(mdInline, { minLength: 1, maxLength: 3 }).map((items) => items.map((i) => `- ${i}`).join('\n')),
  fc.array(mdInline, { minLength: 1, maxLength: 3 }).map((items) => items.map((i, n) => `${n + 1}. ${i}`).join('\n')),
  fc.array(fc.tuple(fc.boolean(), mdInline), { minLength: 1, maxLength: 3 }).map((items) => items.map(([d, i]) => `- [${d ? 'x' : ' '}] ${i}`).join('\n')),
  mdInline.map((s) => `> ${s}`),
  fc.tuple(fc.constantFrom('NOTE', 'TIP', 'WARNING', 'CAUTION', 'IMPORTANT'), mdInline).map(([k, s]) => `> [!${k}]\n> ${s}`),
  fc.tuple(fc.constantFrom('', 'js', 'python'), fc.string({ unit: fc.constantFrom(...CHARS, '\n'), maxLength: 30 })).map(([l, b]) => `\`\`\`${l}\n${b.replace(/`/g, "'")}\n\`\`\``),
  fc.tuple(mdInline, mdInline).map(([a, b]) => `| h1 | h2 |\n| :-- | --: |\n| ${a.replace(/\|/g, '\\|')} | ${b.replace(/\|/g, '\\|')} |`),
  fc.constant('---'),
  fc.constant('<div>\n<b>raw</b>\n</div>'),
  fc.tuple(mdInline, mdInline).map(([a, b]) => `| h<br>x |\n| --- |\n| ${a.replace(/\|/g, '\\|')}<br>${b.replace(/\|/g, '\\|')} |`),
);
export const markdownDoc = fc.array(mdBlock, { minLength: 1, maxLength: 6 }).map((bs) => bs.join('\n\n') + '\n');
