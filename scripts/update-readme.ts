/** Regenerates the README's configuration table between its markers: node --import tsx scripts/update-readme.ts */
import { readFileSync, writeFileSync } from 'node:fs';
import { configTable } from './config-table.js';

const path = new URL('../README.md', import.meta.url);
const text = readFileSync(path, 'utf8');
const next = text.replace(/<!-- config-table:start -->[\s\S]*<!-- config-table:end -->/, `<!-- config-table:start -->\n${configTable()}\n<!-- config-table:end -->`);
writeFileSync(path, next);
