// verify-with-sqlite3.sh carries the catalog's definitions (to check files made
// before the manifest recorded their schema) and those of the tables added
// after a pull (signatures, DQ results). They must be the very definitions the
// app writes and accepts, or the script would pass what `verify` refuses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ddlSchema, UNHASHED_DDL } from '../../snapshots/file/objects.ts';
import { LEGACY_META_DDL } from '../../snapshots/file/schema.ts';

const SCRIPT = readFileSync(join(import.meta.dirname, '../../snapshots/file/verify-with-sqlite3.sh'), 'utf8');

function heredoc(name: string): string {
  const match = new RegExp(`read -r -d '' ${name} <<'SQL' \\|\\| true\\n([\\s\\S]*?)\\nSQL\\n`).exec(SCRIPT);
  expect(match, name).not.toBeNull();
  return match![1]!;
}

describe('the definitions inside verify-with-sqlite3.sh', () => {
  it('create exactly the catalog tables of files made before the schema record', () => {
    expect(ddlSchema(heredoc('CATALOG_DDL')).objects).toEqual(ddlSchema(LEGACY_META_DDL).objects);
  });

  it('create exactly the tables that may be added after a pull', () => {
    expect(ddlSchema(heredoc('ADDED_LATER_DDL')).objects).toEqual(UNHASHED_DDL.flatMap((ddl) => ddlSchema(ddl).objects));
  });
});
