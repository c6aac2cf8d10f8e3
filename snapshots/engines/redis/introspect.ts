// The server's facts: INFO (selected sections) and CONFIG GET of the memory
// settings, plus the instance's memory allocation and utilisation.
import type { Redis } from 'ioredis';
import type { FleetInstance } from '../../../shared/model/fleet.ts';
import type { ReplicationInfo, ServerFact } from '../../../shared/model/snapshot.ts';
import { scrubServerMessage } from './types.ts';

/** INFO sections kept as facts, in the category named by the section (lower case). */
export const INFO_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cluster', 'keyspace'] as const;
const CONFIG_PARAMETERS = ['maxmemory', 'maxmemory-policy', 'maxmemory-samples'];

export interface RedisServerInfo {
  version: string | null;
  facts: ServerFact[];
  /** Keys per database from INFO keyspace (db number → keys). */
  keyspace: Map<number, number>;
  usedMemory: number | null;
  maxmemory: number | null;
}

/** Parses INFO's text into facts of the wanted sections. */
export function parseInfo(text: string, sections: readonly string[] = INFO_SECTIONS): ServerFact[] {
  const facts: ServerFact[] = [];
  let category: string | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith('#')) {
      const section = line.slice(1).trim().toLowerCase();
      category = sections.includes(section) ? section : null;
      continue;
    }
    if (!category || line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    facts.push({ category, name: line.slice(0, colon), value: line.slice(colon + 1) });
  }
  return facts;
}

/** `db3:keys=12,expires=1,avg_ttl=0` → 3 → 12. */
export function parseKeyspace(facts: ServerFact[]): Map<number, number> {
  const keyspace = new Map<number, number>();
  for (const fact of facts) {
    if (fact.category !== 'keyspace') continue;
    const db = /^db(\d+)$/.exec(fact.name);
    const keys = /(?:^|,)keys=(\d+)/.exec(fact.value ?? '');
    if (db) keyspace.set(Number(db[1]), keys ? Number(keys[1]) : 0);
  }
  return keyspace;
}

function numberOrNull(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/** A ratio as plain decimal text (never exponent notation), trailing zeros cut. */
export function decimalText(value: number): string {
  const text = value.toFixed(12).replace(/0+$/, '').replace(/\.$/, '');
  return text === '-0' ? '0' : text;
}

/** The allocation facts: from the manifest, else maxmemory when set, else unknown. */
export function inventoryFacts(instance: FleetInstance, usedMemory: number | null, maxmemory: number | null): ServerFact[] {
  let allocated: number | null = null;
  let source: 'manifest' | 'maxmemory' | 'unknown' = 'unknown';
  if (instance.allocatedMemoryMb !== undefined && instance.allocatedMemoryMb > 0) {
    allocated = Math.round(instance.allocatedMemoryMb * 1024 * 1024);
    source = 'manifest';
  } else if (maxmemory !== null && maxmemory > 0) {
    allocated = maxmemory;
    source = 'maxmemory';
  }
  return [
    { category: 'inventory', name: 'allocated_memory_bytes', value: allocated === null ? null : String(allocated) },
    { category: 'inventory', name: 'allocation_source', value: source },
    {
      category: 'inventory',
      name: 'utilisation',
      value: allocated !== null && usedMemory !== null ? decimalText(usedMemory / allocated) : null,
    },
  ];
}

/** Reads INFO and CONFIG GET; a refused CONFIG (ElastiCache renames it) is recorded as a fact, not an error. */
export async function introspectRedis(client: Redis, instance: FleetInstance): Promise<RedisServerInfo> {
  const text = String(await client.info());
  const facts = parseInfo(text);
  const info = (category: string, name: string) => facts.find((f) => f.category === category && f.name === name)?.value ?? null;
  const version = info('server', 'redis_version');

  let maxmemory: number | null = null;
  try {
    for (const parameter of CONFIG_PARAMETERS) {
      const reply = (await client.call('CONFIG', 'GET', parameter)) as unknown;
      const pairs = Array.isArray(reply) ? reply.map((v) => String(v)) : [];
      for (let i = 0; i + 1 < pairs.length; i += 2) {
        facts.push({ category: 'config', name: pairs[i], value: pairs[i + 1] });
        if (pairs[i] === 'maxmemory') maxmemory = numberOrNull(pairs[i + 1]);
      }
    }
  } catch (error) {
    const message = (error as Error).message;
    // A connection failure is not a refused command: let it end the pull.
    if (!/^(ERR|NOPERM|WRONGTYPE)\b|unknown command|unknown subcommand/i.test(message)) throw error;
    facts.push({ category: 'config', name: 'unavailable', value: scrubServerMessage(message) });
  }
  // INFO memory carries maxmemory too (Redis >= 3.2), which helps where CONFIG is refused.
  if (maxmemory === null) maxmemory = numberOrNull(info('memory', 'maxmemory'));

  const usedMemory = numberOrNull(info('memory', 'used_memory'));
  facts.push(...inventoryFacts(instance, usedMemory, maxmemory));
  return { version, facts, keyspace: parseKeyspace(facts), usedMemory, maxmemory };
}

/**
 * Role, primary and link from INFO replication. Redis reports a replica's
 * progress as an offset, not a time: the lag is unknown (null); the offsets are
 * in the `replication` facts.
 */
export function redisReplication(facts: ServerFact[]): ReplicationInfo | null {
  const info = (name: string) => facts.find((f) => f.category === 'replication' && f.name === name)?.value ?? null;
  const role = info('role');
  if (role === null) return null;
  if (role !== 'slave' && role !== 'replica') return { role: 'primary', primary: null, linkStatus: null, lagMs: null };
  const host = info('master_host');
  const port = info('master_port');
  const link = info('master_link_status');
  const downFor = info('master_link_down_since_seconds');
  return {
    role: 'replica',
    primary: host ? `${host}:${port ?? 6379}` : null,
    linkStatus: link === 'up' ? 'up' : `down${downFor && downFor !== '-1' ? ` for ${downFor} s` : ''}`,
    lagMs: null,
  };
}
