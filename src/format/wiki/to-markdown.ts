/**
 * Wiki markup (Jira Data Center and Server bodies, Confluence's old editor) → GitHub-flavoured Markdown, for reading.
 *
 * Blocks: `h1.`…`h6.`, paragraphs (a single line break is a line break, as Jira renders it), `*` / `#` / `-` lists
 * (nested and mixed: `#*`), `||head||` / `|cell|` tables, `{code:lang}`, `{noformat}`, `{quote}`, `bq.`, `{panel}`
 * and Confluence's `{info}` `{tip}` `{note}` `{warning}` (GitHub alerts, the project's colours), `----`. Inline: see
 * ./inline.ts. Unknown macros stay as typed text; nothing is dropped, and any input gives output without throwing.
 *
 * Written here rather than taken from npm: jira2md 3.0.1 and j2m 1.1.0 (regular-expression chains) both rewrote the
 * inside of code blocks (`# comment` became `1. comment`, `*x*` became `**x**`), broke `[~user]` mentions and
 * `~/path` text into subscripts, and left `{quote}`, `\\` and `!image|thumbnail!` as typed (see the report of the
 * branch that added this, measured on the realistic documents of test/format/wiki).
 */
import { MACRO_TO_ALERT } from '../markdown/syntax.js';
import { codeFence, escapeText, gfmTable, guardLines, prefixLines } from '../md-text.js';
import { wikiInline, type WikiOptions } from './inline.js';

export interface WikiToMarkdownOptions {
  /** Where an attachment (an image `!name.png!` or a `[^name]` link) points to. Default: its name. */
  attachmentTarget?: (name: string) => string;
}

/** Markdown for a wiki-markup body. Ends with a line break unless empty. */
export function wikiToMarkdown(text: string, options: WikiToMarkdownOptions = {}): string {
  const opts: WikiOptions = { attachmentTarget: options.attachmentTarget ?? ((n) => n) };
  const src = typeof text === 'string' ? text : text == null ? '' : String(text as unknown);
  let out: string;
  try {
    out = blocks(src.replace(/\r\n?/g, '\n').split('\n'), opts, 0);
  } catch {
    // Only input nested deeper than the stack allows gets here: its text as it is, escaped.
    out = src
      .split(/\n{2,}/)
      .map((p) => guardLines(escapeText(p)))
      .join('\n\n');
  }
  out = out.replace(/\n{3,}/g, '\n\n').replace(/^\n+|\s+$/g, '');
  return out ? `${out}\n` : '';
}

const BLOCK_MACRO = /^\s*\{(code|noformat|quote|panel|info|tip|note|warning)(?::([^}]*))?\}/;
const LIST_LINE = /^\s*([*#]+|-)\s+(.*)$/;
const TABLE_LINE = /^\s*\|/;
const HEADING = /^\s*h([1-6])\.\s*(.*)$/;

function blocks(lines: string[], opts: WikiOptions, depth: number): string {
  const parts: string[] = [];
  let para: string[] = [];
  const flush = () => {
    const text = para.join('\n').trim();
    para = [];
    if (text) parts.push(guardLines(wikiInline(text, opts)).replace(/(\\\n)+$/, ''));
  };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      flush();
      i++;
      continue;
    }
    const macro = BLOCK_MACRO.exec(line);
    if (macro && depth < 50) {
      const name = macro[1]!;
      const close = `{${name}}`;
      // The body runs to the closing tag: on this line after the opening tag, or on a later line.
      const after = line.slice(macro[0].length);
      const body: string[] = [];
      let tail = '';
      let j = i;
      let rest = after;
      let closed = false;
      for (;;) {
        const at = rest.indexOf(close);
        if (at >= 0) {
          body.push(rest.slice(0, at));
          tail = rest.slice(at + close.length);
          closed = true;
          break;
        }
        body.push(rest);
        j++;
        if (j >= lines.length) break;
        rest = lines[j]!;
      }
      if (closed || name === 'code' || name === 'noformat') {
        flush();
        if (body[0]?.trim() === '') body.shift();
        if (body.length && body[body.length - 1]!.trim() === '') body.pop();
        parts.push(macroBlock(name, params(macro[2] ?? ''), body, opts, depth));
        i = j + 1;
        if (tail.trim()) lines.splice(i, 0, tail);
        continue;
      }
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      const text = wikiInline(heading[2]!.trim(), opts).replace(/\\\n|\n/g, ' ');
      if (text) parts.push(`${'#'.repeat(Number(heading[1]))} ${text}`);
      i++;
      continue;
    }
    if (/^\s*----\s*$/.test(line)) {
      flush();
      parts.push('---');
      i++;
      continue;
    }
    if (/^\s*bq\.\s/.test(line)) {
      flush();
      parts.push(prefixLines(guardLines(wikiInline(line.replace(/^\s*bq\.\s*/, ''), opts)), '> '));
      i++;
      continue;
    }
    if (LIST_LINE.test(line)) {
      flush();
      let j = i;
      const items: string[] = [];
      while (j < lines.length && lines[j]!.trim() !== '' && !BLOCK_MACRO.test(lines[j]!) && !HEADING.test(lines[j]!) && !TABLE_LINE.test(lines[j]!)) {
        if (LIST_LINE.test(lines[j]!) || !items.length) items.push(lines[j]!);
        else items[items.length - 1] += `\n${lines[j]!}`;
        j++;
      }
      parts.push(list(items, opts));
      i = j;
      continue;
    }
    if (TABLE_LINE.test(line)) {
      flush();
      let j = i;
      const rows: string[] = [];
      while (j < lines.length && lines[j]!.trim() !== '' && !BLOCK_MACRO.test(lines[j]!) && !HEADING.test(lines[j]!)) {
        if (TABLE_LINE.test(lines[j]!) || !rows.length) rows.push(lines[j]!.trim());
        else rows[rows.length - 1] += `\n${lines[j]!}`;
        j++;
      }
      parts.push(table(rows, opts));
      i = j;
      continue;
    }
    para.push(line);
    i++;
  }
  flush();
  return parts.filter((p) => p.trim() !== '').join('\n\n');
}

/** `title=Runbook|borderStyle=dashed` → {title: 'Runbook', …}; a bare first value (`{code:java}`) is `_`. */
function params(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  s.split('|').forEach((part, i) => {
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (i === 0 && part.trim()) out._ = part.trim();
    } else out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  });
  return out;
}

function macroBlock(name: string, p: Record<string, string>, body: string[], opts: WikiOptions, depth: number): string {
  switch (name) {
    case 'code': {
      const lang = p.language ?? p._ ?? '';
      const title = p.title ? `*${escapeText(p.title)}*\n\n` : '';
      return title + codeFence(body.join('\n'), lang);
    }
    case 'noformat':
      return codeFence(body.join('\n'));
    case 'quote':
      return prefixLines(blocks(body, opts, depth + 1), '> ');
    default: {
      // panel, info, tip, note, warning: an alert, the title after the marker.
      const kind = MACRO_TO_ALERT[name] ?? 'NOTE';
      const title = p.title ? ` ${wikiInline(p.title, opts).replace(/\\\n|\n/g, ' ')}` : '';
      const inner = blocks(body, opts, depth + 1);
      return prefixLines(`[!${kind}]${title}${inner ? `\n${inner}` : ''}`, '> ');
    }
  }
}

/** List lines (`*`, `#`, `-`, nested as `**`, `#*`…) → nested Markdown lists, numbered per level. */
function list(items: string[], opts: WikiOptions): string {
  const out: string[] = [];
  // The open levels: their kind (`*` or `#`), their items so far and the width of their marker.
  const stack: Array<{ kind: string; count: number; width: number }> = [];
  for (const item of items) {
    const [head = '', ...more] = item.split('\n');
    const m = LIST_LINE.exec(head);
    const marks = m ? (m[1] === '-' ? '*' : m[1]!) : '*';
    const text = [m ? m[2]! : head, ...more].join('\n').trim();
    const level = marks.length;
    const kind = marks[level - 1]!;
    stack.length = Math.min(stack.length, level);
    // Deeper than the list so far (`#*` at the start): the missing levels get an empty item each.
    while (stack.length < level - 1) {
      const k = marks[stack.length]!;
      const indent = ' '.repeat(stack.reduce((a, e) => a + e.width, 0));
      const marker = k === '#' ? '1.' : '-';
      stack.push({ kind: k, count: 1, width: marker.length + 1 });
      out.push(`${indent}${marker}`);
    }
    if (stack.length === level && stack[level - 1]!.kind !== kind) stack.pop();
    if (stack.length === level - 1) stack.push({ kind, count: 0, width: 2 });
    const top = stack[level - 1]!;
    top.count++;
    const marker = kind === '#' ? `${top.count}.` : '-';
    top.width = marker.length + 1;
    const indent = ' '.repeat(stack.slice(0, -1).reduce((a, e) => a + e.width, 0));
    const body = guardLines(wikiInline(text, opts));
    out.push(prefixLines(body, `${indent}${marker} `, `${indent}${' '.repeat(marker.length + 1)}`));
  }
  return out.join('\n');
}

/** `||a||b||` header rows and `|c|d|` rows → a GFM table (the first row is the header, or an empty one). */
function table(rows: string[], opts: WikiOptions): string {
  const parsed = rows.map(cells);
  const cellOpts = { ...opts, inTable: true };
  const md = parsed.map((r) => r.cells.map((c) => wikiInline(c.trim(), cellOpts).replace(/\n/g, '<br>')));
  const headerFirst = parsed[0]!.header;
  const width = Math.max(1, ...md.map((r) => r.length));
  return gfmTable(headerFirst ? md : [Array.from({ length: width }, () => ''), ...md]);
}

/** The cells of one table row; `|` inside `[link|x]`, `{{a|b}}`, `!img|opts!` and `\|` does not split. */
function cells(row: string): { header: boolean; cells: string[] } {
  const out: string[] = [];
  let cur = '';
  let i = 0;
  const header = row.startsWith('||');
  while (row[i] === '|') i++;
  for (; i < row.length; i++) {
    const c = row[i]!;
    if (c === '\\' && i + 1 < row.length && row[i + 1] !== '\\') {
      cur += c + row[i + 1];
      i++;
      continue;
    }
    if (c === '[') {
      const end = row.indexOf(']', i);
      if (end > i) {
        cur += row.slice(i, end + 1);
        i = end;
        continue;
      }
    }
    if (c === '{' && row[i + 1] === '{') {
      const end = row.indexOf('}}', i);
      if (end > i) {
        cur += row.slice(i, end + 2);
        i = end + 1;
        continue;
      }
    }
    if (c === '!') {
      const m = /![^\s!|][^!\n|]*\|[^!\n|]*!/y;
      m.lastIndex = i;
      if (m.exec(row)) {
        cur += row.slice(i, m.lastIndex);
        i = m.lastIndex - 1;
        continue;
      }
    }
    if (c === '|') {
      out.push(cur);
      cur = '';
      while (row[i + 1] === '|') i++;
      continue;
    }
    cur += c;
  }
  if (cur.trim() !== '') out.push(cur);
  return { header, cells: out };
}
