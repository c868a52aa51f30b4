/**
 * An independent check of outgoing requests against Atlassian's OpenAPI documents (the spec wins over the notes):
 * the path and method exist, path parameters have their declared type, every query parameter is declared (with
 * the right type; arrays exploded), required ones are present, and a JSON body validates against the request
 * schema. Used by the operation-enumeration test alongside the emulator's own validation.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

type Json = Record<string, unknown>;
interface Param {
  name: string;
  in: string;
  required?: boolean;
  schema?: Json;
}

const SPEC_DIR = '/work/shared/confluence-api';

function load(file: string): Json {
  return JSON.parse(readFileSync(`${SPEC_DIR}/${file}`, 'utf8')) as Json;
}

/** OpenAPI 3.0 → JSON Schema: `nullable` becomes a type union, refs point into the named document. */
function convert(node: unknown, docId: string): unknown {
  if (Array.isArray(node)) return node.map((n) => convert(n, docId));
  if (!node || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === '$ref' && typeof v === 'string') out.$ref = `${docId}${v}`;
    // The v2 page body is oneOf two schemas that every object matches (no required fields, open properties), so a
    // strict oneOf rejects every body; read it as anyOf, as the server evidently does.
    else if (k === 'oneOf') out.anyOf = convert(v, docId);
    else if (k === 'nullable' || k === 'example' || k === 'discriminator' || k === 'xml' || k === 'externalDocs' || k === 'deprecated' || k === 'readOnly' || k === 'writeOnly') continue;
    else out[k] = convert(v, docId);
  }
  if ((node as Json).nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (!out.type) return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

export interface SpecRequest {
  method: string;
  /** Path as sent, e.g. /wiki/api/v2/pages/12 */
  path: string;
  query: URLSearchParams;
  contentType?: string | undefined;
  body?: string | undefined;
}

export class OpenApiChecker {
  private readonly ajv = new Ajv({ strict: false, allErrors: false, validateFormats: false });
  private readonly docs: Array<{ id: string; prefix: string; spec: Json }>;

  constructor() {
    this.docs = [
      { id: 'v2', prefix: '/wiki/api/v2', spec: load('confluence-v2.openapi.json') },
      { id: 'v1', prefix: '', spec: load('confluence-v1.openapi.json') },
    ];
    for (const d of this.docs) this.ajv.addSchema(convert({ components: d.spec.components }, d.id) as Json, d.id);
  }

  private resolveParam(doc: { id: string; spec: Json }, p: Json): Param {
    if (typeof p.$ref === 'string') {
      const name = p.$ref.split('/').pop() ?? '';
      return ((doc.spec.components as Json).parameters as Json)[name] as Param;
    }
    return p as unknown as Param;
  }

  private validate(doc: { id: string }, schema: unknown, value: unknown): string | undefined {
    const fn = this.ajv.compile(convert(schema, doc.id) as Json);
    if (fn(value)) return undefined;
    const e = fn.errors?.[0];
    return `${e?.instancePath || '(root)'} ${e?.message ?? 'invalid'}`;
  }

  private coerce(schema: Json | undefined, raw: string): unknown {
    const type = schema?.type;
    if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
    return raw;
  }

  /** Returns the problems found (empty = conforms). */
  check(req: SpecRequest): string[] {
    for (const doc of this.docs) {
      if (doc.prefix && !req.path.startsWith(`${doc.prefix}/`)) continue;
      const rel = req.path.slice(doc.prefix.length);
      for (const [template, item] of Object.entries(doc.spec.paths as Json)) {
        const names: string[] = [];
        const re = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([^}]+)\}/g, (_m, n: string) => {
          names.push(n);
          return '([^/]+)';
        })}$`);
        const m = re.exec(rel);
        if (!m) continue;
        const op = (item as Json)[req.method.toLowerCase()] as Json | undefined;
        if (!op) continue;
        const problems: string[] = [];
        const params = [...(((item as Json).parameters as Json[]) ?? []), ...((op.parameters as Json[]) ?? [])].map((p) => this.resolveParam(doc, p));
        names.forEach((n, i) => {
          const p = params.find((x) => x.in === 'path' && x.name === n);
          const value = decodeURIComponent(m[i + 1] ?? '');
          if (p?.schema) {
            const err = this.validate(doc, p.schema, this.coerce(p.schema, value));
            if (err) problems.push(`path parameter ${n}=${value}: ${err}`);
          }
        });
        for (const key of new Set(req.query.keys())) {
          const p = params.find((x) => x.in === 'query' && x.name === key);
          if (!p) {
            problems.push(`undeclared query parameter ${key}`);
            continue;
          }
          const values = req.query.getAll(key);
          const schema = p.schema ?? {};
          const value = schema.type === 'array' ? values.map((v) => this.coerce(schema.items as Json, v)) : this.coerce(schema, values[0] ?? '');
          if (schema.type !== 'array' && values.length > 1) problems.push(`query parameter ${key} repeated but not an array`);
          const err = this.validate(doc, schema, value);
          if (err) problems.push(`query parameter ${key}: ${err}`);
        }
        for (const p of params) if (p.required && p.in === 'query' && !req.query.has(p.name)) problems.push(`missing required query parameter ${p.name}`);
        const rb = op.requestBody as Json | undefined;
        const rbResolved = rb && typeof rb.$ref === 'string' ? ((doc.spec.components as Json).requestBodies as Json)[rb.$ref.split('/').pop() ?? ''] as Json : rb;
        if (req.body && rbResolved) {
          const content = rbResolved.content as Json;
          if (req.contentType?.startsWith('application/json')) {
            const media = content['application/json'] as Json | undefined;
            if (!media) problems.push('JSON body where the spec takes none');
            else {
              const err = this.validate(doc, media.schema, JSON.parse(req.body));
              if (err) problems.push(`body ${err}`);
            }
          } else if (req.contentType?.startsWith('multipart/form-data')) {
            const media = content['multipart/form-data'] as Json | undefined;
            const required = ((media?.schema as Json | undefined)?.required as string[] | undefined) ?? [];
            for (const r of required) if (!req.body.includes(`name="${r}"`)) problems.push(`multipart field ${r} missing`);
          }
        } else if (rbResolved?.required && !req.body) problems.push('request body required');
        return problems;
      }
    }
    return [`${req.method} ${req.path} is not in the OpenAPI documents`];
  }
}
