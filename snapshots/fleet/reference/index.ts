// The reference fleet generator (reference-fleet.md): deterministic for a seed
// and scale, used by `snapbench demo` and `snapbench fleet seed`.
export { batches, computePlantedCounts, DEFAULT_SCALE, DEFAULT_SEED, fleetInstance, MAX_SCALE, MAX_WEEKS, referenceFleet, validateScale, validateSeed, type ReferenceFleet } from './fleet.ts';
export type { PlantedCounts, RuleCount } from './counts.ts';
export { REDIS_WITH_DATA, type InventoryInstance } from './inventory.ts';
export { redisTableKey, tableInfo, tableKey, type RedisKeySpec, type ReferenceRedis, type ReferenceTable } from './model.ts';
export * as definitions from './definitions.ts';
