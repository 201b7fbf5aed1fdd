// The lab's stand-in for App Service Authentication: a principal written as `name=alice;roles=operator,approver`
// (the `x-lab-principal` header, or `npm start -- --principal …` for requests without one) becomes the headers
// App Service Authentication sets after an Entra ID sign-in, so the app's role checks can be tried locally.

/** The header a lab request names its caller in; the local HTTP front replaces it with App Service's headers. */
export const labPrincipalHeader = 'x-lab-principal';

export interface LabPrincipal {
  readonly name: string;
  readonly id: string;
  readonly roles: readonly string[];
}

/**
 * Reads `name=alice;roles=operator,approver[;id=…]`; the id defaults to one derived from the name, so the same
 * name is the same person (what the approver-differs-from-starter rule compares). Throws naming what is wrong.
 */
export function parseLabPrincipal(text: string): LabPrincipal {
  const fields = new Map<string, string>();
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const at = part.indexOf('=');
    const key = at <= 0 ? '' : part.slice(0, at).trim().toLowerCase();
    if (key !== 'name' && key !== 'roles' && key !== 'id') throw new Error(`a principal is name=…;roles=…[;id=…], got ${JSON.stringify(part.trim())}`);
    fields.set(key, part.slice(at + 1).trim());
  }
  const name = fields.get('name') ?? '';
  if (name === '') throw new Error(`a principal needs name=…, got ${JSON.stringify(text)}`);
  const roles = (fields.get('roles') ?? '').split(',').map((role) => role.trim()).filter((role) => role !== '');
  return { name, id: fields.get('id') || `lab-${name}`, roles };
}

/** The headers App Service Authentication sets for a signed-in Entra ID caller with these app roles. */
export function appServicePrincipalHeaders(principal: LabPrincipal): Record<string, string> {
  const payload = {
    auth_typ: 'aad',
    name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
    role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
    claims: [
      { typ: 'name', val: principal.name },
      { typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier', val: principal.id },
      ...principal.roles.map((role) => ({ typ: 'roles', val: role })),
    ],
  };
  return {
    'x-ms-client-principal': Buffer.from(JSON.stringify(payload), 'utf8').toString('base64'),
    'x-ms-client-principal-name': principal.name,
    'x-ms-client-principal-id': principal.id,
    'x-ms-client-principal-idp': 'aad',
  };
}
