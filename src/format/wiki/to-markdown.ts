// PLACEHOLDER — replaced by branch adf at merge
/** Jira wiki markup → Markdown. Placeholder: the text as it is, paragraphs kept. */
export function wikiToMarkdown(text: string): string {
  const t = text.replace(/\r\n?/g, '\n').trim();
  return t ? `${t}\n` : '';
}
