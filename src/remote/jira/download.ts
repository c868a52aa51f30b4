/**
 * Downloading a Jira attachment's bytes through the Jira transport (its limiter, retries, breaker), streamed to a
 * file: Cloud `GET /rest/api/3/attachment/content/{id}?redirect=false` (the bytes in the answer, not a 303 to the
 * media service); Data Center the attachment's `content` URL when it is on the Jira site (`/secure/attachment/…`
 * on a real server), else `/rest/api/2/attachment/content/{id}`. Credentials never go to another origin.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { streamToFile } from '../attachments.js';
import type { Transport } from '../transport.js';

export interface JiraAttachmentRef {
  id: string;
  /** The `content` URL the issue lists (optional). */
  url?: string | undefined;
}

/** The URL an attachment is downloaded from, and its query. */
export function attachmentUrl(api: string, siteBase: string, cloud: boolean, a: JiraAttachmentRef): { url: string; query: Record<string, string | undefined> } {
  const apiUrl = `${api}/attachment/content/${encodeURIComponent(a.id)}`;
  if (cloud || !a.url) return { url: apiUrl, query: cloud ? { redirect: 'false' } : {} };
  let u: URL;
  try {
    u = new URL(a.url);
  } catch {
    return { url: apiUrl, query: {} };
  }
  // Only on the Jira site itself (origin and context path): never hand the Atlassian credentials to another host.
  const base = new URL(siteBase);
  const inSite = u.origin === base.origin && (u.pathname + '/').startsWith(base.pathname.replace(/\/?$/, '/')) && !u.username && !u.password;
  if (!inSite) return { url: apiUrl, query: {} };
  return { url: `${u.origin}${u.pathname}`, query: Object.fromEntries(u.searchParams) };
}

/** Streams the attachment to `destPath` through a new temporary file beside it; returns its size and sha256. */
export async function downloadJiraAttachment(t: Transport, target: { url: string; query: Record<string, string | undefined> }, destPath: string): Promise<{ bytes: number; sha256: string }> {
  await mkdir(dirname(destPath), { recursive: true });
  return t.send(
    { op: 'jira.attachment', method: 'GET', url: target.url, query: target.query, idempotent: true, headers: { accept: '*/*' } },
    {
      parse: (a) => a.value as { bytes: number; sha256: string },
      sink: (body, headers) => streamToFile(body, headers, destPath),
    },
  );
}
