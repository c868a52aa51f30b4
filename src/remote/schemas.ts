/**
 * zod schemas for the responses the client reads, and their mapping onto the domain shapes of
 * src/core/remote-types.ts. Only the fields we use are required; unknown fields are ignored (the API grows).
 * A body that does not match is a CSYNC_INVALID_RESPONSE, never a silently empty result.
 */
import { z } from 'zod';
import type { CqlResult, RemoteAttachment, RemotePage, RemoteSpace, RemoteVersion } from '../core/remote-types.js';
import { InvalidBodyProblem, SchemaDriftProblem, type HttpAnswer } from './transport.js';

const id = z.union([z.string().min(1), z.number().int()]).transform(String);
const optString = z.string().nullish().transform((v) => v ?? undefined);

export const links = z.object({ next: z.string().nullish(), base: z.string().nullish() }).partial().nullish();

export function multi<T extends z.ZodType>(item: T) {
  return z.object({ results: z.array(item), _links: links });
}

export const v2Version = z.object({
  number: z.number().int(),
  message: optString,
  minorEdit: z.boolean().nullish(),
  createdAt: optString,
  authorId: optString,
});

export const v2Page = z.object({
  id,
  status: z.string(),
  title: z.string(),
  spaceId: id,
  parentId: id.nullish(),
  parentType: z.string().nullish(),
  position: z.number().nullish(),
  authorId: optString,
  createdAt: optString,
  version: v2Version,
  body: z
    .object({ storage: z.object({ value: z.string(), representation: z.string().optional() }).nullish() })
    .partial()
    .nullish(),
  labels: z.object({ results: z.array(z.object({ name: z.string() })), meta: z.object({ hasMore: z.boolean().nullish() }).partial().nullish() }).nullish(),
});
export type V2Page = z.infer<typeof v2Page>;

export const v2Space = z.object({ id, key: z.string(), name: z.string(), homepageId: id.nullish() });

/** Children, descendants and ancestors carry ids and titles, not versions. */
export const v2TreeNode = z.object({ id, title: z.string().optional(), status: z.string().optional(), type: z.string().optional() });

export const v2Label = z.object({ id, name: z.string(), prefix: z.string().nullish() });

export const v2Attachment = z.object({
  id,
  status: z.string().optional(),
  title: z.string(),
  mediaType: z.string().nullish(),
  fileSize: z.number().nullish(),
  fileId: optString,
  pageId: id.nullish(),
  comment: optString,
  downloadLink: optString,
  version: z.object({ number: z.number().int() }).nullish(),
});

/** v1 Content as returned by attachment uploads. */
export const v1Attachment = z.object({
  id,
  type: z.string().optional(),
  title: z.string(),
  version: z.object({ number: z.number().int() }).nullish(),
  extensions: z
    .object({ mediaType: z.string().nullish(), fileSize: z.number().nullish(), comment: z.string().nullish(), fileId: z.string().nullish() })
    .partial()
    .nullish(),
  container: z.object({ id }).partial().nullish(),
  metadata: z.object({ mediaType: z.string().nullish() }).partial().nullish(),
});
export const v1AttachmentList = z.object({ results: z.array(v1Attachment), _links: links });

export const v1SearchItem = z.object({
  id,
  type: z.string(),
  title: z.string(),
  status: z.string().optional(),
  space: z.object({ key: z.string() }).partial().nullish(),
  version: z.object({ number: z.number().int(), when: z.string().nullish() }).partial().nullish(),
  history: z.object({ lastUpdated: z.object({ when: z.string().nullish() }).partial().nullish() }).partial().nullish(),
  container: z.object({ id }).partial().nullish(),
  extensions: z.object({ mediaType: z.string().nullish(), fileSize: z.number().nullish(), comment: z.string().nullish(), fileId: z.string().nullish() }).partial().nullish(),
});
export const v1SearchPage = z.object({ results: z.array(v1SearchItem), _links: links });

export const longTask = z.object({
  id,
  name: z.object({ key: z.string().optional() }).partial().nullish(),
  elapsedTime: z.number().nullish(),
  percentageComplete: z.number().nullish(),
  successful: z.boolean().nullish(),
  finished: z.boolean().nullish(),
  messages: z.array(z.unknown()).nullish(),
  errors: z.array(z.unknown()).nullish(),
});

export interface LongTaskStatus {
  id: string;
  name: string | undefined;
  elapsedMs: number | undefined;
  percentageComplete: number;
  finished: boolean;
  successful: boolean;
  messages: string[];
}

/** Makes a transport parse function: JSON + schema, problems as InvalidBodyProblem (→ CSYNC_INVALID_RESPONSE). */
export function jsonOf<T extends z.ZodType>(schema: T): (answer: HttpAnswer) => z.infer<T> {
  return (answer) => {
    let data: unknown;
    try {
      data = JSON.parse(answer.body);
    } catch {
      throw new InvalidBodyProblem(`not JSON (${answer.body.length} bytes, starts ${JSON.stringify(answer.body.slice(0, 40))})`);
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SchemaDriftProblem(`${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'does not match the API schema'}`);
    }
    return parsed.data;
  };
}

export function toRemoteVersion(v: z.infer<typeof v2Version>): RemoteVersion {
  return { number: v.number, message: v.message, minorEdit: v.minorEdit ?? undefined, createdAt: v.createdAt, authorId: v.authorId };
}

export function toRemotePage(p: V2Page): RemotePage {
  const page: RemotePage = {
    id: p.id,
    status: p.status,
    title: p.title,
    spaceId: p.spaceId,
    parentId: p.parentId ?? null,
    parentType: p.parentType ?? null,
    position: p.position ?? null,
    version: toRemoteVersion(p.version),
  };
  if (p.createdAt !== undefined) page.createdAt = p.createdAt;
  if (p.authorId !== undefined) page.authorId = p.authorId;
  const body = p.body?.storage?.value;
  if (body !== undefined) page.body = body;
  if (p.labels) page.labels = p.labels.results.map((l) => l.name);
  return page;
}

export function toRemoteSpace(s: z.infer<typeof v2Space>): RemoteSpace {
  return { id: s.id, key: s.key, name: s.name, homepageId: s.homepageId ?? null };
}

export function fromV2Attachment(a: z.infer<typeof v2Attachment>, pageId: string): RemoteAttachment {
  return {
    id: a.id,
    pageId: a.pageId ?? pageId,
    title: a.title,
    mediaType: a.mediaType ?? 'application/octet-stream',
    fileSize: a.fileSize ?? 0,
    version: a.version?.number ?? 1,
    fileId: a.fileId,
    comment: a.comment,
  };
}

export function fromV1Attachment(a: z.infer<typeof v1Attachment>, pageId: string): RemoteAttachment {
  return {
    // v1 ids of attachments carry an "att" prefix; v2 uses the same form, keep it as given.
    id: a.id,
    pageId: a.container?.id ?? pageId,
    title: a.title,
    mediaType: a.extensions?.mediaType ?? a.metadata?.mediaType ?? 'application/octet-stream',
    fileSize: a.extensions?.fileSize ?? 0,
    version: a.version?.number ?? 1,
    fileId: a.extensions?.fileId ?? undefined,
    comment: a.extensions?.comment ?? undefined,
  };
}

export function toCqlResult(r: z.infer<typeof v1SearchItem>): CqlResult {
  return {
    id: r.id,
    type: r.type,
    title: r.title,
    spaceKey: r.space?.key ?? undefined,
    version: r.version?.number ?? undefined,
    lastModified: r.version?.when ?? r.history?.lastUpdated?.when ?? undefined,
  };
}

export function toLongTask(t: z.infer<typeof longTask>): LongTaskStatus {
  return {
    id: t.id,
    name: t.name?.key,
    elapsedMs: t.elapsedTime ?? undefined,
    percentageComplete: t.percentageComplete ?? 0,
    finished: t.finished ?? false,
    successful: t.successful ?? false,
    messages: (t.messages ?? []).map((m) => (typeof m === 'string' ? m : JSON.stringify(m))),
  };
}
