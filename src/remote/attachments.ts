/**
 * Attachments: list (v2), upload / new version (v1 multipart), delete (v2), download (v1, streamed to a temp file
 * then renamed; sha256 computed on the way). Uploads are not idempotent: after an unclear failure we look the file
 * name up before sending it again, so a retry never makes a second attachment or a second version.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, openAsBlob } from 'node:fs';
import { rename, rm, mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { RemoteAttachment, UploadAttachmentInput } from '../core/remote-types.js';
import { MAX_LIMIT, paginate } from './paginate.js';
import { fromV1Attachment, fromV2Attachment, jsonOf, multi, v1Attachment, v1SearchPage, v2Attachment } from './schemas.js';
import { InvalidBodyProblem, type Transport } from './transport.js';
import { throwIfRunAborted } from '../core/run-signal.js';

const enc = encodeURIComponent;

export async function* listAttachments(t: Transport, pageId: string, filename?: string): AsyncGenerator<RemoteAttachment> {
  const query = { limit: MAX_LIMIT, filename };
  for await (const a of paginate(t, { op: 'attachments.list', method: 'GET', url: `${t.site.v2}/pages/${enc(pageId)}/attachments`, query, idempotent: true }, multi(v2Attachment))) {
    yield fromV2Attachment(a, pageId);
  }
}

export async function findAttachment(t: Transport, pageId: string, fileName: string): Promise<RemoteAttachment | undefined> {
  for await (const a of listAttachments(t, pageId, fileName)) if (a.title === fileName) return a;
  return undefined;
}

/**
 * Every attachment of a space in one CQL listing (v1 search, `type=attachment and space="KEY"`): ceil(n/limit)
 * requests for the whole space instead of one listing per page.
 */
export async function* listSpaceAttachments(t: Transport, spaceKey: string): AsyncGenerator<RemoteAttachment> {
  const cql = `type=attachment and space="${spaceKey.replace(/"/g, '\\"')}"`;
  const query = { cql, limit: MAX_LIMIT, expand: 'version,container,extensions' };
  for await (const r of paginate(t, { op: 'attachments.listSpace', method: 'GET', url: `${t.site.v1}/content/search`, query, idempotent: true }, v1SearchPage)) {
    yield {
      id: r.id,
      pageId: r.container?.id ?? '',
      title: r.title,
      mediaType: r.extensions?.mediaType ?? 'application/octet-stream',
      fileSize: r.extensions?.fileSize ?? 0,
      version: r.version?.number ?? 1,
      fileId: r.extensions?.fileId ?? undefined,
      comment: r.extensions?.comment ?? undefined,
    };
  }
}

const uploadAnswer = z.union([z.object({ results: z.array(v1Attachment) }), v1Attachment]);

function firstOf(data: z.infer<typeof uploadAnswer>): z.infer<typeof v1Attachment> {
  if ('results' in data) {
    const first = data.results[0];
    if (!first) throw new InvalidBodyProblem('upload answer lists no attachment');
    return first;
  }
  return data;
}

export type FindAttachment = (pageId: string, fileName: string) => Promise<RemoteAttachment | undefined>;

export async function uploadAttachment(t: Transport, input: UploadAttachmentInput, find: FindAttachment = (p, f) => findAttachment(t, p, f)): Promise<RemoteAttachment> {
  const existing = input.existing !== undefined ? (input.existing ?? undefined) : await find(input.pageId, input.fileName);
  const form = async (): Promise<FormData> => {
    const fd = new FormData();
    // openAsBlob streams from disk: a large file is never held in memory whole.
    const blob = await openAsBlob(input.filePath, input.mediaType ? { type: input.mediaType } : {});
    fd.append('file', blob, input.fileName);
    fd.append('minorEdit', String(input.minorEdit ?? true));
    if (input.comment !== undefined) fd.append('comment', input.comment);
    return fd;
  };
  const url = existing
    ? `${t.site.v1}/content/${enc(input.pageId)}/child/attachment/${enc(existing.id)}/data`
    : `${t.site.v1}/content/${enc(input.pageId)}/child/attachment`;
  const parse = jsonOf(uploadAnswer);
  return t.send(
    {
      op: existing ? 'attachments.newVersion' : 'attachments.upload',
      method: 'POST',
      url,
      form,
      // Confluence's XSRF check for multipart posts.
      headers: { 'x-atlassian-token': 'nocheck' },
      idempotent: false,
    },
    {
      parse: (a) => fromV1Attachment(firstOf(parse(a)), input.pageId),
      verify: async () => {
        const now = await find(input.pageId, input.fileName);
        if (!now) return undefined;
        if (!existing || now.version > existing.version) return now;
        return undefined;
      },
    },
  );
}

export async function deleteAttachment(t: Transport, id: string, purge = false): Promise<void> {
  // The spec types DELETE's id as an integer while listings return "att123": send the number.
  const numeric = /^att\d+$/.test(id) ? id.slice(3) : id;
  await t.send(
    { op: 'attachments.delete', method: 'DELETE', url: `${t.site.v2}/attachments/${enc(numeric)}`, query: { purge: purge ? true : undefined }, idempotent: true, notFoundMeansDone: true },
    { parse: () => undefined },
  );
}

/** Streams the file to `destPath` through a temp file in the same folder; returns its size and sha256. */
export async function downloadAttachment(t: Transport, attachment: RemoteAttachment, destPath: string, version?: number): Promise<{ bytes: number; sha256: string }> {
  await mkdir(dirname(destPath), { recursive: true });
  const url = `${t.site.v1}/content/${enc(attachment.pageId)}/child/attachment/${enc(attachment.id)}/download`;
  return t.send(
    { op: 'attachments.download', method: 'GET', url, query: { version }, idempotent: true, headers: { accept: '*/*' } },
    {
      parse: (a) => a.value as { bytes: number; sha256: string },
      sink: (body, headers) => streamToFile(body, headers, destPath),
    },
  );
}

/**
 * A download's sink: streams `body` to `destPath` through a temp file in the same folder (created here with 'wx', so
 * never opened through a link or over an existing file), checks the length the server declared, and renames it into
 * place unless the run was cancelled meanwhile. Returns the size and sha256 of what was written.
 */
export async function streamToFile(body: Readable, headers: Record<string, string | string[] | undefined>, destPath: string): Promise<{ bytes: number; sha256: string }> {
  const tmp = join(dirname(destPath), `.${basename(destPath)}.${process.pid}.${Date.now()}.part`);
  const hash = createHash('sha256');
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  try {
    await pipeline(body, counter, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
    const declared = Number(headers['content-length']);
    if (headers['content-length'] !== undefined && Number.isFinite(declared) && declared !== bytes) {
      throw new InvalidBodyProblem(`download ended after ${bytes} of ${declared} bytes`);
    }
    throwIfRunAborted();
    await rename(tmp, destPath);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return { bytes, sha256: hash.digest('hex') };
}
