import { createHmac, timingSafeEqual } from 'node:crypto';

export type AccessRight = 'Send' | 'Listen' | 'Manage';

/** A shared access policy of the namespace, as an Event Hubs namespace has them. */
export interface AccessPolicy {
  readonly name: string;
  readonly key: string;
  readonly rights: readonly AccessRight[];
}

export type TokenCheck =
  | { readonly ok: true; readonly policy: AccessPolicy; readonly audience: string; readonly expiresAtMs: number }
  | { readonly ok: false; readonly status: 401; readonly reason: string };

/**
 * Checks a token of the form the SDK writes (`SharedAccessSignature sr=<url-encoded audience>&sig=<url-encoded
 * base64 HMAC-SHA256>&se=<expiry, epoch seconds>&skn=<policy name>`): the policy exists, the signature is the
 * HMAC of `<sr as sent>\n<se>` under the policy's key (the key's text is the HMAC key), and it has not expired.
 */
export function checkSharedAccessSignature(token: string, policies: readonly AccessPolicy[], nowMs: number): TokenCheck {
  const refuse = (reason: string): TokenCheck => ({ ok: false, status: 401, reason });
  const prefix = 'SharedAccessSignature ';
  if (!token.startsWith(prefix)) return refuse('not a SharedAccessSignature token');
  const fields = new Map<string, string>();
  for (const pair of token.slice(prefix.length).split('&')) {
    const at = pair.indexOf('=');
    if (at > 0) fields.set(pair.slice(0, at), pair.slice(at + 1));
  }
  const [resource, signature, expiry, keyName] = ['sr', 'sig', 'se', 'skn'].map((name) => fields.get(name));
  if (resource === undefined || signature === undefined || expiry === undefined || keyName === undefined) return refuse('the token lacks sr, sig, se or skn');
  const policy = policies.find((candidate) => candidate.name === decodeURIComponent(keyName));
  if (policy === undefined) return refuse(`no shared access policy named '${decodeURIComponent(keyName)}'`);
  const expected = createHmac('sha256', policy.key).update(`${resource}\n${expiry}`).digest();
  const given = Buffer.from(decodeURIComponent(signature), 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return refuse('the signature does not match the policy key');
  const expiresAtMs = Number(expiry) * 1000;
  if (!Number.isFinite(expiresAtMs) || expiresAtMs <= nowMs) return refuse('the token has expired');
  return { ok: true, policy, audience: decodeURIComponent(resource), expiresAtMs };
}

/** A token as the SDK makes one: for tests that speak to the stand-in without the SDK. */
export function sharedAccessSignature(audience: string, policy: Pick<AccessPolicy, 'name' | 'key'>, expiresAtMs: number): string {
  const resource = encodeURIComponent(audience);
  const expiry = Math.floor(expiresAtMs / 1000);
  const signature = encodeURIComponent(createHmac('sha256', policy.key).update(`${resource}\n${expiry}`).digest('base64'));
  return `SharedAccessSignature sr=${resource}&sig=${signature}&se=${expiry}&skn=${encodeURIComponent(policy.name)}`;
}
