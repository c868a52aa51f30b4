/** Conflict copies: `Guide.conflict-20261122-224500-remote.md` beside `Guide.md` (extension last, so editors highlight it). */
export function conflictCopyPath(path: string, when: Date, who = 'remote'): string {
  const stamp = when.toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\..*/, '');
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  const hasExt = dot > slash + 1;
  const stem = hasExt ? path.slice(0, dot) : path;
  const ext = hasExt ? path.slice(dot) : '';
  return `${stem}.conflict-${stamp}-${who.replace(/[^A-Za-z0-9_-]/g, '')}${ext}`;
}

export function isConflictCopy(path: string): boolean {
  return /\.conflict-\d{8}-\d{6}-[A-Za-z0-9_-]+(\.[^./]+)?$/.test(path);
}
