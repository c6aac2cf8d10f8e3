// The shape of a snapshot manifest as read from a file. A manifest body comes
// from a file someone else may have edited, so before any code reads a field it
// is checked here: a wrong type is one line naming the field ("hashes" must be a
// mapping of table hashes, not the number 5), never a JavaScript error later.
// Only what the code reads is checked; fields added by later versions pass.
import { z } from 'zod';
import { describeIssue } from './issues.ts';

const text = z.string();
const count = z.number().int().nonnegative();
const nullableText = z.string().nullable();

const tableHash = z.looseObject({
  sqlName: text,
  rows: count,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hexadecimal digits (a sha256)'),
});

const instanceRecord = z.looseObject({
  name: text,
  engine: text,
  domain: nullableText.optional(),
  status: text,
  consistency: nullableText.optional(),
  version: nullableText.optional(),
  tables: count,
  rows: count,
  limitedTables: count.optional(),
});

const manifestSchema = z.looseObject({
  format: z.literal('snapbench-snapshot'),
  formatVersion: z.number(),
  tool: z.looseObject({ name: text, version: text }),
  createdAt: text,
  createdBy: text,
  createdOnHost: text,
  synthetic: z.boolean().optional(),
  fleet: z.looseObject({ name: nullableText.optional(), file: nullableText.optional(), instances: count.optional() }),
  options: z.looseObject({ maxRows: z.number().nullable().optional() }),
  keyHashing: z.looseObject({ algorithm: text }).optional(),
  instances: z.array(instanceRecord),
  hashes: z.record(z.string(), tableHash),
  complete: z.boolean(),
  share: z.looseObject({}).optional(),
});

/** The first problem of a parsed manifest body as one line (`"hashes": must be a mapping, not the number 5`), or null when its shape is right. */
export function manifestShapeProblem(manifest: unknown): string | null {
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) return `the manifest must be a JSON object`;
  const parsed = manifestSchema.safeParse(manifest);
  if (parsed.success) return null;
  const issues = parsed.error.issues;
  const first = describeIssue('manifest', issues[0]!, manifest)[0]!;
  return issues.length > 1 ? `${first} (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : first;
}
