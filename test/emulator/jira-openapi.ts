/**
 * The emulator's Jira answers against the 200 response schemas of Atlassian's Jira OpenAPI document (converted with
 * the emulator's `convert`; formats checked). Data Center (v2) answers are checked against the v3 operation with
 * the bodies' one difference allowed: wiki markup strings where v3 has ADF.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { convert } from '../../src/emulator/validate.js';

type Json = Record<string, unknown>;
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const spec = JSON.parse(readFileSync(new URL('../../src/emulator/spec/jira-v3.openapi.json', import.meta.url), 'utf8')) as Json;
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(convert({ components: spec.components }, 'jira') as Json, 'jira');
const compiled = new Map<string, ValidateFunction>();

export function jiraResponseProblems(method: string, template: string, body: unknown): string[] {
  const key = `${method} ${template}`;
  let fn = compiled.get(key);
  if (!fn) {
    const op = ((spec.paths as Json)[template] as Json | undefined)?.[method.toLowerCase()] as Json | undefined;
    const schema = (((op?.responses as Json | undefined)?.['200'] as Json | undefined)?.content as Json | undefined)?.['application/json'] as Json | undefined;
    if (!schema?.schema) throw new Error(`the Jira document declares no JSON 200 answer for ${key}`);
    fn = ajv.compile(convert(schema.schema, 'jira') as Json);
    compiled.set(key, fn);
  }
  return fn(body) ? [] : (fn.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`.trim());
}
