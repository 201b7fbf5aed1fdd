// Request authentication as the hub does it: a shared access signature signed with one of the hub's shared
// access policy keys, or an Entra ID bearer token. Anything else is 401 IotHubUnauthorizedAccess.
//
// SAS format (what azure-iothub's SharedAccessSignature builds):
//   SharedAccessSignature sr=<url-encoded resource URI>&sig=<url-encoded base64 HMAC-SHA256>&se=<expiry, epoch s>&skn=<policy>
// where the HMAC key is the base64-decoded policy key and the signed string is "<sr as sent>\n<se>".
// The resource URI is the hub host name, optionally followed by a path that scopes the token (the token is
// valid for requests under that path, compared case-insensitively).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { HubError } from './errors';
import type { AccessRight } from './operations';

export interface SharedAccessPolicy {
  readonly keyName: string;
  /** base64 */
  readonly primaryKey: string;
  readonly secondaryKey?: string;
  /** Default: all rights (like iothubowner). */
  readonly rights?: readonly AccessRight[];
}

export const ALL_RIGHTS: readonly AccessRight[] = ['RegistryRead', 'RegistryWrite', 'ServiceConnect', 'DeviceConnect'];

export function defaultPolicies(): SharedAccessPolicy[] {
  return [{ keyName: 'iothubowner', primaryKey: randomBytes(32).toString('base64'), secondaryKey: randomBytes(32).toString('base64'), rights: ALL_RIGHTS }];
}

function unauthorized(reason: string): HubError {
  return new HubError('IotHubUnauthorizedAccess', `Unauthorized: ${reason}`);
}

function parseSas(token: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const part of token.split('&')) {
    const equals = part.indexOf('=');
    if (equals <= 0) throw unauthorized('malformed SharedAccessSignature');
    fields.set(part.slice(0, equals), part.slice(equals + 1));
  }
  return fields;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw unauthorized('malformed URL encoding in SharedAccessSignature');
  }
}

function sign(base64Key: string, text: string): Buffer {
  return createHmac('sha256', Buffer.from(base64Key, 'base64')).update(text).digest();
}

export class HubAuthenticator {
  constructor(
    private readonly hostName: string,
    private readonly policies: readonly SharedAccessPolicy[],
    private readonly acceptBearerToken: (token: string) => boolean,
    /** Wall clock (epoch ms): SAS expiry is signed by clients against real time, whatever clock drives throttles. */
    private readonly wallClock: () => number,
  ) {}

  /** Throws 401 unless the Authorization header authenticates a principal holding one of `rights`. */
  authenticate(authorization: string | undefined, requestPath: string, rights: readonly AccessRight[]): void {
    if (authorization === undefined || authorization.trim() === '') throw unauthorized('no Authorization header');
    const space = authorization.indexOf(' ');
    const scheme = space < 0 ? authorization : authorization.slice(0, space);
    const credential = space < 0 ? '' : authorization.slice(space + 1).trim();
    if (scheme === 'Bearer') {
      let accepted = false;
      try {
        accepted = credential.length > 0 && this.acceptBearerToken(credential);
      } catch {
        accepted = false;
      }
      if (!accepted) throw unauthorized('the bearer token was rejected');
      return;
    }
    if (scheme !== 'SharedAccessSignature') throw unauthorized(`unsupported authorization scheme '${scheme}'`);
    this.verifySas(credential, requestPath, rights);
  }

  private verifySas(token: string, requestPath: string, rights: readonly AccessRight[]): void {
    const fields = parseSas(token);
    const sr = fields.get('sr');
    const sig = fields.get('sig');
    const se = fields.get('se');
    const skn = fields.get('skn');
    if (sr === undefined || sig === undefined || se === undefined || skn === undefined) {
      throw unauthorized('the SharedAccessSignature needs sr, sig, se and skn');
    }
    const policy = this.policies.find((candidate) => candidate.keyName === safeDecode(skn));
    if (policy === undefined) throw unauthorized(`unknown shared access policy '${safeDecode(skn)}'`);

    const expiry = Number(se);
    if (!Number.isFinite(expiry)) throw unauthorized('se is not a number');
    if (expiry * 1000 <= this.wallClock()) throw unauthorized('the SharedAccessSignature has expired');

    const resource = safeDecode(sr).toLowerCase();
    const host = this.hostName.toLowerCase();
    const scope = resource === host ? '' : resource.startsWith(`${host}/`) ? resource.slice(host.length) : undefined;
    if (scope === undefined) throw unauthorized(`the token's resource '${safeDecode(sr)}' is not this hub`);
    if (scope !== '' && !requestPath.toLowerCase().startsWith(scope)) throw unauthorized(`the token is scoped to '${scope}'`);

    const presented = Buffer.from(safeDecode(sig), 'base64');
    // Clients sign the sr exactly as they put it in the token; accept the canonical encoding too.
    const signedTexts = new Set([`${sr}\n${se}`, `${encodeURIComponent(safeDecode(sr))}\n${se}`]);
    const keys = [policy.primaryKey, ...(policy.secondaryKey === undefined ? [] : [policy.secondaryKey])];
    const valid = keys.some((key) =>
      [...signedTexts].some((text) => {
        const expected = sign(key, text);
        return expected.length === presented.length && timingSafeEqual(expected, presented);
      }),
    );
    if (!valid) throw unauthorized('the signature does not match');

    const granted = policy.rights ?? ALL_RIGHTS;
    if (rights.length > 0 && !rights.some((right) => granted.includes(right))) {
      throw unauthorized(`policy '${policy.keyName}' lacks ${rights.join(' or ')}`);
    }
  }
}
