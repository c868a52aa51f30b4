/**
 * The export cache: page bodies keyed by page id + version, attachments by attachment id + version. A version never
 * changes once written, so an entry is never stale (no TTL): re-exporting unchanged pages costs only the listing.
 * Layout: cache/export/bodies/<id>/<version>.json, cache/export/files/<attachment id>/<version>.
 */
import { lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from './file-stream.js';

export interface CachedBody {
  id: string;
  version: number;
  title: string;
  body: string;
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export class ExportCache {
  constructor(readonly root: string) {}

  private bodyFile(id: string, version: number): string | undefined {
    if (!SAFE_ID.test(id) || !Number.isInteger(version)) return undefined;
    return join(this.root, 'bodies', id, `${version}.json`);
  }

  getBody(id: string, version: number): CachedBody | undefined {
    const file = this.bodyFile(id, version);
    if (!file) return undefined;
    try {
      if (!lstatSync(file).isFile()) return undefined;
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as CachedBody;
      return parsed.id === id && parsed.version === version && typeof parsed.body === 'string' ? parsed : undefined;
    } catch {
      return undefined; // absent or unreadable: fetch again
    }
  }

  /** Whether an entry for this id + version is there (not read: a damaged one is found, and refetched, by getBody). */
  hasBody(id: string, version: number): boolean {
    const file = this.bodyFile(id, version);
    try {
      return file !== undefined && lstatSync(file).isFile();
    } catch {
      return false;
    }
  }

  putBody(entry: CachedBody): void {
    const file = this.bodyFile(entry.id, entry.version);
    if (!file) return;
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileAtomicSync(file, JSON.stringify(entry));
  }

  /** Where an attachment version lives (whether or not it is there yet). */
  filePath(attachmentId: string, version: number): string | undefined {
    if (!SAFE_ID.test(attachmentId) || !Number.isInteger(version)) return undefined;
    return join(this.root, 'files', attachmentId, String(version));
  }

  hasFile(attachmentId: string, version: number): boolean {
    const file = this.filePath(attachmentId, version);
    try {
      return file !== undefined && lstatSync(file).isFile();
    } catch {
      return false;
    }
  }
}
