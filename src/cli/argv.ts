/** What the command line names, read before anything else loads (src/cli/main.ts decides the heap settings by it). */

/** Global options that take a value: their value is not a command name. */
const VALUE_OPTIONS = new Set(['--workspace', '-w', '--config', '-c', '--profile', '--log-level']);

/** The command the arguments name (the first word that is neither an option nor an option's value), if any. */
export function requestedCommand(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return undefined;
    if (a.startsWith('-')) {
      if (VALUE_OPTIONS.has(a)) i++;
      continue;
    }
    return a;
  }
  return undefined;
}

/**
 * Runs that hold little and end soon: help and usage errors, `status --local`, `resolve`, `init`, `doctor`,
 * `service`, `completion`. They keep V8's own young generation (it grows when much survives, as module loading does):
 * held at its first size, `status --local` on 1,000 files made 40 scavenges instead of 13 (issue 18).
 */
export function isShortRun(argv: readonly string[]): boolean {
  const command = requestedCommand(argv);
  if (command === undefined) return true;
  if (command === 'status') return argv.includes('--local');
  return ['resolve', 'init', 'doctor', 'service', 'completion'].includes(command);
}
