/** `csync compare` reports: plain text (with unified diffs) and a self-contained HTML page. */
import type { CompareReport, IssueComparison } from './compare.js';

export function textReport(r: CompareReport): string {
  const lines: string[] = [];
  lines.push(`A: ${r.a.label} (${sideCounts(r, 'a')})`);
  lines.push(`B: ${r.b.label} (${sideCounts(r, 'b')})`);
  lines.push(`matched by ${r.matchedBy}${r.issues ? ', Jira issues by key' : ''}`);
  if (r.issuesNotCompared) lines.push(`Jira issues not compared: ${r.issuesNotCompared}`);
  if (r.equal) {
    lines.push(`No differences: ${r.unchanged} page(s)${r.issues ? ` and ${r.issues.unchanged} Jira issue(s)` : ''} the same.`);
    return lines.join('\n') + '\n';
  }
  lines.push(pageSummary(r));
  if (r.issues) lines.push(issueSummary(r.issues));
  const section = (title: string, items: string[]) => {
    if (!items.length) return;
    lines.push('', `${title}:`, ...items.map((i) => `  ${i}`));
  };
  const id = (x: { id: string | null }) => (x.id ? ` [${x.id}]` : '');
  section('Only in A', r.onlyInA.map((p) => `${p.path}${id(p)}`));
  section('Only in B', r.onlyInB.map((p) => `${p.path}${id(p)}`));
  section('Moved or renamed', r.moved.map((m) => `${m.a.path} → ${m.b.path}${m.diff ? ' (content changed too)' : ''}`));
  section('Changed', r.changed.map((c) => `${c.a.path}${id(c.a)}`));
  if (r.issues) {
    section('Jira issues only in A', r.issues.onlyInA.map((i) => i.title));
    section('Jira issues only in B', r.issues.onlyInB.map((i) => i.title));
    section('Jira issues changed', r.issues.changed.map((c) => (c.a.title === c.b.title ? c.a.title : `${c.a.title} → ${c.b.title}`)));
  }
  const diffs = [...r.moved.filter((m) => m.diff), ...r.changed, ...(r.issues?.changed ?? [])];
  if (diffs.length) {
    lines.push('');
    for (const d of diffs) lines.push(d.diff.trimEnd());
  }
  return lines.join('\n') + '\n';
}

const sideCounts = (r: CompareReport, side: 'a' | 'b') =>
  `${r[side].kind}, ${r[side].pages} pages${r.issues ? `, ${r.issues[side]} Jira issues` : ''}`;
const pageSummary = (r: CompareReport) =>
  `${r.onlyInA.length} only in A, ${r.onlyInB.length} only in B, ${r.changed.length} changed, ${r.moved.length} moved or renamed, ${r.unchanged} the same`;
const issueSummary = (i: IssueComparison) =>
  `Jira issues: ${i.onlyInA.length} only in A, ${i.onlyInB.length} only in B, ${i.changed.length} changed, ${i.unchanged} the same`;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One HTML file, no scripts, no external resources: summary, lists, and each diff with added/removed lines coloured. */
export function htmlReport(r: CompareReport, generatedAt: Date): string {
  const list = (title: string, cls: string, items: string[]) =>
    items.length ? `<h2 class="${cls}">${esc(title)} (${items.length})</h2><ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>` : '';
  const id = (x: { id: string | null }) => (x.id ? ` <span class="id">${esc(x.id)}</span>` : '');
  const diffHtml = (diff: string) =>
    `<pre class="diff">${diff
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => {
        const cls = l.startsWith('+++') || l.startsWith('---') ? 'file' : l.startsWith('@@') ? 'hunk' : l.startsWith('+') ? 'add' : l.startsWith('-') ? 'del' : 'ctx';
        return `<span class="${cls}">${esc(l)}</span>`;
      })
      .join('\n')}</pre>`;
  const diffs = [...r.moved.filter((m) => m.diff).map((m) => ({ title: `${m.a.path} → ${m.b.path}`, diff: m.diff })), ...r.changed.map((c) => ({ title: c.a.path, diff: c.diff }))];
  const issueDiffs = (r.issues?.changed ?? []).map((c) => ({ title: c.a.title === c.b.title ? c.a.title : `${c.a.title} → ${c.b.title}`, diff: c.diff }));
  const summary = r.equal
    ? `<p class="equal">No differences: ${r.unchanged} page(s)${r.issues ? ` and ${r.issues.unchanged} Jira issue(s)` : ''} the same.</p>`
    : `<p>${esc(pageSummary(r))}.</p>${r.issues ? `<p>${esc(issueSummary(r.issues))}.</p>` : ''}`;
  const notCompared = r.issuesNotCompared ? `<p class="note">Jira issues not compared: ${esc(r.issuesNotCompared)}</p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>csync compare: ${esc(r.a.label)} ↔ ${esc(r.b.label)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:70em;padding:0 1em;color:#172b4d}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}h3{font-size:1em;font-family:monospace}
table{border-collapse:collapse}td,th{border:1px solid #dfe1e6;padding:.3em .6em;text-align:left}
.id{color:#6b778c;font-size:.85em}.note{color:#6b778c}.equal{color:#006644;font-weight:600}
h2.only-a{color:#bf2600}h2.only-b{color:#006644}
pre.diff{background:#f4f5f7;padding:.6em;overflow-x:auto;font-size:13px;line-height:1.35}
pre.diff span{display:block;white-space:pre-wrap}
.add{background:#e3fcef}.del{background:#ffebe6}.hunk{color:#6554c0}.file{font-weight:600}
</style></head><body>
<h1>Compare</h1>
<table><tr><th>A</th><td>${esc(r.a.label)} (${esc(sideCounts(r, 'a'))})</td></tr><tr><th>B</th><td>${esc(r.b.label)} (${esc(sideCounts(r, 'b'))})</td></tr><tr><th>matched by</th><td>${esc(r.matchedBy)}${r.issues ? ', Jira issues by key' : ''}</td></tr><tr><th>generated</th><td>${esc(generatedAt.toISOString())}</td></tr></table>
${summary}${notCompared}
${list('Only in A', 'only-a', r.onlyInA.map((p) => `${esc(p.path)}${id(p)}`))}
${list('Only in B', 'only-b', r.onlyInB.map((p) => `${esc(p.path)}${id(p)}`))}
${list('Moved or renamed', 'moved', r.moved.map((m) => `${esc(m.a.path)} → ${esc(m.b.path)}${m.diff ? ' (content changed too)' : ''}`))}
${list('Changed', 'changed', r.changed.map((c) => `${esc(c.a.path)}${id(c.a)}`))}
${list('Jira issues only in A', 'only-a', (r.issues?.onlyInA ?? []).map((i) => esc(i.title)))}
${list('Jira issues only in B', 'only-b', (r.issues?.onlyInB ?? []).map((i) => esc(i.title)))}
${list('Jira issues changed', 'changed', issueDiffs.map((d) => esc(d.title)))}
${[...diffs, ...issueDiffs].map((d) => `<h3>${esc(d.title)}</h3>${diffHtml(d.diff)}`).join('\n')}
</body></html>
`;
}
