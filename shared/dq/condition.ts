// The fail/warn conditions of a rule: small boolean expressions over what the
// check measured, e.g. `count > 0`, `ratio >= 5%`, `count = total and
// metrics.revenue > 0`, `never`. A bare `> 10` compares `count`.
//
//   condition := or ;  or := and ("or" and)* ;  and := not ("and" not)* ;
//   not := "not" not | "(" or ")" | operand op operand | "never" | "always"
//   operand := number ["%"] | count | total | ratio | metrics.NAME[.KEY...]
//   op := > >= < <= = == != <>
//
// Evaluation is three-valued, as in SQL: a comparison with an unknown operand
// (a metric that is null, a ratio over total 0) is unknown, and an unknown
// condition does not fire.

export type Operand = { kind: 'number'; value: number } | { kind: 'subject'; path: string[] };
export type ComparisonOperator = '>' | '>=' | '<' | '<=' | '=' | '!=';
export type Condition =
  | { kind: 'constant'; value: boolean }
  | { kind: 'compare'; left: Operand; op: ComparisonOperator; right: Operand }
  | { kind: 'not'; inner: Condition }
  | { kind: 'and' | 'or'; left: Condition; right: Condition };

export class ConditionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConditionError';
  }
}

const TOKEN = /\s*(?:(\d+(?:\.\d+)?%?)|(>=|<=|!=|<>|==|=|>|<)|([()])|([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_-]+)*))/y;
const SUBJECTS = new Set(['count', 'total', 'ratio']);

interface Token {
  type: 'number' | 'op' | 'paren' | 'word';
  text: string;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let position = 0;
  while (position < source.length) {
    if (/^\s*$/.test(source.slice(position))) break;
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(source);
    if (!match) throw new ConditionError(`unexpected "${source.slice(position).trim().slice(0, 12)}" at character ${position + 1}`);
    const [, number, op, paren, word] = match;
    if (number) tokens.push({ type: 'number', text: number });
    else if (op) tokens.push({ type: 'op', text: op });
    else if (paren) tokens.push({ type: 'paren', text: paren });
    else tokens.push({ type: 'word', text: word! });
    position = TOKEN.lastIndex;
  }
  return tokens;
}

/** Parses a condition; throws ConditionError with what is wrong. */
export function parseCondition(source: string): Condition {
  const tokens = tokenize(source);
  if (tokens.length === 0) throw new ConditionError('is empty; write e.g. "count > 0" or "never"');
  let i = 0;
  const peek = () => tokens[i];
  const word = (w: string) => peek()?.type === 'word' && peek()!.text.toLowerCase() === w;

  function operand(): Operand {
    const token = tokens[i++];
    if (!token) throw new ConditionError('ends where a value was expected');
    if (token.type === 'number') {
      const percent = token.text.endsWith('%');
      const value = Number(percent ? token.text.slice(0, -1) : token.text);
      return { kind: 'number', value: percent ? value / 100 : value };
    }
    if (token.type === 'word') {
      const path = token.text.split('.');
      if (SUBJECTS.has(path[0]!) && path.length === 1) return { kind: 'subject', path };
      if (path[0] === 'metrics' && path.length > 1) return { kind: 'subject', path };
    }
    throw new ConditionError(`"${token.text}" is not a value; use a number, count, total, ratio or metrics.NAME`);
  }

  function comparison(): Condition {
    if (word('never') || word('always')) return { kind: 'constant', value: tokens[i++]!.text.toLowerCase() === 'always' };
    if (peek()?.type === 'paren' && peek()!.text === '(') {
      i++;
      const inner = or();
      if (peek()?.text !== ')') throw new ConditionError('has an unclosed "("');
      i++;
      return inner;
    }
    // `> 0` is short for `count > 0`.
    const left: Operand = peek()?.type === 'op' ? { kind: 'subject', path: ['count'] } : operand();
    const opToken = tokens[i++];
    if (opToken?.type !== 'op') throw new ConditionError(`expects a comparison (>, >=, <, <=, =, !=) after the first value`);
    const op = opToken.text === '==' ? '=' : opToken.text === '<>' ? '!=' : (opToken.text as ComparisonOperator);
    return { kind: 'compare', left, op, right: operand() };
  }

  function not(): Condition {
    if (word('not')) {
      i++;
      return { kind: 'not', inner: not() };
    }
    return comparison();
  }

  function and(): Condition {
    let left = not();
    while (word('and')) {
      i++;
      left = { kind: 'and', left, right: not() };
    }
    return left;
  }

  function or(): Condition {
    let left = and();
    while (word('or')) {
      i++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  }

  const condition = or();
  if (i < tokens.length) throw new ConditionError(`unexpected "${tokens[i]!.text}"`);
  return condition;
}

/** Every `metrics.NAME` the condition reads (NAME only). */
export function conditionMetrics(condition: Condition): string[] {
  switch (condition.kind) {
    case 'constant':
      return [];
    case 'not':
      return conditionMetrics(condition.inner);
    case 'and':
    case 'or':
      return [...conditionMetrics(condition.left), ...conditionMetrics(condition.right)];
    case 'compare':
      return [condition.left, condition.right].flatMap((o) => (o.kind === 'subject' && o.path[0] === 'metrics' ? [o.path[1]!] : []));
  }
}

export interface ConditionInput {
  count: number | null;
  total: number | null;
  metrics: Record<string, unknown>;
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

function operandValue(operand: Operand, input: ConditionInput): number | null {
  if (operand.kind === 'number') return operand.value;
  const [head, ...rest] = operand.path;
  if (head === 'count') return input.count;
  if (head === 'total') return input.total;
  if (head === 'ratio') return input.count === null || !input.total ? null : input.count / input.total;
  let value: unknown = input.metrics;
  for (const key of rest) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return toNumber(value);
}

/** true, false, or null (unknown). */
export function evaluateCondition(condition: Condition, input: ConditionInput): boolean | null {
  switch (condition.kind) {
    case 'constant':
      return condition.value;
    case 'not': {
      const inner = evaluateCondition(condition.inner, input);
      return inner === null ? null : !inner;
    }
    case 'and': {
      const left = evaluateCondition(condition.left, input);
      if (left === false) return false;
      const right = evaluateCondition(condition.right, input);
      if (right === false) return false;
      return left === null || right === null ? null : true;
    }
    case 'or': {
      const left = evaluateCondition(condition.left, input);
      if (left === true) return true;
      const right = evaluateCondition(condition.right, input);
      if (right === true) return true;
      return left === null || right === null ? null : false;
    }
    case 'compare': {
      const a = operandValue(condition.left, input);
      const b = operandValue(condition.right, input);
      if (a === null || b === null) return null;
      switch (condition.op) {
        case '>':
          return a > b;
        case '>=':
          return a >= b;
        case '<':
          return a < b;
        case '<=':
          return a <= b;
        case '=':
          return a === b;
        case '!=':
          return a !== b;
      }
    }
  }
}
