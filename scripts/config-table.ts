/** Prints the README's configuration table from src/config/settings.ts (a test keeps the README in step). */
import { SETTINGS, envNameFor } from '../src/config/settings.js';

export function configTable(): string {
  const rows = SETTINGS.map((s) => {
    const env = [envNameFor(s.path), ...(s.aliases ?? [])].map((e) => `\`${e}\``).join(', ');
    const def = s.default === undefined ? '—' : `\`${JSON.stringify(s.default)}\``;
    return `| \`${s.path}\` | ${env} | ${def} | ${s.description}${s.secret ? ' (secret: never logged)' : ''} |`;
  });
  return ['| setting (config/csync.json) | environment | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(configTable());
