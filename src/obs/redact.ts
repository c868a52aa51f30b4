/**
 * Secret scrubbing. Every secret the process knows (API tokens, PATs) is registered here once, with the forms it
 * can take on the wire (the Basic-auth base64 of email:token). Every byte the program writes to a log, the
 * terminal or an error message passes through `scrub`, so a secret that slips into a message is still replaced.
 */
const secrets = new Set<string>();
let pattern: RegExp | undefined;

export const REDACTED = '[REDACTED]';

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function registerSecret(secret: string | undefined, email?: string): void {
  if (!secret || secret.length < 4) return;
  secrets.add(secret);
  secrets.add(encodeURIComponent(secret));
  if (email) secrets.add(Buffer.from(`${email}:${secret}`).toString('base64'));
  // Longest first so a secret containing another is replaced whole.
  pattern = new RegExp([...secrets].sort((a, b) => b.length - a.length).map(escape).join('|'), 'g');
}

export function scrub(text: string): string {
  return pattern ? text.replace(pattern, REDACTED) : text;
}

/** For tests: forget every registered secret. */
export function clearSecrets(): void {
  secrets.clear();
  pattern = undefined;
}

/** Paths pino redacts structurally before serialising (belt and braces with `scrub`). */
export const REDACT_PATHS = [
  'apiToken',
  'token',
  'pat',
  'password',
  'authorization',
  'Authorization',
  '*.apiToken',
  '*.token',
  '*.pat',
  '*.password',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  'req.headers.authorization',
  'options.headers.authorization',
];
