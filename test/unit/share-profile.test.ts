// Redaction profiles: validated with zod, one line per problem; every table and
// column they name must exist in the snapshot (a typo must not leak a column);
// a column listed under two actions is refused.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Catalog, CatalogTable } from '../../snapshots/dq/catalog.ts';
import { loadRedactionProfile, ProfileError, resolveProfile } from '../../snapshots/share/profile.ts';
import { isPersonNameColumn } from '../../snapshots/share/plan.ts';

const dir = mkdtempSync(join(tmpdir(), 'share-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function profileFile(text: string): string {
  const path = join(dir, `p${n++}.yaml`);
  writeFileSync(path, text);
  return path;
}

function table(instance: string, database: string, name: string, columns: string[], kind: CatalogTable['kind'] = 'table'): CatalogTable {
  return {
    name: `${instance}/${database}/${name}`,
    sqlName: `"${instance}/${database}/${name}"`,
    instance,
    engine: 'mysql',
    database,
    schema: null,
    sourceTable: name,
    kind,
    rows: 1,
    limited: false,
    columns: columns.map((c) => ({ name: c, sqlColumn: c, declaredType: 'varchar(64)', storage: 'text', nullable: true, primaryKeyOrdinal: null })),
    primaryKey: [],
  };
}

const catalog: Catalog = {
  tables: [
    table('igers', 'luckyus_igers', 't_user', ['id', 'mobile', 'email', 'nickname', 'country_code']),
    table('sales', 'luckyus_sales_order', 't_order', ['id', 'user_id', 'shop_name']),
    table('session', 'db0', 'keys', ['pattern', 'key_hash', 'key_name'], 'redis-keys'),
  ],
  instances: [],
};

function problem(text: string): string {
  try {
    resolveProfile(loadRedactionProfile(profileFile(text)), catalog);
  } catch (error) {
    expect(error).toBeInstanceOf(ProfileError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error('no error');
}

describe('redaction profiles', () => {
  it('resolve tables by source name, database.table or physical name, and columns by name or glob', () => {
    const loaded = loadRedactionProfile(
      profileFile(`name: q3\nmask:\n  t_user: [nickname]\n  luckyus_sales_order.t_order: [user_id]\nkeep:\n  igers/luckyus_igers/t_user: [country_code]\ndrop:\n  t_order: ['shop_*']\n`),
    );
    expect(loaded.profile.name).toBe('q3');
    expect(loaded.sha256).toMatch(/^[0-9a-f]{64}$/);
    const resolved = resolveProfile(loaded, catalog).map((p) => `${p.action} ${p.table.name}.${p.column}`);
    expect(resolved).toEqual([
      'mask igers/luckyus_igers/t_user.nickname',
      'mask sales/luckyus_sales_order/t_order.user_id',
      'keep igers/luckyus_igers/t_user.country_code',
      'drop sales/luckyus_sales_order/t_order.shop_name',
    ]);
  });

  it('name an unknown table or column in one line', () => {
    expect(problem('mask:\n  t_usr: [email]\n')).toMatch(/mask: table "t_usr" is not in the snapshot/);
    expect(problem('drop:\n  t_user: [emial]\n')).toMatch(/drop: table "igers\/luckyus_igers\/t_user" has no column "emial" \(it has: id, mobile, email, nickname, country_code\)/);
    expect(problem('keep:\n  t_user: ["zz*"]\n')).toMatch(/has no column "zz\*"/);
  });

  it('refuse a column listed under two actions', () => {
    expect(problem('mask:\n  t_user: [email]\nkeep:\n  luckyus_igers.t_user: [email]\n')).toMatch(/"email" of table "igers\/luckyus_igers\/t_user" is listed under both mask and keep/);
  });

  it('are validated field by field', () => {
    expect(problem('masks:\n  t_user: [email]\n')).toMatch(/unknown field "masks"/);
    expect(problem('mask:\n  t_user: email\n')).toMatch(/mask\.t_user: .*expected array/);
    expect(problem('mask:\n  t_user: []\n')).toMatch(/mask\.t_user: must list at least one column/);
    expect(problem('secrets:\n  - { name: x, regex: "(" }\n')).toMatch(/secrets\[0\] "x": invalid regex/);
    expect(problem('secrets:\n  - { name: x, regex: "a*" }\n')).toMatch(/matches the empty text/);
    expect(problem('mask: [\n')).toMatch(/line \d+: invalid YAML/);
  });

  it('may be empty', () => {
    expect(resolveProfile(loadRedactionProfile(profileFile('')), catalog)).toEqual([]);
  });
});

describe('person-name columns', () => {
  it('are named like a person\'s name, not a shop\'s or a product\'s', () => {
    for (const name of ['nickname', 'nick_name', 'first_name', 'lastName', 'full_name', 'surname', 'username', 'customer_name']) expect(isPersonNameColumn(name), name).toBe(true);
    for (const name of ['name', 'shop_name', 'commodity_name', 'commodity_name_en', 'app_name', 'provider']) expect(isPersonNameColumn(name), name).toBe(false);
  });
});
