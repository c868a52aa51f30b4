/** Pure checks for the health/metrics listener address (watch.listen = "HOST:PORT"). */
import { isIP } from 'node:net';
import { CsyncError } from '../core/errors.js';

export interface ListenAddress {
  host: string;
  port: number;
}

/** "127.0.0.1:9464" or "[::1]:9464" → { host, port }. */
export function parseListen(value: string): ListenAddress {
  const m = /^\[([0-9a-fA-F:]+)\]:(\d{1,5})$/.exec(value) ?? /^([^\s:[\]]+):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) {
    throw new CsyncError('CSYNC_CONFIG', `watch.listen must be HOST:PORT, got ${JSON.stringify(value)}`, {
      hint: 'e.g. 127.0.0.1:9464, or [::1]:9464 for IPv6; port 0 picks a free port',
    });
  }
  return { host: m[1]!, port };
}

/** Loopback only: 127.0.0.0/8, ::1 (also as ::ffff:127.x) and the name localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/** The endpoints expose workspace state without authentication, so binding elsewhere must be asked for explicitly. */
export function assertListenAllowed(host: string, allowRemote: boolean): void {
  if (isLoopbackHost(host) || allowRemote) return;
  throw new CsyncError('CSYNC_CONFIG', `refusing to serve /healthz and /metrics on non-loopback address ${host}`, {
    hint: 'they have no authentication: keep watch.listen on 127.0.0.1, or pass allowRemote (--listen-remote) if a firewall protects it',
  });
}
