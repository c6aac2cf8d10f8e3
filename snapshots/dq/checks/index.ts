// Every check type and the function that plans it.
import type { CheckType, RuleOf } from '../../../shared/dq/pack.ts';
import type { Finish, RuleContext } from '../engine.ts';
import { planEmpty, planSchema } from './catalog.ts';
import { planRedisPersistentKeys, planRedisUtilisation, planVersionBelow } from './redis.ts';
import { planAllowedValues, planCondition, planDuplicates, planMissing, planPattern, planReference, planRowCount } from './rows.ts';
import { planPiiColumns, planSecrets } from './security.ts';
import { planSql } from './sql.ts';

export const CHECKS: { [K in CheckType]: (rule: RuleOf<K>, ctx: RuleContext) => Finish } = {
  row_count: planRowCount,
  empty: planEmpty,
  missing: planMissing,
  allowed_values: planAllowedValues,
  pattern: planPattern,
  duplicates: planDuplicates,
  schema: planSchema,
  reference: planReference,
  condition: planCondition,
  redis_persistent_keys: planRedisPersistentKeys,
  redis_utilisation: planRedisUtilisation,
  version_below: planVersionBelow,
  pii_columns: planPiiColumns,
  secrets: planSecrets,
  sql: planSql,
};
