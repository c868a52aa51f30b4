/**
 * The got instance for one site: auth header, keep-alive agents, timeouts, User-Agent. No retries, no throwing on
 * HTTP errors: transport.ts owns those decisions.
 */
import http from 'node:http';
import https from 'node:https';
import got, { type Got } from 'got';
import type { NormalizedOptions } from './options.js';

export interface SiteHttp {
  got: Got;
  close(): void;
}

export function authorizationHeader(auth: NormalizedOptions['auth']): string {
  return auth.kind === 'basic'
    ? `Basic ${Buffer.from(`${auth.email}:${auth.token}`, 'utf8').toString('base64')}`
    : `Bearer ${auth.token}`;
}

export function createSiteHttp(options: NormalizedOptions): SiteHttp {
  // A few more sockets than concurrent requests: a socket that just failed may linger while its retry starts.
  const maxSockets = options.rate.maxConcurrent + 2;
  const agents = {
    http: new http.Agent({ keepAlive: true, maxSockets }),
    https: new https.Agent({ keepAlive: true, maxSockets }),
  };
  const instance = got.extend({
    agent: agents,
    headers: {
      authorization: authorizationHeader(options.auth),
      'user-agent': options.userAgent,
      accept: 'application/json',
    },
    timeout: {
      lookup: options.timeouts.connectMs,
      connect: options.timeouts.connectMs,
      secureConnect: options.timeouts.connectMs,
      response: options.timeouts.responseMs,
      // A body that stalls half-way: no byte for this long ends the attempt.
      socket: options.timeouts.responseMs,
    },
    retry: { limit: 0 },
    throwHttpErrors: false,
    // got drops the authorization header when a redirect leaves the origin (downloads redirect to a media host).
    followRedirect: true,
    maxRedirects: 5,
    responseType: 'text',
    decompress: true,
  });
  return {
    got: instance,
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
