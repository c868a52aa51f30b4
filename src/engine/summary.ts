/** The human-readable end-of-run summary. */
import type { PullSummary } from './types.js';

function n(x: number, what: string): string {
  return `${x} ${what}`;
}

/** A path as one shell word, safe to paste into sh, bash or zsh: left bare when it needs no quoting. */
export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function formatBytes(b: number): string {
  if (b < 1024) return `${b} B`;
  if (b < 1024 * 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${(b / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatPullSummary(s: PullSummary): string {
  const lines: string[] = [];
  if (s.dryRun) {
    lines.push(`Dry run for ${s.spaces.join(', ')}: nothing was changed. The plan:`);
    for (const p of s.plan) lines.push(`  ${p.action.padEnd(12)} ${p.from ? `${p.from} → ` : ''}${p.path}`);
    if (s.plan.length === 0) lines.push('  (nothing to do)');
  }
  const p = s.pages;
  const changed = p.new + p.updated + p.moved + p.relabelled + p.deleted + p.conflicted + p.merged + s.attachments.downloaded + s.attachments.deleted + s.attachments.moved + s.attachments.conflicted;
  if (!s.dryRun && changed === 0) {
    lines.push(`Already up to date: ${s.spaces.join(', ')} (${p.unchanged} pages checked, nothing written).`);
  } else {
    lines.push(
      `${s.dryRun ? 'Would pull' : 'Pulled'} ${s.spaces.join(', ')}: ${[n(p.new, 'new'), n(p.updated, 'updated'), n(p.moved, 'moved'), n(p.relabelled, 'relabelled'), n(p.deleted, 'deleted'), ...(p.merged ? [n(p.merged, 'merged')] : []), n(p.conflicted, 'conflicted'), n(p.unchanged, 'unchanged')].join(', ')} pages` +
        (s.dryRun ? '' : `; attachments ${s.attachments.downloaded} downloaded, ${s.attachments.skipped} unchanged, ${s.attachments.deleted} deleted`),
    );
  }
  if (p.merged) lines.push(`${p.merged} page(s) changed on both sides were merged into your files without overlap; csync push (or sync) sends the merges.`);
  if (p.falseConflicts) lines.push(`${p.falseConflicts} page(s) were changed identically on both sides and are now in sync.`);
  for (const c of s.conflicts) {
    lines.push(c.copyPath ? `CONFLICT ${c.path}: kept your file; the remote version is in ${c.copyPath}` : `CONFLICT ${c.path}: deleted in Confluence but edited here; kept your file`);
  }
  for (const w of s.warnings.slice(0, 20)) lines.push(`warning: ${w}`);
  if (s.warnings.length > 20) lines.push(`… and ${s.warnings.length - 20} more warnings (see the newest logs/csync.N.log)`);
  lines.push(`${formatBytes(s.bytes)} written, ${s.requests ?? '?'} requests, ${(s.durationMs / 1000).toFixed(1)} s.`);
  return lines.join('\n');
}
