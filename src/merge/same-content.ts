/**
 * Normalised comparison of two local texts. Used to tell a false conflict (both sides hold the same page) from a
 * real one: editors and converters differ in line endings, a leading BOM and the whitespace they leave at the end
 * of a file, none of which the user means as an edit. Whitespace inside a line is kept: in Markdown two trailing
 * spaces are a hard line break.
 */
export function sameContent(a: string, b: string): boolean {
  return normaliseForComparison(a) === normaliseForComparison(b);
}

export function normaliseForComparison(text: string): string {
  const noBom = text.startsWith('\ufeff') ? text.slice(1) : text;
  return noBom.replace(/\r\n/g, '\n').replace(/\s+$/, '');
}
