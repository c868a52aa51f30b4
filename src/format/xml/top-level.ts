/**
 * Where a storage body can be cut into pieces that parse alone and whose canonical forms join into the whole's: right
 * between two top-level elements with nothing between them (no text, comment or CDATA). A cheap tag scanner (no
 * tree): comments, CDATA, processing instructions and quoted attribute values are skipped. Canonical forms treat
 * each top-level node on its own (canonical.ts: attributes per element; whitespace text judged by its neighbours,
 * which a cut between two elements never separates from it), so a big body is canonicalised piece by piece instead of
 * as one tree of the whole page.
 */

/** Offsets of cuts at least `chunk` characters apart; empty when there is none (or the body does not scan). */
export function topLevelCuts(xml: string, chunk: number): number[] {
  const cuts: number[] = [];
  if (xml.length <= chunk) return cuts;
  let depth = 0;
  let lastEnd = -1;
  let lastCut = 0;
  let i = xml.indexOf('<');
  while (i >= 0) {
    let next: number;
    if (xml.startsWith('<!--', i) || xml.startsWith('<![CDATA[', i) || xml.startsWith('<?', i) || xml.startsWith('<!', i)) {
      const close = xml.startsWith('<!--', i) ? '-->' : xml.startsWith('<![CDATA[', i) ? ']]>' : '>';
      const at = xml.indexOf(close, i + 2);
      if (at < 0) return [];
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
      if (j >= xml.length) return [];
      next = j + 1;
      const selfClosing = !closing && xml.charCodeAt(j - 1) === 47;
      if (closing) {
        depth--;
        if (depth < 0) return [];
        if (depth === 0) lastEnd = next;
      } else {
        if (depth === 0 && lastEnd === i && i - lastCut >= chunk) {
          cuts.push(i);
          lastCut = i;
        }
        if (selfClosing) {
          if (depth === 0) lastEnd = next;
        } else depth++;
      }
    }
    const lt = xml.indexOf('<', next);
    if (depth === 0 && lt !== next) lastEnd = -1;
    i = lt;
  }
  return depth === 0 ? cuts : [];
}
