/**
 * What Confluence does to a stored body: it adds ac:macro-id and ac:schema-version to macros, ac:local-id to task
 * lists and tasks, ri:version-at-save to attachment references, writes self-closing tags as `<x />`, and replaces
 * some named entities with the characters they stand for. The emulator does the same, deterministically (ids are
 * derived from the page id and the element's position) and idempotently (rewriting a rewritten body changes
 * nothing), so no client can rely on getting back the bytes it sent.
 */
import { createHash } from 'node:crypto';

function uuidFrom(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const ENTITY_CHARS: Record<string, string> = {
  mdash: '—',
  ndash: '–',
  hellip: '…',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
  copy: '©',
  reg: '®',
  trade: '™',
  '#39': "'",
};

export function rewriteStorage(body: string, pageId: string, version: number): string {
  let macro = 0;
  let task = 0;
  // CDATA sections are left alone: split around them.
  const parts = body.split(/(<!\[CDATA\[[\s\S]*?\]\]>)/);
  for (let i = 0; i < parts.length; i += 2) {
    let s = parts[i]!;
    s = s.replace(/<ac:structured-macro\b([^>]*?)(\/?)>/g, (_m, attrs: string, selfClose: string) => {
      const idx = macro++;
      let a = attrs;
      const name = /ac:name="([^"]*)"/.exec(a)?.[1] ?? 'macro';
      if (!/\bac:schema-version=/.test(a)) a += ' ac:schema-version="1"';
      if (!/\bac:macro-id=/.test(a)) a += ` ac:macro-id="${uuidFrom(`${pageId}:${idx}:${name}`)}"`;
      return `<ac:structured-macro${a}${selfClose ? ' /' : ''}>`;
    });
    s = s.replace(/<ac:(task-list|task)(?=[\s>])([^>]*)>/g, (m, tag: string, attrs: string) => {
      if (/\bac:local-id=/.test(attrs)) return m;
      return `<ac:${tag}${attrs} ac:local-id="${uuidFrom(`${pageId}:${tag}:${task++}`)}">`;
    });
    s = s.replace(/<ri:attachment\b([^>]*?)\s*\/>/g, (m, attrs: string) =>
      /\bri:version-at-save=/.test(attrs) ? m : `<ri:attachment${attrs} ri:version-at-save="${version}" />`,
    );
    // Self-closing tags are written `<x />`.
    s = s.replace(/<([A-Za-z][\w:-]*)((?:\s+[^<>]*?)?)\s*\/>/g, (_m, tag: string, attrs: string) => `<${tag}${attrs.replace(/\s+$/, '')} />`);
    s = s.replace(/&(mdash|ndash|hellip|rsquo|lsquo|rdquo|ldquo|copy|reg|trade|#39);/g, (_m, e: string) => ENTITY_CHARS[e]!);
    parts[i] = s;
  }
  return parts.join('');
}
