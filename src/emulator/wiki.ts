/**
 * Confluence wiki markup → storage for the common cases: h1.–h6., paragraphs, *bold*, _italic_, -strike-,
 * +underline+, {{monospace}}, [text|url] and [Page title] links, * / # lists (nested by repetition), {code}/{noformat}
 * blocks, bq. quotes, ---- rules, || header || and | cell | tables.
 */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function inline(text: string): string {
  let s = esc(text);
  s = s.replace(/\{\{(.+?)\}\}/g, '<code>$1</code>');
  s = s.replace(/\[([^\]|]+)\|([^\]]+)\]/g, (_m, label: string, url: string) => (/^(https?:|mailto:|\/)/.test(url) ? `<a href="${url.replace(/"/g, '&quot;')}">${label}</a>` : `<ac:link><ri:page ri:content-title="${url.replace(/"/g, '&quot;')}" /><ac:plain-text-link-body><![CDATA[${label}]]></ac:plain-text-link-body></ac:link>`));
  s = s.replace(/\[([^\]|]+)\]/g, (_m, target: string) => (/^(https?:|mailto:)/.test(target) ? `<a href="${target.replace(/"/g, '&quot;')}">${target}</a>` : `<ac:link><ri:page ri:content-title="${target.replace(/"/g, '&quot;')}" /></ac:link>`));
  s = s.replace(/(^|[\s(])\*(\S(?:.*?\S)?)\*(?=$|[\s).,;:!?])/g, '$1<strong>$2</strong>');
  s = s.replace(/(^|[\s(])_(\S(?:.*?\S)?)_(?=$|[\s).,;:!?])/g, '$1<em>$2</em>');
  s = s.replace(/(^|[\s(])-(\S(?:.*?\S)?)-(?=$|[\s).,;:!?])/g, '$1<s>$2</s>');
  s = s.replace(/(^|[\s(])\+(\S(?:.*?\S)?)\+(?=$|[\s).,;:!?])/g, '$1<u>$2</u>');
  return s.replace(/\\\\/g, '<br />');
}

function list(lines: string[]): string {
  // Build nested lists from marker prefixes like "*", "**", "#", "*#".
  let out = '';
  const stack: string[] = [];
  for (const line of lines) {
    const m = /^([*#-]+)\s+(.*)$/.exec(line)!;
    const markers = m[1]!.replace(/-/g, '*');
    while (stack.length > markers.length || (stack.length && stack.join('') !== markers.slice(0, stack.length))) {
      out += `</li></${stack.pop() === '#' ? 'ol' : 'ul'}>`;
    }
    if (stack.length === markers.length) out += '</li>';
    while (stack.length < markers.length) {
      const c = markers[stack.length]!;
      stack.push(c);
      out += c === '#' ? '<ol>' : '<ul>';
    }
    out += `<li>${inline(m[2]!)}`;
  }
  while (stack.length) out += `</li></${stack.pop() === '#' ? 'ol' : 'ul'}>`;
  return out;
}

export function wikiToStorage(wiki: string): string {
  const lines = wiki.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length) out.push(`<p>${para.map(inline).join('<br />')}</p>`);
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const code = /^\{(code|noformat)(?::([^}]*))?\}(.*)$/.exec(line.trim());
    if (code) {
      flush();
      const body: string[] = [];
      let rest = code[3] ?? '';
      const close = `{${code[1]}}`;
      while (!rest.includes(close) && i + 1 < lines.length) {
        if (rest) body.push(rest);
        rest = lines[++i]!;
      }
      const end = rest.indexOf(close);
      if (end >= 0 && rest.slice(0, end)) body.push(rest.slice(0, end));
      else if (end < 0 && rest) body.push(rest);
      const lang = (code[2] ?? '').split('|').map((p) => p.split('=')).find(([k, v]) => v !== undefined ? k === 'language' || k === 'lang' : Boolean(k));
      const language = lang ? (lang[1] ?? lang[0]) : undefined;
      out.push(`<ac:structured-macro ac:name="${code[1] === 'code' ? 'code' : 'noformat'}">${language && code[1] === 'code' ? `<ac:parameter ac:name="language">${esc(language)}</ac:parameter>` : ''}<ac:plain-text-body><![CDATA[${body.join('\n')}]]></ac:plain-text-body></ac:structured-macro>`);
      continue;
    }
    let m: RegExpExecArray | null;
    if (!line.trim()) flush();
    else if ((m = /^h([1-6])\.\s*(.*)$/.exec(line))) {
      flush();
      out.push(`<h${m[1]}>${inline(m[2]!)}</h${m[1]}>`);
    } else if ((m = /^bq\.\s*(.*)$/.exec(line))) {
      flush();
      out.push(`<blockquote><p>${inline(m[1]!)}</p></blockquote>`);
    } else if (/^-{4,}\s*$/.test(line)) {
      flush();
      out.push('<hr />');
    } else if (/^[*#]+\s+/.test(line) || /^-\s+/.test(line)) {
      flush();
      const items: string[] = [];
      while (i < lines.length && (/^[*#]+\s+/.test(lines[i]!) || /^-\s+/.test(lines[i]!))) items.push(lines[i++]!);
      i--;
      out.push(list(items));
    } else if (/^\|/.test(line)) {
      flush();
      const rows: string[] = [];
      while (i < lines.length && /^\|/.test(lines[i]!)) {
        const row = lines[i++]!.trim();
        const header = row.startsWith('||');
        const cells = row.replace(/^\|\|?/, '').replace(/\|\|?$/, '').split(header ? '||' : '|');
        rows.push(`<tr>${cells.map((c) => (header ? `<th>${inline(c.trim())}</th>` : `<td>${inline(c.trim())}</td>`)).join('')}</tr>`);
      }
      i--;
      out.push(`<table><tbody>${rows.join('')}</tbody></table>`);
    } else para.push(line);
  }
  flush();
  return out.join('');
}
