// Reads the ARM JSON the Bicep CLI compiled from infra/main.bicep (infra/tools/validate.sh), and evaluates
// the few template expressions the deployment's settings and names are made of, so tests can compare what
// the Function App will be told with the resources the template creates.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repositoryRoot = join(__dirname, '../..');

export interface ArmResource {
  readonly type: string;
  readonly name?: string;
  readonly condition?: unknown;
  readonly properties?: Record<string, unknown> & { readonly template?: ArmTemplate; readonly parameters?: Record<string, { value: unknown }> };
  readonly [key: string]: unknown;
}

export interface ArmTemplate {
  readonly parameters?: Record<string, { readonly defaultValue?: unknown }>;
  readonly variables?: Record<string, unknown>;
  readonly resources: readonly ArmResource[] | Readonly<Record<string, ArmResource>>;
  readonly outputs?: Record<string, { readonly value: unknown }>;
}

/** Lints and compiles the templates (failing on any diagnostic) and returns the compiled main template. */
export function compileMainTemplate(): ArmTemplate {
  execFileSync('bash', [join(repositoryRoot, 'infra/tools/validate.sh')], { stdio: 'pipe', timeout: 300_000 });
  return JSON.parse(readFileSync(join(repositoryRoot, 'infra/dist/main.json'), 'utf8')) as ArmTemplate;
}

/** The resources of a template, keyed by symbolic name (language version 2.0) or by index. */
export function resourcesOf(template: ArmTemplate): [string, ArmResource][] {
  return Array.isArray(template.resources) ? template.resources.map((resource, index) => [String(index), resource]) : Object.entries(template.resources);
}

/** A scope in which expressions are evaluated: a template, the values its parameters get, its parent. */
export interface Scope {
  readonly template: ArmTemplate;
  readonly parameterValues: Readonly<Record<string, unknown>>;
  readonly parent?: Scope;
}

/** The scope of a module (a nested deployment of `scope.template`, by symbolic name). */
export function moduleScope(scope: Scope, symbolicName: string): Scope {
  const deployment = resourcesOf(scope.template).find(([name]) => name === symbolicName)?.[1];
  const template = deployment?.properties?.template;
  if (deployment === undefined || template === undefined) throw new Error(`no module ${symbolicName}`);
  const parameterValues = Object.fromEntries(Object.entries(deployment.properties?.parameters ?? {}).map(([name, { value }]) => [name, evaluate(value, scope)]));
  return { template, parameterValues, parent: scope };
}

/** Evaluates a template value: literals as they are, `[…]` expressions by a small ARM expression evaluator. */
export function evaluate(value: unknown, scope: Scope): unknown {
  if (typeof value === 'string' && value.startsWith('[') && !value.startsWith('[[') && value.endsWith(']')) {
    const parser = new ExpressionParser(value.slice(1, -1), scope);
    return parser.parseExpression();
  }
  if (Array.isArray(value)) return value.map((item) => evaluate(item, scope));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, evaluate(item, scope)]));
  return value;
}

/** Stands for what only a deployment knows (a resource's runtime property): `<fn(args)>`. */
const opaque = (text: string): string => `<${text}>`;

class ExpressionParser {
  private position = 0;

  constructor(
    private readonly text: string,
    private readonly scope: Scope,
  ) {}

  parseExpression(): unknown {
    this.skipSpaces();
    let value: unknown;
    if (this.text[this.position] === "'") value = this.parseString();
    else if (/[0-9-]/.test(this.text[this.position] ?? '')) value = Number(this.read(/^-?[0-9]+/));
    else value = this.parseCall();
    // Property and index access.
    for (;;) {
      this.skipSpaces();
      const next = this.text[this.position];
      if (next === '.') {
        this.position += 1;
        const property = this.read(/^[A-Za-z_$][A-Za-z0-9_$]*/);
        value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[property] : opaque(`${String(value)}.${property}`);
      } else if (next === '[') {
        this.position += 1;
        const index = this.parseExpression();
        this.expect(']');
        value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[String(index)] : opaque(`${String(value)}[${String(index)}]`);
      } else return value;
    }
  }

  private parseCall(): unknown {
    const name = this.read(/^[A-Za-z_][A-Za-z0-9_.]*/);
    this.expect('(');
    const args: unknown[] = [];
    this.skipSpaces();
    if (this.text[this.position] !== ')') {
      for (;;) {
        args.push(this.parseExpression());
        this.skipSpaces();
        if (this.text[this.position] === ',') this.position += 1;
        else break;
      }
    }
    this.expect(')');
    return this.call(name, args);
  }

  private call(name: string, args: readonly unknown[]): unknown {
    const [first, second] = args;
    switch (name.toLowerCase()) {
      case 'parameters': {
        const parameter = String(first);
        if (parameter in this.scope.parameterValues) return this.scope.parameterValues[parameter];
        return evaluate(this.scope.template.parameters?.[parameter]?.defaultValue, this.scope);
      }
      case 'variables':
        return evaluate(this.scope.template.variables?.[String(first)], this.scope);
      case 'reference': {
        // A module's outputs, by symbolic name (language version 2.0): `reference('iotHub').outputs.name.value`.
        const symbolicName = String(first);
        const isModule = resourcesOf(this.scope.template).some(([key, resource]) => key === symbolicName && resource.type === 'Microsoft.Resources/deployments');
        if (!isModule) return opaque(`reference(${symbolicName})`);
        const module = moduleScope(this.scope, symbolicName);
        const outputs = Object.fromEntries(Object.entries(module.template.outputs ?? {}).map(([key, output]) => [key, { value: evaluate(output.value, module) }]));
        return { outputs };
      }
      case 'format':
        return String(first).replace(/\{(\d+)\}/g, (_, index: string) => String(args[Number(index) + 1]));
      case 'concat':
        return args.map(String).join('');
      case 'string':
        return String(first);
      case 'tolower':
        return String(first).toLowerCase();
      case 'take':
        return String(first).slice(0, Number(second));
      case 'empty':
        return first === '' || first === undefined || first === null;
      case 'equals':
        return first === second;
      case 'not':
        return first !== true;
      case 'if':
        return first === true ? second : args[2];
      case 'resourceid': {
        // `resourceId('A.B/c/d', 'n1', 'n2')` as `A.B/c/n1/d/n2` (the subscription and group left out).
        const typeIndex = args.findIndex((arg) => String(arg).includes('/'));
        const [provider, ...types] = String(args[typeIndex]).split('/');
        const names = args.slice(typeIndex + 1).map(String);
        return [provider, ...types.flatMap((type, index) => [type, names[index]])].join('/');
      }
      case 'uniquestring':
        return 'tok3n';
      default:
        return opaque(`${name}(${args.map(String).join(', ')})`);
    }
  }

  private parseString(): string {
    let result = '';
    this.position += 1;
    for (;;) {
      const char = this.text[this.position];
      if (char === undefined) throw new Error(`unterminated string in ${this.text}`);
      this.position += 1;
      if (char === "'") {
        if (this.text[this.position] === "'") {
          result += "'";
          this.position += 1;
        } else return result;
      } else result += char;
    }
  }

  private read(pattern: RegExp): string {
    const match = pattern.exec(this.text.slice(this.position));
    if (match === null) throw new Error(`cannot read ${this.text.slice(this.position)} in ${this.text}`);
    this.position += match[0].length;
    return match[0];
  }

  private expect(char: string): void {
    this.skipSpaces();
    if (this.text[this.position] !== char) throw new Error(`expected ${char} at ${this.position} in ${this.text}`);
    this.position += 1;
  }

  private skipSpaces(): void {
    while (this.text[this.position] === ' ') this.position += 1;
  }
}
