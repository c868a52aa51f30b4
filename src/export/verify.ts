/**
 * Verify a bundle (folder or zip): SHA256SUMS lists every file but itself, each hash matches, no file is missing or
 * unlisted, manifest.json parses and agrees with SHA256SUMS. A zip is read entry by entry under the archive safety
 * rules first (an unsafe archive is refused, not verified).
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CsyncError } from '../core/errors.js';
import { nameProblem } from './archive-rules.js';
import { listBundleFiles, MANIFEST, sha256File, SUMS, type Manifest } from './bundle.js';
import { readZip } from './zip-read.js';

export interface VerifyReport {
  ok: boolean;
  kind: 'folder' | 'zip';
  files: number;
  /** One line per problem, naming the file. */
  problems: string[];
  manifest?: Pick<Manifest, 'jobId' | 'site' | 'createdAt' | 'title'> & { items: number };
}

const MAX_META_BYTES = 256 * 1024 ** 2;

export async function verifyBundle(path: string): Promise<VerifyReport> {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    throw new CsyncError('CSYNC_NOT_FOUND', `no bundle at ${path}`, { hint: 'name an export folder or .zip file' });
  }
  if (st.isSymbolicLink()) throw new CsyncError('CSYNC_UNSAFE_ARCHIVE', `${path} is a symbolic link`, { hint: 'name the bundle itself, not a link to it' });
  const hashes = new Map<string, string>();
  let sums: string | undefined;
  let manifestText: string | undefined;
  let kind: VerifyReport['kind'];
  if (st.isDirectory()) {
    kind = 'folder';
    let files: string[];
    try {
      files = listBundleFiles(path);
    } catch (err) {
      throw new CsyncError('CSYNC_UNSAFE_ARCHIVE', `refused ${path}: ${(err as Error).message}`, { hint: 'a bundle holds only regular files and folders' });
    }
    for (const rel of files) {
      const file = join(path, ...rel.split('/'));
      if (rel === SUMS) sums = readMeta(file);
      else {
        hashes.set(rel, (await sha256File(file)).sha256);
        if (rel === MANIFEST) manifestText = readMeta(file);
      }
    }
  } else {
    kind = 'zip';
    await readZip(path, async (e) => {
      if (e.isDir) return;
      const stream = await e.open();
      const hash = createHash('sha256');
      const keep = e.name === SUMS || e.name === MANIFEST ? ([] as Buffer[]) : undefined;
      let kept = 0;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        hash.update(chunk);
        if (keep && (kept += chunk.length) <= MAX_META_BYTES) keep.push(chunk);
      }
      const text = keep ? Buffer.concat(keep).toString('utf8') : undefined;
      if (e.name === SUMS) sums = text;
      else {
        hashes.set(e.name, hash.digest('hex'));
        if (e.name === MANIFEST) manifestText = text;
      }
    });
  }
  return check(kind, hashes, sums, manifestText);
}

function readMeta(file: string): string {
  return readFileSync(file, 'utf8');
}

function check(kind: VerifyReport['kind'], hashes: Map<string, string>, sums: string | undefined, manifestText: string | undefined): VerifyReport {
  const problems: string[] = [];
  if (sums === undefined) return { ok: false, kind, files: hashes.size, problems: [`missing: ${SUMS} (not an export bundle?)`] };
  const listed = new Map<string, string>();
  for (const line of sums.split('\n')) {
    if (!line) continue;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m || nameProblem(m[2]!)) {
      problems.push(`malformed line in ${SUMS}: ${JSON.stringify(line.slice(0, 120))}`);
      continue;
    }
    listed.set(m[2]!, m[1]!);
  }
  for (const [path, sha] of listed) {
    const actual = hashes.get(path);
    if (actual === undefined) problems.push(`missing: ${path}`);
    else if (actual !== sha) problems.push(`changed: ${path} (its sha256 differs from ${SUMS})`);
  }
  for (const path of hashes.keys()) if (!listed.has(path)) problems.push(`unlisted: ${path} (not in ${SUMS})`);
  let manifest: Manifest | undefined;
  if (manifestText === undefined) problems.push(`missing: ${MANIFEST}`);
  else {
    try {
      manifest = JSON.parse(manifestText) as Manifest;
      for (const f of manifest.files ?? []) {
        if (listed.get(f.path) !== f.sha256) problems.push(`manifest and ${SUMS} disagree on ${f.path}`);
      }
    } catch {
      problems.push(`${MANIFEST} is not valid JSON`);
    }
  }
  return {
    ok: problems.length === 0,
    kind,
    files: hashes.size + 1,
    problems,
    ...(manifest ? { manifest: { jobId: manifest.jobId, site: manifest.site, createdAt: manifest.createdAt, title: manifest.title, items: manifest.items?.length ?? 0 } } : {}),
  };
}
