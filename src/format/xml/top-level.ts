/**
 * Where a storage body can be cut into pieces that parse alone and whose canonical forms join into the whole's: right
 * between two top-level elements with nothing between them (no text, comment or CDATA). A cheap tag scanner (no
 * tree): comments, CDATA, processing instructions and quoted attribute values are skipped. Canonical forms treat
 * each top-level node on its own (canonical.ts: attributes per element; whitespace text judged by its neighbours,
 * which a cut between two elements never separates from it), so a big body is canonicalised piece by piece instead of
 * as one tree of the whole page.
 */

/**
 * A piece of a body: `xml.slice(from, to)`. Inside a big top-level list (`<ul>`, `<ol>`, `<ac:task-list>` without
 * attributes), pieces are cut between two adjacent items too, and such a piece parses inside the list's tags:
 * `open` and `close` wrap it before it is parsed and come off its canonical form after (a list holds elements
 * only, so its items are canonical each on their own).
 */
export interface XmlPiece {
  from: number;
  to: number;
  open: string;
  close: string;
}

const LIST_OPEN = /^<(ul|ol|ac:task-list)>$/;

/** Pieces of about `chunk` characters (see XmlPiece); one piece when there is nothing to cut or the body does not scan. */
export function topLevelPieces(xml: string, chunk: number): XmlPiece[] {
  const whole = [{ from: 0, to: xml.length, open: '', close: '' }];
  if (xml.length <= chunk) return whole;
  const cuts: Array<{ at: number; list?: string }> = [];
  let depth = 0;
  let lastEnd = -1;
  let lastCut = 0;
  // The top-level list being read (its name), and where its last item ended.
  let list: string | undefined;
  let itemEnd = -1;
  let i = xml.indexOf('<');
  while (i >= 0) {
    let next: number;
    if (xml.startsWith('<!--', i) || xml.startsWith('<![CDATA[', i) || xml.startsWith('<?', i) || xml.startsWith('<!', i)) {
      const close = xml.startsWith('<!--', i) ? '-->' : xml.startsWith('<![CDATA[', i) ? ']]>' : '>';
      const at = xml.indexOf(close, i + 2);
      if (at < 0) return whole;
      next = at + close.length;
      if (depth === 0) lastEnd = -1;
    } else {
      const closing = xml.charCodeAt(i + 1) === 47; // '/'
      let j = i + (closing ? 2 : 1);
      let quote = '';
      for (; j < xml.length; j++) {
        const c = xml.charCodeAt(j);
        if (quote) {
          if (c === quote.charCodeAt(0)) quote = '';
        } else if (c === 34 || c === 39) quote = String.fromCharCode(c);
        else if (c === 62) break; // '>'
      }
      if (j >= xml.length) return whole;
      next = j + 1;
      const selfClosing = !closing && xml.charCodeAt(j - 1) === 47;
      if (closing) {
        depth--;
        if (depth < 0) return whole;
        if (depth === 0) {
          lastEnd = next;
          list = undefined;
        } else if (depth === 1) itemEnd = next;
      } else {
        if (depth === 0 && lastEnd === i && i - lastCut >= chunk) {
          cuts.push({ at: i });
          lastCut = i;
        } else if (depth === 1 && list !== undefined && itemEnd === i && i - lastCut >= chunk) {
          cuts.push({ at: i, list });
          lastCut = i;
        }
        if (depth === 0 && !selfClosing) {
          list = LIST_OPEN.exec(xml.slice(i, next))?.[1];
          itemEnd = -1;
        }
        if (selfClosing) {
          if (depth === 0) lastEnd = next;
          else if (depth === 1) itemEnd = next;
        } else depth++;
      }
    }
    const lt = xml.indexOf('<', next);
    if (depth === 0 && lt !== next) lastEnd = -1;
    i = lt;
  }
  if (depth !== 0 || !cuts.length) return whole;
  const pieces: XmlPiece[] = [];
  let from = 0;
  let open = '';
  for (const c of [...cuts, { at: xml.length }]) {
    const inList = 'list' in c ? c.list : undefined;
    pieces.push({ from, to: c.at, open, close: inList ? `</${inList}>` : '' });
    open = inList ? `<${inList}>` : '';
    from = c.at;
  }
  return pieces;
}
