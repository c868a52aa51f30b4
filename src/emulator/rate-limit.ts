/**
 * Token bucket rate limiting as Atlassian describes it: a request takes a token; with none left the answer is 429
 * with Retry-After (seconds) and the X-RateLimit-* headers; X-RateLimit-NearLimit: true below 20% left.
 */
export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly rps: number,
    readonly burst: number,
    private readonly now: () => number,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  take(): RateDecision {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rps);
    this.last = t;
    const reset = new Date(t + ((this.burst - this.tokens) / this.rps) * 1000).toISOString();
    const headers: Record<string, string> = { 'X-RateLimit-Limit': String(this.burst), 'X-RateLimit-Reset': reset };
    if (this.tokens >= 1) {
      this.tokens -= 1;
      headers['X-RateLimit-Remaining'] = String(Math.floor(this.tokens));
      if (this.tokens < this.burst * 0.2) headers['X-RateLimit-NearLimit'] = 'true';
      return { allowed: true, headers };
    }
    const waitS = Math.max(1, Math.ceil((1 - this.tokens) / this.rps));
    headers['X-RateLimit-Remaining'] = '0';
    headers['X-RateLimit-NearLimit'] = 'true';
    headers['Retry-After'] = String(waitS);
    headers['RateLimit-Reason'] = 'confluence-burst-limit';
    return { allowed: false, headers };
  }
}
