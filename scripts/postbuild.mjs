// Marks the CLI entry executable after tsc (npm links bin files, but a plain `node dist/cli/main.js` needs nothing).
import { chmodSync, existsSync } from 'node:fs';
const entry = 'dist/cli/main.js';
if (existsSync(entry)) chmodSync(entry, 0o755);
