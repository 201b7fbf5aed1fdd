// HTTP trigger route templates as ASP.NET Core routing (which the Functions host uses) reads them:
// literal segments match case-insensitively, "{name}" captures one segment, "{name?}" and
// "{name=default}" may be left out at the end, "{name:int}" style constraints restrict a segment and
// "{*rest}" captures the remainder. Templates with several parts in one segment ("{a}.{b}") are not
// supported and are rejected when compiled, so no route silently behaves differently than in Azure.

type Constraint = (value: string) => boolean;

const constraints: Readonly<Record<string, Constraint>> = {
  int: (v) => /^-?\d+$/.test(v) && Math.abs(Number(v)) <= 2147483648,
  long: (v) => /^-?\d+$/.test(v),
  bool: (v) => /^(true|false)$/i.test(v),
  guid: (v) => /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i.test(v),
  alpha: (v) => /^[a-z]+$/i.test(v),
  double: (v) => v.trim() !== '' && Number.isFinite(Number(v)),
};

type Segment =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'parameter'; readonly name: string; readonly optional: boolean; readonly defaultValue?: string; readonly constraints: readonly Constraint[] }
  | { readonly kind: 'catchAll'; readonly name: string };

export interface RouteTemplate {
  readonly template: string;
  /** ASP.NET inbound precedence digits per segment; lower sorts first (more specific). */
  readonly precedence: readonly number[];
  /** Route values for the given (decoded) path segments, or undefined when the template does not match. */
  match(pathSegments: readonly string[]): Record<string, string> | undefined;
}

export function compileRouteTemplate(template: string): RouteTemplate {
  const segments = template
    .split('/')
    .filter((s) => s !== '')
    .map((text) => parseSegment(template, text));
  segments.forEach((segment, index) => {
    if (segment.kind === 'catchAll' && index !== segments.length - 1) {
      throw new Error(`Route '${template}': a catch-all parameter must be the last segment.`);
    }
  });
  return {
    template,
    precedence: segments.map(precedenceDigit),
    match: (pathSegments) => matchSegments(segments, pathSegments),
  };
}

/** Negative when `a` should be tried before `b`. */
export function comparePrecedence(a: RouteTemplate, b: RouteTemplate): number {
  const length = Math.max(a.precedence.length, b.precedence.length);
  for (let i = 0; i < length; i += 1) {
    const difference = (a.precedence[i] ?? 0) - (b.precedence[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function parseSegment(template: string, text: string): Segment {
  const parameter = /^\{(.+)\}$/.exec(text);
  if (!parameter) {
    if (text.includes('{') || text.includes('}')) {
      throw new Error(`Route '${template}': segment '${text}' mixes literal text and parameters, which the local host does not support.`);
    }
    return { kind: 'literal', text };
  }
  let body = parameter[1] ?? '';
  if (body.startsWith('*')) return { kind: 'catchAll', name: body.replace(/^\*+/, '').split(':')[0] ?? '' };
  let defaultValue: string | undefined;
  const equals = body.indexOf('=');
  if (equals >= 0) {
    defaultValue = body.slice(equals + 1);
    body = body.slice(0, equals);
  }
  const optional = body.endsWith('?');
  if (optional) body = body.slice(0, -1);
  const [name = '', ...constraintNames] = body.split(':');
  const checks = constraintNames.map((constraintName) => {
    const check = constraints[constraintName.toLowerCase()];
    if (!check) throw new Error(`Route '${template}': constraint '${constraintName}' is not supported by the local host.`);
    return check;
  });
  return { kind: 'parameter', name, optional, ...(defaultValue === undefined ? {} : { defaultValue }), constraints: checks };
}

function precedenceDigit(segment: Segment): number {
  if (segment.kind === 'literal') return 1;
  if (segment.kind === 'catchAll') return 5;
  return segment.constraints.length > 0 ? 3 : 4;
}

function matchSegments(segments: readonly Segment[], path: readonly string[]): Record<string, string> | undefined {
  const values: Record<string, string> = {};
  for (let i = 0; i < segments.length; i += 1) {
    const segment = segments[i] as Segment;
    if (segment.kind === 'catchAll') {
      const rest = path.slice(i).join('/');
      if (rest !== '') values[segment.name] = rest;
      return values;
    }
    const value = path[i];
    if (value === undefined) {
      // Only trailing optional/defaulted parameters may be left out.
      const allOptional = segments.slice(i).every((s) => s.kind === 'catchAll' || (s.kind === 'parameter' && (s.optional || s.defaultValue !== undefined)));
      if (!allOptional) return undefined;
      for (const s of segments.slice(i)) {
        if (s.kind === 'parameter' && s.defaultValue !== undefined) values[s.name] = s.defaultValue;
      }
      return values;
    }
    if (segment.kind === 'literal') {
      if (value.toLowerCase() !== segment.text.toLowerCase()) return undefined;
      continue;
    }
    if (!segment.constraints.every((check) => check(value))) return undefined;
    values[segment.name] = value;
  }
  return path.length > segments.length ? undefined : values;
}
