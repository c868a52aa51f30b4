/**
 * Wiki markup (Jira and Confluence Data Center) inline text → Markdown: `*strong*`, `_emphasis_`, `-strike-`,
 * `+underline+`, `^sup^`, `~sub~`, `??citation??`, `{{monospace}}`, `[text|url]`, `[~user]`, `[^attachment]`,
 * `!image.png|thumbnail!`, bare addresses, `\\` line breaks, `\x` escapes, `{color}` (dropped, its text kept) and the
 * common emoticons. A formatting character counts only at a word edge with text right inside it, as Jira renders
 * it: `ABC-12 and DEF-34` or `~/tmp and ~/cache` stay as typed.
 */
import { autolink, codeSpan, escapeText, linkDestination } from '../md-text.js';

export interface WikiOptions {
  /** Where an attachment (an image `!name.png!` or a `[^name]` link) points to. Default: its name. */
  attachmentTarget: (name: string) => string;
  /** Inside a table cell: line breaks become `<br>`. */
  inTable?: boolean;
}

const FORMAT: Record<string, [string, string]> = {
  '*': ['**', '**'],
  _: ['*', '*'],
  '-': ['~~', '~~'],
  '+': ['<u>', '</u>'],
  '^': ['<sup>', '</sup>'],
  '~': ['<sub>', '</sub>'],
};

const EMOTICONS: Record<string, string> = {
  '(/)': '✅',
  '(x)': '❌',
  '(!)': '⚠️',
  '(?)': '❓',
  '(i)': 'ℹ️',
  '(y)': '👍',
  '(n)': '👎',
  '(on)': '💡',
  '(off)': '💡',
  '(*)': '⭐',
  '(+)': '➕',
  '(-)': '➖',
  ':)': '🙂',
  ':(': '🙁',
  ':D': '😃',
  ';)': '😉',
  ':P': '😛',
};
const EMOTICON_RE = /\((?:\/|x|!|\?|i|y|n|on|off|\*|\+|-)\)|[:;][)(DP](?![\w])/y;

const isWord = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);
const isSpace = (c: string | undefined) => c === undefined || /\s/.test(c);

export function wikiInline(s: string, opts: WikiOptions): string {
  // The last closer search per marker: a later search that starts before its answer gets the same answer (a line of
  // a thousand unmatched `*` would otherwise be scanned a thousand times).
  const searches = new Map<string, { from: number; found: number; end: number }>();
  const findCloser = (at: number, fmt: string, tight: boolean): number => {
    const first = s[at + fmt.length];
    if (isSpace(first) || first === fmt[0]) return -1;
    const key = `${fmt}${tight ? '!' : ''}`;
    const last = searches.get(key);
    if (last && at >= last.from) {
      if (last.found === -1 && at < last.end) return -1;
      if (last.found > at + fmt.length) return last.found;
    }
    const r = closer(s, at, fmt, tight);
    searches.set(key, { from: at, found: r.found, end: r.end });
    return r.found;
  };
  let out = '';
  let lit = '';
  const flush = () => {
    out += escapeText(lit);
    lit = '';
  };
  const emit = (md: string) => {
    flush();
    out += md;
  };
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    const rest = s.slice(i, i + 2);
    if (rest === '\\\\') {
      emit(opts.inTable ? '<br>' : '\\\n');
      // `\\` at the end of a line is one break, not two.
      i += s[i + 2] === '\n' ? 3 : 2;
      continue;
    }
    if (c === '\\' && i + 1 < s.length) {
      lit += s[i + 1];
      i += 2;
      continue;
    }
    if (c === '\n') {
      emit(opts.inTable ? '<br>' : '\\\n');
      i++;
      continue;
    }
    if (rest === '{{') {
      const end = s.indexOf('}}', i + 2);
      if (end > i + 2) {
        emit(codeSpan(s.slice(i + 2, end)));
        i = end + 2;
        continue;
      }
    }
    if (c === '{') {
      // {color:red}…{color} and other inline macro tags: the tag goes, the text stays.
      const m = /\{(color|anchor|span)(?::[^}\n]*)?\}/y;
      m.lastIndex = i;
      if (m.exec(s)) {
        i = m.lastIndex;
        continue;
      }
    }
    if (c === '[') {
      const end = s.indexOf(']', i + 1);
      const inner = end > i ? s.slice(i + 1, end) : '';
      if (end > i + 1 && !inner.includes('\n') && !inner.includes('[')) {
        emit(link(inner, opts));
        i = end + 1;
        continue;
      }
    }
    if (c === '!') {
      const m = /!([^\s!|][^!\n|]*?)(?:\|([^!\n]*))?!/y;
      m.lastIndex = i;
      const hit = m.exec(s);
      if (hit && (/\.[A-Za-z0-9]{2,5}$/.test(hit[1]!) || /^[a-z]+:\/\//i.test(hit[1]!))) {
        const name = hit[1]!.trim();
        const target = /^[a-z]+:\/\//i.test(name) ? name : opts.attachmentTarget(name);
        const alt = name.replace(/^.*\//, '');
        emit(`![${escapeText(alt)}](${linkDestination(target)})`);
        i = m.lastIndex;
        continue;
      }
    }
    if ((c === 'h' || c === 'f' || c === 'm') && !isWord(s[i - 1])) {
      const m = /(?:https?:\/\/|ftp:\/\/|mailto:)[^\s<>[\]|"]+[^\s<>[\]|".,;:!?)'*_]/y;
      m.lastIndex = i;
      if (m.exec(s)) {
        emit(autolink(s.slice(i, m.lastIndex)));
        i = m.lastIndex;
        continue;
      }
    }
    if (c === '(' || c === ':' || c === ';') {
      EMOTICON_RE.lastIndex = i;
      const m = EMOTICON_RE.exec(s);
      if (m && (c === '(' || isSpace(s[i - 1]))) {
        emit(EMOTICONS[m[0]] ?? m[0]);
        i = EMOTICON_RE.lastIndex;
        continue;
      }
    }
    const fmt = c === '?' && s[i + 1] === '?' ? '??' : FORMAT[c] ? c : '';
    // Superscript and subscript sit right against words (`x^2^`, `H~2~O`); the others need a word edge.
    const tight = c === '^' || c === '~';
    if (fmt && (tight || !isWord(s[i - 1])) && s[i - 1] !== c) {
      const close = findCloser(i, fmt, tight);
      if (close > 0) {
        const inner = wikiInline(s.slice(i + fmt.length, close), opts);
        const [a, b] = fmt === '??' ? ['*', '*'] : FORMAT[c]!;
        emit(`${a}${inner}${b}`);
        i = close + fmt.length;
        continue;
      }
    }
    lit += c;
    i++;
  }
  flush();
  return out;
}

/** Where a formatting run opened at `at` closes on the same line (-1 when it does not), and where the search ended. */
function closer(s: string, at: number, fmt: string, tight = false): { found: number; end: number } {
  const start = at + fmt.length;
  const first = s[start];
  if (isSpace(first) || first === fmt[0]) return { found: -1, end: start };
  let j = start + 1;
  for (; j < s.length; j++) {
    if (s[j] === '\n') return { found: -1, end: j };
    if (s[j] === '\\') {
      j++;
      continue;
    }
    if (s[j] === '{' && s[j + 1] === '{') {
      const end = s.indexOf('}}', j + 2);
      if (end > 0) j = end + 1;
      continue;
    }
    if (s.startsWith(fmt, j) && !isSpace(s[j - 1]) && s[j - 1] !== fmt[0] && (tight || !isWord(s[j + fmt.length])) && s[j + fmt.length] !== fmt[0]) return { found: j, end: j };
  }
  return { found: -1, end: j };
}

/** `[text|target]`, `[target]`, `[~user]`, `[^attachment]`, `[#anchor]`, `[mailto:x]`. */
function link(inner: string, opts: WikiOptions): string {
  const bar = inner.lastIndexOf('|');
  const text = bar >= 0 ? inner.slice(0, bar).trim() : '';
  let target = (bar >= 0 ? inner.slice(bar + 1) : inner).trim();
  if (target.startsWith('~')) {
    const user = target.slice(1).replace(/^accountid:/i, '');
    return escapeText(`@${text || user}`);
  }
  let label = text || target.replace(/^mailto:/i, '');
  if (target.startsWith('^')) {
    target = opts.attachmentTarget(target.slice(1));
    label = text || inner.replace(/^.*\|/, '').slice(1);
  } else if (!/^((https?|ftp|sftp|file|mailto|tel|ssh|irc|news):|#|\/)/i.test(target)) {
    // A page or issue reference (`[Some page]`, `[SPACE:Page]`, `[ABC-123]`): no address to link to; its words.
    return escapeText(text ? `${text} (${target})` : target);
  }
  const labelMd = text ? wikiInline(label, { ...opts, inTable: true }).replace(/<br>/g, ' ') : escapeText(label);
  return `[${labelMd}](${linkDestination(target)})`;
}
