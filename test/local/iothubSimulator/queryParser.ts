// Parser for the subset of the IoT Hub query language the product uses (query-twins.md; domain.md §4.3):
//
//   SELECT [TOP n] ( * | item [, item]* ) FROM devices | devices.modules [WHERE cond] [GROUP BY path]
//   item  := COUNT() [AS name] | path [AS name]
//   cond  := cond OR cond | cond AND cond | NOT cond | ( cond ) | IS_DEFINED(path)
//          | STARTSWITH(path, 'text') | ENDSWITH(path, 'text')
//          | operand (= | != | <> | < | <= | > | >=) operand | operand IN [lit, ...] | operand NIN [lit, ...]
//   operand := path | 'string' | "string" | number | true | false | null
//   path  := segment (. segment)*, segment := identifier | [[any text]]   (e.g. properties.desired.[[ms_iotn:urn…]])
//
// Keywords are case-insensitive, property names are not. A leading `devices.` / `devices.modules.` on a path
// names the collection itself and is dropped (the docs write `devices.modules.moduleId` and
// `WHERE devices.deviceId = '…'` for module queries).
import { HubError } from './errors';
import type { JsonPrimitive } from './json';

export type ComparisonOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type QueryPath = readonly string[];

export type Operand = { readonly kind: 'path'; readonly path: QueryPath } | { readonly kind: 'literal'; readonly value: JsonPrimitive };

export type QueryCondition =
  | { readonly kind: 'and' | 'or'; readonly left: QueryCondition; readonly right: QueryCondition }
  | { readonly kind: 'not'; readonly operand: QueryCondition }
  | { readonly kind: 'compare'; readonly operator: ComparisonOperator; readonly left: Operand; readonly right: Operand }
  | { readonly kind: 'in'; readonly negated: boolean; readonly operand: Operand; readonly values: readonly JsonPrimitive[] }
  | { readonly kind: 'isDefined'; readonly path: QueryPath }
  | { readonly kind: 'startsWith' | 'endsWith'; readonly path: QueryPath; readonly text: string };

export type SelectItem =
  | { readonly kind: 'count'; readonly name: string }
  | { readonly kind: 'path'; readonly path: QueryPath; readonly name: string };

export interface ParsedQuery {
  readonly text: string;
  readonly collection: 'devices' | 'devices.modules';
  /** undefined means SELECT *. */
  readonly select: readonly SelectItem[] | undefined;
  readonly top: number | undefined;
  readonly where: QueryCondition | undefined;
  readonly groupBy: QueryPath | undefined;
}

/** The service limit on query text length (query-twins.md). */
export const MAX_QUERY_LENGTH = 8192;

type Token =
  | { readonly type: 'identifier'; readonly text: string; readonly at: number }
  | { readonly type: 'segment'; readonly text: string; readonly at: number }
  | { readonly type: 'string'; readonly text: string; readonly at: number }
  | { readonly type: 'number'; readonly value: number; readonly text: string; readonly at: number }
  | { readonly type: 'symbol'; readonly text: string; readonly at: number }
  | { readonly type: 'end'; readonly text: ''; readonly at: number };

function invalid(message: string): HubError {
  return new HubError('ArgumentInvalid', `Invalid query: ${message}`);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    if (/\s/.test(char)) {
      index += 1;
      continue;
    }
    const at = index;
    if (text.startsWith('[[', index)) {
      const close = text.indexOf(']]', index + 2);
      if (close < 0) throw invalid(`unterminated [[ at position ${at}`);
      tokens.push({ type: 'segment', text: text.slice(index + 2, close), at });
      index = close + 2;
      continue;
    }
    if (char === "'" || char === '"') {
      let value = '';
      index += 1;
      for (;;) {
        if (index >= text.length) throw invalid(`unterminated string starting at position ${at}`);
        const current = text[index]!;
        if (current === '\\' && index + 1 < text.length) {
          value += text[index + 1];
          index += 2;
        } else if (current === char && text[index + 1] === char) {
          value += char;
          index += 2;
        } else if (current === char) {
          index += 1;
          break;
        } else {
          value += current;
          index += 1;
        }
      }
      tokens.push({ type: 'string', text: value, at });
      continue;
    }
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(index));
    if (number !== null && (char !== '-' || /\d/.test(text[index + 1] ?? ''))) {
      tokens.push({ type: 'number', value: Number(number[0]), text: number[0], at });
      index += number[0].length;
      continue;
    }
    const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(text.slice(index));
    if (identifier !== null) {
      tokens.push({ type: 'identifier', text: identifier[0], at });
      index += identifier[0].length;
      continue;
    }
    const symbol = ['<=', '>=', '!=', '<>', '=', '<', '>', '(', ')', '[', ']', ',', '.', '*'].find((candidate) => text.startsWith(candidate, index));
    if (symbol === undefined) throw invalid(`unexpected character '${char}' at position ${at}`);
    tokens.push({ type: 'symbol', text: symbol, at });
    index += symbol.length;
  }
  tokens.push({ type: 'end', text: '', at: text.length });
  return tokens;
}

const KEYWORDS = new Set(['select', 'from', 'where', 'and', 'or', 'not', 'in', 'nin', 'as', 'group', 'by', 'top', 'true', 'false', 'null']);

class Parser {
  private position = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.position + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    this.position = Math.min(this.position + 1, this.tokens.length - 1);
    return token;
  }

  private isKeyword(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.type === 'identifier' && token.text.toLowerCase() === word;
  }

  private isSymbol(symbol: string): boolean {
    const token = this.peek();
    return token.type === 'symbol' && token.text === symbol;
  }

  private expectKeyword(word: string): void {
    if (!this.isKeyword(word)) throw this.unexpected(`${word.toUpperCase()}`);
    this.next();
  }

  private expectSymbol(symbol: string): void {
    if (!this.isSymbol(symbol)) throw this.unexpected(`'${symbol}'`);
    this.next();
  }

  private unexpected(expected: string, token: Token = this.peek()): HubError {
    const found = token.type === 'end' ? 'end of query' : `'${token.text}'`;
    return invalid(`expected ${expected} but found ${found} at position ${token.at}`);
  }

  parse(text: string): ParsedQuery {
    this.expectKeyword('select');
    let top: number | undefined;
    if (this.isKeyword('top')) {
      this.next();
      const count = this.next();
      if (count.type !== 'number' || !Number.isInteger(count.value) || count.value < 0) throw this.unexpected('a non-negative integer after TOP', count);
      top = count.value;
    }
    const select = this.parseSelectList();
    this.expectKeyword('from');
    const collection = this.parseCollection();
    let where: QueryCondition | undefined;
    if (this.isKeyword('where')) {
      this.next();
      where = this.parseOr();
    }
    let groupBy: QueryPath | undefined;
    if (this.isKeyword('group')) {
      this.next();
      this.expectKeyword('by');
      groupBy = this.parsePath();
    }
    if (this.peek().type !== 'end') throw this.unexpected('end of query');
    return normalize({ text, collection, select, top, where, groupBy });
  }

  private parseSelectList(): readonly SelectItem[] | undefined {
    if (this.isSymbol('*')) {
      this.next();
      return undefined;
    }
    const items: SelectItem[] = [];
    let unnamed = 0;
    do {
      if (items.length > 0) this.next();
      if (this.isKeyword('count') && this.peek(1).type === 'symbol' && this.peek(1).text === '(') {
        this.next();
        this.expectSymbol('(');
        this.expectSymbol(')');
        unnamed += 1;
        items.push({ kind: 'count', name: this.parseAlias() ?? `$${unnamed}` });
      } else {
        const path = this.parsePath();
        items.push({ kind: 'path', path, name: this.parseAlias() ?? path[path.length - 1]! });
      }
    } while (this.isSymbol(','));
    return items;
  }

  private parseAlias(): string | undefined {
    if (!this.isKeyword('as')) return undefined;
    this.next();
    const name = this.next();
    if (name.type !== 'identifier') throw this.unexpected('a name after AS', name);
    return name.text;
  }

  private parseCollection(): 'devices' | 'devices.modules' {
    if (!this.isKeyword('devices')) throw this.unexpected("'devices' or 'devices.modules'");
    this.next();
    if (this.isSymbol('.')) {
      this.next();
      if (!this.isKeyword('modules')) throw invalid(`only the collections 'devices' and 'devices.modules' are supported (position ${this.peek().at})`);
      this.next();
      return 'devices.modules';
    }
    return 'devices';
  }

  private parsePath(): QueryPath {
    const segments: string[] = [this.parseSegment()];
    while (this.isSymbol('.')) {
      this.next();
      segments.push(this.parseSegment());
    }
    return segments;
  }

  private parseSegment(): string {
    const token = this.next();
    if (token.type === 'segment') return token.text;
    if (token.type === 'identifier' && !KEYWORDS.has(token.text.toLowerCase())) return token.text;
    throw this.unexpected('a property name', token);
  }

  private parseOr(): QueryCondition {
    let left = this.parseAnd();
    while (this.isKeyword('or')) {
      this.next();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): QueryCondition {
    let left = this.parseNot();
    while (this.isKeyword('and')) {
      this.next();
      left = { kind: 'and', left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): QueryCondition {
    if (this.isKeyword('not')) {
      this.next();
      return { kind: 'not', operand: this.parseNot() };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): QueryCondition {
    if (this.isSymbol('(')) {
      this.next();
      const inner = this.parseOr();
      this.expectSymbol(')');
      return inner;
    }
    const token = this.peek();
    if (token.type === 'identifier' && this.peek(1).type === 'symbol' && this.peek(1).text === '(') {
      return this.parseFunction(token.text);
    }
    const left = this.parseOperand();
    if (this.isKeyword('in') || this.isKeyword('nin')) {
      const negated = this.next().text.toLowerCase() === 'nin';
      return { kind: 'in', negated, operand: left, values: this.parseList() };
    }
    const operator = this.peek();
    if (operator.type !== 'symbol' || !['=', '!=', '<>', '<', '<=', '>', '>='].includes(operator.text)) {
      throw this.unexpected('a comparison operator, IN or NIN');
    }
    this.next();
    const normalized = (operator.text === '<>' ? '!=' : operator.text) as ComparisonOperator;
    return { kind: 'compare', operator: normalized, left, right: this.parseOperand() };
  }

  private parseFunction(name: string): QueryCondition {
    const lower = name.toLowerCase();
    this.next();
    this.expectSymbol('(');
    const path = this.parsePath();
    let result: QueryCondition;
    if (lower === 'is_defined') {
      result = { kind: 'isDefined', path };
    } else if (lower === 'startswith' || lower === 'endswith') {
      this.expectSymbol(',');
      const text = this.next();
      if (text.type !== 'string') throw this.unexpected(`a string as the second argument of ${name.toUpperCase()}`, text);
      result = { kind: lower === 'startswith' ? 'startsWith' : 'endsWith', path, text: text.text };
    } else {
      throw invalid(`unsupported function ${name}`);
    }
    this.expectSymbol(')');
    return result;
  }

  private parseOperand(): Operand {
    const literal = this.tryLiteral();
    if (literal !== undefined) return { kind: 'literal', value: literal.value };
    return { kind: 'path', path: this.parsePath() };
  }

  private tryLiteral(): { value: JsonPrimitive } | undefined {
    const token = this.peek();
    if (token.type === 'string') {
      this.next();
      return { value: token.text };
    }
    if (token.type === 'number') {
      this.next();
      return { value: token.value };
    }
    if (token.type === 'identifier') {
      const lower = token.text.toLowerCase();
      if (lower === 'true' || lower === 'false' || lower === 'null') {
        this.next();
        return { value: lower === 'null' ? null : lower === 'true' };
      }
    }
    return undefined;
  }

  private parseList(): JsonPrimitive[] {
    this.expectSymbol('[');
    const values: JsonPrimitive[] = [];
    if (!this.isSymbol(']')) {
      do {
        if (values.length > 0) this.next();
        const literal = this.tryLiteral();
        if (literal === undefined) throw this.unexpected('a literal in the IN/NIN list');
        values.push(literal.value);
      } while (this.isSymbol(','));
    }
    this.expectSymbol(']');
    return values;
  }
}

function stripCollection(path: QueryPath, collection: ParsedQuery['collection']): QueryPath {
  if (collection === 'devices.modules' && path[0] === 'devices' && path[1] === 'modules' && path.length > 2) return path.slice(2);
  if (path[0] === 'devices' && path.length > 1) return path.slice(1);
  return path;
}

function normalizeCondition(condition: QueryCondition, collection: ParsedQuery['collection']): QueryCondition {
  const operand = (value: Operand): Operand => (value.kind === 'path' ? { kind: 'path', path: stripCollection(value.path, collection) } : value);
  switch (condition.kind) {
    case 'and':
    case 'or':
      return { kind: condition.kind, left: normalizeCondition(condition.left, collection), right: normalizeCondition(condition.right, collection) };
    case 'not':
      return { kind: 'not', operand: normalizeCondition(condition.operand, collection) };
    case 'compare':
      return { ...condition, left: operand(condition.left), right: operand(condition.right) };
    case 'in':
      return { ...condition, operand: operand(condition.operand) };
    case 'isDefined':
    case 'startsWith':
    case 'endsWith':
      return { ...condition, path: stripCollection(condition.path, collection) };
  }
}

function normalize(query: ParsedQuery): ParsedQuery {
  const { collection } = query;
  const select = query.select?.map((item): SelectItem => (item.kind === 'path' ? { ...item, path: stripCollection(item.path, collection) } : item));
  const groupBy = query.groupBy === undefined ? undefined : stripCollection(query.groupBy, collection);
  const where = query.where === undefined ? undefined : normalizeCondition(query.where, collection);
  const hasCount = select?.some((item) => item.kind === 'count') ?? false;
  if (groupBy !== undefined) {
    if (select === undefined || !hasCount) throw invalid('GROUP BY needs a SELECT list with COUNT()');
    const key = groupBy.join('\u0000');
    for (const item of select) {
      if (item.kind === 'path' && item.path.join('\u0000') !== key) {
        throw invalid(`'${item.path.join('.')}' must appear in the GROUP BY clause`);
      }
    }
  } else if (hasCount && select?.some((item) => item.kind === 'path')) {
    throw invalid('COUNT() cannot be combined with properties without GROUP BY');
  }
  return { ...query, select, groupBy, where };
}

/** Parses query text; throws 400 ArgumentInvalid with a message that says what is wrong and where. */
export function parseQuery(text: string): ParsedQuery {
  if (text.trim().length === 0) throw new HubError('ArgumentNull', 'The query is empty');
  if (text.length > MAX_QUERY_LENGTH) throw invalid(`the query is ${text.length} characters long; the limit is ${MAX_QUERY_LENGTH}`);
  return new Parser(tokenize(text)).parse(text);
}
