/**
 * The error hierarchy. Every error the user can see is a CsyncError with a stable `code`, a one-line message that
 * names the problem, and (usually) a `hint` that says what to do. Exit codes are decided only in the CLI layer
 * (src/cli/exit-codes.ts), from the code.
 */
export const ERROR_CODES = [
  'CSYNC_USAGE',
  'CSYNC_CONFIG',
  'CSYNC_WORKSPACE',
  'CSYNC_AUTH',
  'CSYNC_FORBIDDEN',
  'CSYNC_NOT_FOUND',
  'CSYNC_BAD_REQUEST',
  'CSYNC_VERSION_CONFLICT',
  'CSYNC_RATE_LIMITED',
  'CSYNC_TIMEOUT',
  'CSYNC_NETWORK',
  'CSYNC_SERVER',
  'CSYNC_CIRCUIT_OPEN',
  'CSYNC_INVALID_RESPONSE',
  'CSYNC_TOO_LARGE',
  'CSYNC_LOCKED',
  'CSYNC_SAFETY_GATE',
  'CSYNC_CONFLICTS',
  'CSYNC_FORMAT',
  'CSYNC_IO',
  'CSYNC_NOT_IMPLEMENTED',
  'CSYNC_INTERRUPTED',
  'CSYNC_INCOMPLETE',
  'CSYNC_PARTIAL',
  'CSYNC_INTEGRITY',
  'CSYNC_UNSAFE_ARCHIVE',
  'CSYNC_INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface CsyncErrorOptions {
  hint?: string | undefined;
  cause?: unknown;
  /** Extra structured fields for logs (never secrets). */
  details?: Record<string, unknown> | undefined;
}

export class CsyncError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: CsyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CsyncError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }
}

export class UsageError extends CsyncError {
  constructor(message: string, options: CsyncErrorOptions = {}) {
    super('CSYNC_USAGE', message, options);
    this.name = 'UsageError';
  }
}

export class ConfigError extends CsyncError {
  constructor(message: string, options: CsyncErrorOptions = {}) {
    super('CSYNC_CONFIG', message, options);
    this.name = 'ConfigError';
  }
}

/** An error from a Confluence request. Carries the method and path (never the query's secrets or headers). */
export class RemoteError extends CsyncError {
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  /** Atlassian's own message from the response body, when there was one. */
  readonly serverMessage: string | undefined;
  /** Seconds from Retry-After, when the server sent it. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    fields: {
      method: string;
      path: string;
      status?: number | undefined;
      serverMessage?: string | undefined;
      retryAfterSeconds?: number | undefined;
    },
    options: CsyncErrorOptions = {},
  ) {
    super(code, message, options);
    this.name = 'RemoteError';
    this.method = fields.method;
    this.path = fields.path;
    this.status = fields.status;
    this.serverMessage = fields.serverMessage;
    this.retryAfterSeconds = fields.retryAfterSeconds;
  }
}

export function isCsyncError(err: unknown): err is CsyncError {
  return err instanceof CsyncError;
}
