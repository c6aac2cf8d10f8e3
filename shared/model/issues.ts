// One way to say what is wrong with a field of a document a user wrote (a fleet
// manifest, a rule pack, an API request): "is required" only when the field is
// missing; a field that is there with the wrong type says what it is and what it
// must be ("must be text, not the number 1000").
import type { z } from 'zod';
import { inertText } from '../text/inert.ts';

/** The value at a path of a parsed document, or undefined. */
export function valueAt(document: unknown, path: readonly PropertyKey[]): unknown {
  let value = document;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

/** What a value is, for a message: "the number 1000", "the text "x"", "a list", "a mapping", "true", "null". */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return `the text ${JSON.stringify(inertText(value.length > 40 ? `${value.slice(0, 40)}…` : value))}`;
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true/false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  null: 'null',
  bigint: 'a whole number',
};

function expectedWord(expected: string): string {
  return EXPECTED[expected] ?? expected;
}

/** The types a union accepts, from its branches' type errors ("a number or text"). */
function unionExpected(issue: z.core.$ZodIssue): string | null {
  if (issue.code !== 'invalid_union') return null;
  const words = new Set<string>();
  for (const branch of issue.errors) for (const inner of branch) if (inner.code === 'invalid_type' && inner.path.length === 0) words.add(expectedWord(inner.expected));
  if (words.size === 0) return null;
  const list = [...words];
  return list.length === 1 ? list[0]! : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
}

/** What is wrong with the value an issue is about: "is required", "must be text, not the number 1000", or zod's own message. */
export function issueMessage(issue: z.core.$ZodIssue, document: unknown): string {
  const value = valueAt(document, issue.path);
  if (issue.code === 'invalid_type') return value === undefined ? 'is required' : `must be ${expectedWord(issue.expected)}, not ${describeValue(value)}`;
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map((v) => String(v)).join(', ')}, not ${describeValue(value)}`;
  if (issue.code === 'invalid_union') {
    const expected = unionExpected(issue);
    return expected ? `must be ${expected}, not ${describeValue(value)}` : `has the wrong type (${describeValue(value)})`;
  }
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${inertText(k)}"`).join(', ')}`;
  return issue.message;
}

/**
 * One line per problem of a zod issue against the document it checked:
 * `<where> field "<path>": <what is wrong>`.
 */
export function describeIssue(where: string, issue: z.core.$ZodIssue, document: unknown): string[] {
  const field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${where} field "${field ? `${field}.` : ''}${inertText(key)}": unknown field`);
  }
  const at = field ? `${where} field "${inertText(field)}"` : where;
  return [`${at}: ${issueMessage(issue, document)}`];
}
