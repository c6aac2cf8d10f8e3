// Redaction profiles: a YAML file that adds to or narrows what `share` masks.
//
//   name: auditor-2025            # optional, recorded in the shared file's manifest
//   mask:                         # mask these columns too (keyed pseudonyms)
//     t_user: [nickname]
//   keep:                         # never mask these, even when detected (secrets are still removed)
//     luckyus_igers.t_user: [country_code]
//   drop:                         # remove the values: every value becomes NULL
//     aws-luckyus-dify-rw/dify/public.messages: [answer]
//   secrets:                      # more secret shapes, replaced by [redacted:<name>]
//     - { name: openrouter-key, regex: 'sk-or-v1-[0-9a-f]{64}' }
//
// Tables are named as in a DQ pack (t_user, db.t_user, instance/db/t_user, or
// a glob); columns by their source names (or a glob). A name that matches
// nothing is an error, never silently ignored: a typo must not leak a column.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parseYamlText, YamlSyntaxError } from '../yamlText.ts';
import { z } from 'zod';
import { globToRegExp, isGlob } from '../../shared/dq/definitions.ts';
import { linearRegex, type LinearRegex } from '../../shared/dq/regex.ts';
import { findColumn, resolveTables, type Catalog, type CatalogTable } from '../dq/catalog.ts';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be a name of letters, digits, "-", "_" or "."');
const columnLists = z.record(z.string().min(1, 'a table name must not be empty'), z.array(z.string().min(1, 'a column name must not be empty')).min(1, 'must list at least one column'));

export const redactionProfileSchema = z
  .object({
    name: name.optional(),
    description: z.string().optional(),
    mask: columnLists.optional(),
    keep: columnLists.optional(),
    drop: columnLists.optional(),
    secrets: z
      .array(
        z
          .object({
            name,
            regex: z.string().min(1),
            flags: z.string().regex(/^[imsu]*$/, 'may hold i, m, s and u').optional(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

export type RedactionProfile = z.output<typeof redactionProfileSchema>;

/** A profile that cannot be used; one line that names the file, the entry and what to do. */
export class ProfileError extends Error {
  constructor(
    message: string,
    readonly hint: string | null = null,
  ) {
    super(message);
    this.name = 'ProfileError';
  }
}

export interface LoadedProfile {
  profile: RedactionProfile;
  path: string;
  sha256: string;
}

function zodPath(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.');
}

/** Reads and validates a profile file; the first problem becomes one line. */
export function loadRedactionProfile(path: string): LoadedProfile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new ProfileError(`redaction profile ${path}: cannot be read`, 'check the path given to --profile');
  }
  let document: unknown;
  try {
    document = parseYamlText(bytes.toString('utf8'), `redaction profile ${path}`);
  } catch (error) {
    if (error instanceof YamlSyntaxError) throw new ProfileError(error.message, 'fix the YAML syntax');
    throw error;
  }
  if (document === null || document === undefined) document = {};
  const parsed = redactionProfileSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? `${zodPath(issue.path)}: ` : '';
    const message = issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
    throw new ProfileError(`redaction profile ${path}: ${where}${message}`, 'the fields are name, description, mask, keep, drop (table: [columns]) and secrets ([{name, regex}])');
  }
  for (const [i, secret] of (parsed.data.secrets ?? []).entries()) {
    let regex: LinearRegex;
    try {
      regex = linearRegex(secret.regex, secret.flags ?? '');
    } catch (error) {
      throw new ProfileError(`redaction profile ${path}: secrets[${i}] "${secret.name}": invalid regex: ${(error as Error).message.replace(/^error parsing regexp: /, '')}`);
    }
    if (regex.test('')) throw new ProfileError(`redaction profile ${path}: secrets[${i}] "${secret.name}": the regex matches the empty text`, 'make it require at least one character');
  }
  return { profile: parsed.data, path, sha256: createHash('sha256').update(bytes).digest('hex') };
}

export type ProfileAction = 'mask' | 'keep' | 'drop';

/** One column a profile names, on one physical table. */
export interface ProfileColumn {
  action: ProfileAction;
  table: CatalogTable;
  column: string;
  sqlColumn: string;
}

/** Finds every table and column a profile names in the snapshot; anything unknown is an error. */
export function resolveProfile(loaded: LoadedProfile, catalog: Catalog): ProfileColumn[] {
  const where = `redaction profile ${loaded.path}`;
  const out: ProfileColumn[] = [];
  const seen = new Map<string, ProfileAction>();
  for (const action of ['mask', 'keep', 'drop'] as const) {
    for (const [ref, columns] of Object.entries(loaded.profile[action] ?? {})) {
      const tables = resolveTables(catalog, ref, { kinds: ['table', 'redis-keys'] });
      if (tables.length === 0) {
        throw new ProfileError(`${where}: ${action}: table "${ref}" is not in the snapshot`, 'name it t_user, database.t_user or instance/database/t_user; "snapbench tables FILE" lists them');
      }
      for (const column of columns) {
        const matches = tables.flatMap((table) => columnsNamed(table, column).map((c) => ({ table, ...c })));
        if (isGlob(column) ? matches.length === 0 : matches.length < tables.length) {
          const missing = tables.find((t) => columnsNamed(t, column).length === 0)!;
          const known = missing.columns.map((c) => c.name).join(', ');
          throw new ProfileError(`${where}: ${action}: table "${missing.name}" has no column "${column}" (it has: ${known || 'no columns'})`, 'fix the column name in the profile');
        }
        for (const match of matches) {
          const key = `${match.table.name}\u0000${match.sqlColumn}`;
          const before = seen.get(key);
          if (before && before !== action) {
            throw new ProfileError(`${where}: column "${match.column}" of table "${match.table.name}" is listed under both ${before} and ${action}`, 'list each column under one of mask, keep and drop');
          }
          if (before) continue;
          seen.set(key, action);
          out.push({ action, table: match.table, column: match.column, sqlColumn: match.sqlColumn });
        }
      }
    }
  }
  return out;
}

function columnsNamed(table: CatalogTable, column: string): { column: string; sqlColumn: string }[] {
  if (isGlob(column)) {
    const regex = globToRegExp(column, true);
    return table.columns.filter((c) => regex.test(c.name)).map((c) => ({ column: c.name, sqlColumn: c.sqlColumn }));
  }
  const found = findColumn(table, column);
  return found ? [{ column: found.name, sqlColumn: found.sqlColumn }] : [];
}
