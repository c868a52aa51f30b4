import type { ErrorCode } from '../core/errors.js';

/** Documented exit codes (README "Exit codes"). Stable: scripts depend on them. */
export const EXIT = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  CONFIG: 3,
  AUTH: 4,
  NETWORK: 5,
  CONFLICTS: 6,
  SAFETY_GATE: 7,
  LOCKED: 8,
  NOT_IMPLEMENTED: 9,
  /** The run finished but skipped something it must not touch (a symlink, a file that is not UTF-8, one over the size limit); warnings name each. */
  INCOMPLETE: 10,
  /** An export finished with some items failed (403, deleted mid-run, …); the manifest names each. */
  EXPORT_PARTIAL: 11,
  /** A bundle failed verification: a file changed, missing or unlisted, or a bad manifest. */
  INTEGRITY: 12,
  /** An archive refused as unsafe (absolute or `..` paths, links, duplicates, a zip bomb). */
  UNSAFE_ARCHIVE: 13,
  /** `compare` found differences between its two sides (the report lists them). */
  DIFFERENT: 14,
  INTERRUPTED: 130,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export function exitCodeFor(code: ErrorCode): ExitCode {
  switch (code) {
    case 'CSYNC_USAGE':
      return EXIT.USAGE;
    // CSYNC_NOT_FOUND: a 404 that stops a run is a configured space or page that does not exist (or that the account may not see).
    case 'CSYNC_CONFIG':
    case 'CSYNC_WORKSPACE':
    case 'CSYNC_NOT_FOUND':
      return EXIT.CONFIG;
    case 'CSYNC_AUTH':
    case 'CSYNC_FORBIDDEN':
      return EXIT.AUTH;
    case 'CSYNC_TIMEOUT':
    case 'CSYNC_NETWORK':
    case 'CSYNC_SERVER':
    case 'CSYNC_CIRCUIT_OPEN':
    case 'CSYNC_RATE_LIMITED':
      return EXIT.NETWORK;
    case 'CSYNC_CONFLICTS':
      return EXIT.CONFLICTS;
    case 'CSYNC_SAFETY_GATE':
      return EXIT.SAFETY_GATE;
    case 'CSYNC_LOCKED':
      return EXIT.LOCKED;
    case 'CSYNC_NOT_IMPLEMENTED':
      return EXIT.NOT_IMPLEMENTED;
    // CSYNC_TOO_LARGE: Confluence refused a body as too large (413): that page or file stays unsynced.
    case 'CSYNC_INCOMPLETE':
    case 'CSYNC_TOO_LARGE':
      return EXIT.INCOMPLETE;
    case 'CSYNC_PARTIAL':
      return EXIT.EXPORT_PARTIAL;
    case 'CSYNC_INTEGRITY':
      return EXIT.INTEGRITY;
    case 'CSYNC_UNSAFE_ARCHIVE':
      return EXIT.UNSAFE_ARCHIVE;
    case 'CSYNC_INTERRUPTED':
      return EXIT.INTERRUPTED;
    default:
      return EXIT.ERROR;
  }
}
