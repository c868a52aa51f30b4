/**
 * Small helpers for writing Markdown (GFM) text by hand, shared by the ADF and wiki-markup converters: escaping of
 * literal text, code spans and fences that survive any content, and the line-start guards of a paragraph.
 */

/** Escapes characters that would start Markdown syntax inside a line of text. `_` only at a word boundary. */
export function escapeText(s: string): string {
  return s
    .replace(/[\\`*[\]<~]/g, '\\$&')
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '\\&')
    .replace(/_+/g, (run, at: number, all: string) => {
      const before = all[at - 1] ?? '';
      const after = all[at + run.length] ?? '';
      const word = /[\p{L}\p{N}]/u;
      return word.test(before) && word.test(after) ? run : run.replace(/_/g, '\\_');
    });
}

/**
 * Guards the start of each line of a paragraph so that it stays a paragraph: leading blanks dropped (they would make
 * an indented code block) and a leading `#`, `>`, `-`/`+` bullet, `1.` number or setext underline escaped.
 */
export function guardLines(s: string): string {
  return s
    .split('\n')
    .map((line) =>
      line
        .replace(/^[ \t]+/, '')
        .replace(/^(#{1,6}(?=[ \t]|$)|>|[-+](?=[ \t]|$)|[-=]+[ \t]*$)/, '\\$1')
        .replace(/^(\d{1,9})([.)])(?=[ \t]|$)/, '$1\\$2'),
    )
    .join('\n');
}

/** A code span holding `s` verbatim: a backtick run longer than any inside, padded where the text needs it. */
export function codeSpan(s: string): string {
  const text = s.replace(/\n/g, ' ');
  if (text === '') return '';
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || (/^ .*[^ ].* $/.test(text) && text.length > 2) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced code block: a fence longer than any backtick run of the content; the info string cleaned to one word. */
export function codeFence(code: string, language?: string): string {
  const longest = Math.max(2, ...(code.match(/^[ \t]*`+/gm) ?? []).map((r) => r.trim().length));
  const fence = '`'.repeat(longest + 1);
  const lang = (language ?? '').replace(/[\s`]+/g, '').slice(0, 40);
  const body = code.replace(/\r\n?/g, '\n').replace(/\n$/, '');
  return `${fence}${lang}\n${body}${body ? '\n' : ''}${fence}`;
}

/** Prefixes every line (blank lines get the prefix without its trailing space). */
export function prefixLines(s: string, first: string, rest: string = first): string {
  return s
    .split('\n')
    .map((line, i) => {
      const p = i === 0 ? first : rest;
      return line === '' ? p.trimEnd() : p + line;
    })
    .join('\n');
}

/** A link destination that cannot break out of `(…)`: angle brackets when it has spaces or parentheses. */
export function linkDestination(url: string): string {
  const u = url.replace(/[\r\n]/g, '');
  if (u === '') return '<>';
  if (/[\s()<>]/.test(u)) return `<${u.replace(/[<>\\]/g, (c) => encodeURIComponent(c))}>`;
  return u;
}

/** A GFM table from rows of already-written inline cells (the first row is the header). */
export function gfmTable(rows: string[][]): string {
  const width = Math.max(1, ...rows.map((r) => r.length));
  const cell = (c: string | undefined) => (c ?? '').replace(/\n/g, ' ').replace(/\|/g, '\\|').trim();
  const line = (r: string[]) => `| ${Array.from({ length: width }, (_, i) => cell(r[i])).join(' | ')} |`;
  const [head = [], ...body] = rows;
  return [line(head), `| ${Array.from({ length: width }, () => '---').join(' | ')} |`, ...body.map(line)].join('\n');
}

/** A bare address as a link: `<url>` when it can be one, else `[url](<url>)`. */
export function autolink(url: string): string {
  if (!url) return '';
  if (/^[a-z][a-z0-9+.-]{1,31}:[^\s<>]*$/i.test(url)) return `<${url}>`;
  return `[${escapeText(url)}](${linkDestination(url)})`;
}
