// Maps the worker's RPC HTTP response ({ http: { statusCode: "202", headers, cookies, body } }) back
// to what the host writes on the wire.
import type { RpcHttpCookie, RpcTypedData } from './rpcTypes';

export interface HttpInvocationResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Set-Cookie header values built from the response's cookies. */
  readonly cookies: readonly string[];
  readonly body: Buffer;
}

export function httpResponseFromRpc(returnValue: RpcTypedData | null | undefined): HttpInvocationResponse {
  const http = returnValue?.http;
  // A handler that returns nothing: the host's function invocation middleware falls back to
  // OkResult, i.e. 200 with an empty body.
  if (!http) return { status: 200, headers: {}, cookies: [], body: Buffer.alloc(0) };
  const status = Number(http.statusCode ?? '200');
  const body = http.body?.bytes
    ? Buffer.from(http.body.bytes)
    : typeof http.body?.string === 'string'
      ? Buffer.from(http.body.string, 'utf8')
      : Buffer.alloc(0);
  return {
    status: Number.isInteger(status) ? status : 200,
    headers: { ...(http.headers ?? {}) },
    cookies: (http.cookies ?? []).map(setCookieValue),
    body,
  };
}

function setCookieValue(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const expiresSeconds = cookie.expires?.value?.seconds;
  if (typeof expiresSeconds === 'number') parts.push(`Expires=${new Date(expiresSeconds * 1000).toUTCString()}`);
  if (typeof cookie.maxAge?.value === 'number') parts.push(`Max-Age=${cookie.maxAge.value}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  if (cookie.sameSite === 'lax') parts.push('SameSite=Lax');
  else if (cookie.sameSite === 'strict') parts.push('SameSite=Strict');
  else if (cookie.sameSite === 'explicitNone') parts.push('SameSite=None');
  return parts.join('; ');
}
