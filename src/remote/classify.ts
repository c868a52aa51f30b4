/**
 * Pure decisions about a failed attempt: which stable code, whether and how it may be retried, whether it counts
 * against the circuit breaker, and the hint a user can act on. No I/O here; transport.ts only applies them.
 */
import type { ErrorCode } from '../core/errors.js';

/**
 * How a retry is allowed:
 * - 'safe': the server did not act on the request (429, refused connection): retry anything.
 * - 'ambiguous': it may have acted (5xx, reset, timeout, garbled answer): retry idempotent requests; a write is
 *   retried only after checking whether it already happened.
 * - 'no': retrying cannot help (4xx).
 */
export type RetryClass = 'safe' | 'ambiguous' | 'no';

export interface FailureDecision {
  code: ErrorCode;
  retry: RetryClass;
  /** Counts towards opening the circuit breaker (the site looks unhealthy, not just unwilling). */
  breakerFailure: boolean;
  /** A short description used in the one-line message. */
  what: string;
  hint: string;
}

export const TOKEN_URL = 'https://id.atlassian.com/manage-profile/security/api-tokens';

export function classifyStatus(status: number, authKind: 'basic' | 'bearer'): FailureDecision {
  if (status === 401) {
    return {
      code: 'CSYNC_AUTH',
      retry: 'no',
      breakerFailure: false,
      what: 'authentication failed (401)',
      hint:
        authKind === 'basic'
          ? `Cloud needs your email and an API token, not your password; create one at ${TOKEN_URL}`
          : 'the personal access token was refused: create a new one in Confluence (Profile → Personal Access Tokens) and set CONFLUENCE_PAT',
    };
  }
  if (status === 403) {
    return { code: 'CSYNC_FORBIDDEN', retry: 'no', breakerFailure: false, what: 'permission denied (403)', hint: 'ask a space admin for the needed permission (View, Add, Delete or Attach) in Space settings → Permissions' };
  }
  if (status === 404) {
    return { code: 'CSYNC_NOT_FOUND', retry: 'no', breakerFailure: false, what: 'not found (404)', hint: 'check the id or key; Confluence also answers 404 when your account may not view the content' };
  }
  if (status === 409) {
    return { code: 'CSYNC_VERSION_CONFLICT', retry: 'no', breakerFailure: false, what: 'version conflict (409)', hint: 'the page changed in Confluence since the last pull: run `csync pull` (or `csync sync`) and push again' };
  }
  if (status === 413) {
    return { code: 'CSYNC_TOO_LARGE', retry: 'no', breakerFailure: false, what: 'request too large (413)', hint: 'Confluence refuses bodies over about 5 MB: split the page or move large content into attachments' };
  }
  if (status === 429) {
    return { code: 'CSYNC_RATE_LIMITED', retry: 'safe', breakerFailure: false, what: 'rate limited (429)', hint: 'Confluence is limiting this account: use --profile conservative or lower rate.requestsPerSecond' };
  }
  if (status >= 500) {
    return { code: 'CSYNC_SERVER', retry: status === 501 ? 'no' : 'ambiguous', breakerFailure: status !== 501, what: `server error (${status})`, hint: 'Confluence had a problem answering; try again later (status.atlassian.com for Cloud)' };
  }
  if (status >= 300 && status < 400) {
    return { code: 'CSYNC_INVALID_RESPONSE', retry: 'no', breakerFailure: false, what: `unexpected redirect (${status})`, hint: 'check site.url: it should be the Confluence base URL (with /wiki for Cloud), not a login or proxy page' };
  }
  return { code: 'CSYNC_BAD_REQUEST', retry: 'no', breakerFailure: false, what: `request refused (${status})`, hint: 'Confluence rejected the request; the server message above says which field' };
}

/** Network-level failures by Node/got error code. */
export function classifyNetworkError(errCode: string | undefined, errName: string | undefined): FailureDecision {
  const code = errCode ?? '';
  if (errName === 'TimeoutError' || code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') {
    return { code: 'CSYNC_TIMEOUT', retry: 'ambiguous', breakerFailure: true, what: 'no answer in time', hint: 'check the network or proxy, or raise timeouts.responseMs / timeouts.connectMs' };
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    // The request never reached a server: nothing can have been applied.
    return { code: 'CSYNC_NETWORK', retry: 'safe', breakerFailure: true, what: `cannot reach the server (${code})`, hint: 'check site.url, DNS, proxy and VPN settings' };
  }
  if (code.startsWith('ERR_TLS') || code.startsWith('CERT_') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN' || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') {
    return { code: 'CSYNC_NETWORK', retry: 'no', breakerFailure: false, what: `TLS certificate problem (${code})`, hint: 'the server certificate is not trusted: set NODE_EXTRA_CA_CERTS to your company CA bundle' };
  }
  return { code: 'CSYNC_NETWORK', retry: 'ambiguous', breakerFailure: true, what: `connection failed${code ? ` (${code})` : ''}`, hint: 'the connection broke; check the network, proxy or VPN' };
}

export function invalidResponseDecision(problem: string): FailureDecision {
  return { code: 'CSYNC_INVALID_RESPONSE', retry: 'ambiguous', breakerFailure: false, what: `malformed response: ${problem}`, hint: 'check that site.url points at Confluence (with /wiki for Cloud); a proxy or captive portal may be answering' };
}

/**
 * Atlassian's own message from an error body: v2 `{errors:[{title, detail}]}`, v1 `{message}` / `{statusCode, message}`.
 * Truncated to one line of reasonable length.
 */
export function atlassianMessage(body: string | undefined): string | undefined {
  if (!body) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const rec = parsed as Record<string, unknown>;
  let msg: string | undefined;
  if (Array.isArray(rec.errors) && rec.errors.length > 0) {
    const first = rec.errors[0] as Record<string, unknown> | undefined;
    const parts = [first?.title, first?.detail].filter((s): s is string => typeof s === 'string' && s.length > 0);
    if (parts.length > 0) msg = parts.join(': ');
  }
  if (msg === undefined && typeof rec.message === 'string' && rec.message.length > 0) msg = rec.message;
  // Jira: {errorMessages: [...], errors: {field: message}}
  if (msg === undefined && Array.isArray(rec.errorMessages) && typeof rec.errorMessages[0] === 'string') msg = rec.errorMessages[0];
  if (msg === undefined && rec.errors && typeof rec.errors === 'object' && !Array.isArray(rec.errors)) {
    const first = Object.entries(rec.errors as Record<string, unknown>).find(([, v]) => typeof v === 'string');
    if (first) msg = `${first[0]}: ${String(first[1])}`;
  }
  if (msg === undefined) return undefined;
  const oneLine = msg.replace(/\s+/g, ' ').trim();
  return oneLine.length > 300 ? `${oneLine.slice(0, 297)}...` : oneLine;
}

/** Jira's wording of the hints (a source 'jira' transport): same codes and retry rules, Jira's settings and screens. */
const JIRA_HINTS: Partial<Record<ErrorCode, (d: FailureDecision) => string>> = {
  CSYNC_AUTH: (d) => (d.hint.includes(TOKEN_URL) ? `Jira Cloud needs your Atlassian e-mail and an API token (the same account as Confluence); create one at ${TOKEN_URL}` : 'the personal access token was refused by Jira: create one in Jira (Profile → Personal Access Tokens) and set JIRA_PAT'),
  CSYNC_FORBIDDEN: () => 'your account may not browse these issues: ask a Jira admin for the Browse projects permission',
  CSYNC_NOT_FOUND: () => 'check the issue key or jira.url; Jira also answers 404 when your account may not see the issue',
  CSYNC_RATE_LIMITED: () => 'Jira is limiting this account: lower jira.rate.requestsPerSecond (Jira and Confluence budgets are separate)',
  CSYNC_SERVER: () => 'Jira had a problem answering; try again later (status.atlassian.com for Cloud)',
  CSYNC_BAD_REQUEST: () => 'Jira rejected the request (a JQL error names the clause); the server message above says what',
  CSYNC_INVALID_RESPONSE: (d) => (d.what.startsWith('unexpected redirect') ? 'check jira.url: it should be the Jira base URL, not a login or proxy page' : 'check that jira.url points at Jira; a proxy or captive portal may be answering'),
  CSYNC_NETWORK: (d) => d.hint.replace('site.url', 'jira.url'),
};

export function forSource(decision: FailureDecision, source: string): FailureDecision {
  if (source !== 'jira') return decision;
  const hint = JIRA_HINTS[decision.code]?.(decision);
  return hint ? { ...decision, hint } : decision;
}
