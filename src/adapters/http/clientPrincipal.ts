import type { Principal } from '../../domain/httpAuthorization';

/** What App Service Authentication hands the app: headers it sets itself and strips from what callers send. */
export const clientPrincipalHeaders = {
  principal: 'x-ms-client-principal',
  name: 'x-ms-client-principal-name',
  id: 'x-ms-client-principal-id',
} as const;

/** The claim types Entra ID gives the object ID under, mapped (App Service's claim mapping) or not. */
const objectIdClaims = ['http://schemas.microsoft.com/identity/claims/objectidentifier', 'oid'];

/** The role claim: `roles` for Entra ID v2 tokens; the principal's `role_typ` names the mapped type when a provider uses one. */
const rolesClaim = 'roles';

interface Claim {
  readonly typ: string;
  readonly val: string;
}

/** Headers as the Functions library's HttpRequest exposes them (case-insensitive `get`). */
export interface RequestHeaders {
  get(name: string): string | null;
}

/**
 * The caller App Service Authentication signed in, from `x-ms-client-principal` (base64 of
 * `{ auth_typ, name_typ, role_typ, claims: [{ typ, val }] }`) and the `-name` / `-id` headers beside it.
 * Undefined when there is none, or when the header is not such JSON (App Service never sends that, so it is
 * treated as no sign-in rather than trusted in part).
 */
export function readClientPrincipal(headers: RequestHeaders): Principal | undefined {
  const encoded = headers.get(clientPrincipalHeaders.principal)?.trim();
  if (encoded === undefined || encoded === '') return undefined;
  const payload = decode(encoded);
  if (payload === undefined) return undefined;

  const claims = payload.claims;
  const valuesOf = (types: readonly string[]) => claims.filter((claim) => types.includes(claim.typ)).map((claim) => claim.val);
  const roleTypes = payload.roleType === undefined || payload.roleType === rolesClaim ? [rolesClaim] : [rolesClaim, payload.roleType];
  const name = headers.get(clientPrincipalHeaders.name)?.trim() || valuesOf([payload.nameType ?? 'name', 'name', 'preferred_username'])[0] || '';
  const id = headers.get(clientPrincipalHeaders.id)?.trim() || valuesOf(objectIdClaims)[0] || '';
  return { name, id, roles: valuesOf(roleTypes) };
}

interface DecodedPrincipal {
  readonly nameType?: string;
  readonly roleType?: string;
  readonly claims: readonly Claim[];
}

function decode(encoded: string): DecodedPrincipal | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { claims, name_typ: nameType, role_typ: roleType } = parsed as Record<string, unknown>;
  if (!Array.isArray(claims)) return undefined;
  return {
    ...(typeof nameType === 'string' && nameType !== '' ? { nameType } : {}),
    ...(typeof roleType === 'string' && roleType !== '' ? { roleType } : {}),
    claims: claims.filter(isClaim),
  };
}

function isClaim(value: unknown): value is Claim {
  if (typeof value !== 'object' || value === null) return false;
  const { typ, val } = value as Record<string, unknown>;
  return typeof typ === 'string' && typeof val === 'string';
}
