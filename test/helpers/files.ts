/** Every file below `root` (absolute paths, sorted); none when `root` does not exist. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(root);
  return out.sort();
}
