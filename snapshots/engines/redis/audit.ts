// The connection check's read-only audit of a Redis account: ACL WHOAMI and
// ACL GETUSER, read for the rules that allow writing. Where the server refuses
// ACL (older than 6, or the user may not run it), the answer is unknown.
import type { FleetInstance } from '../../../shared/model/fleet.ts';
import { roundTripMs, type ProbeResult } from '../../check/types.ts';
import type { Network } from '../../net/network.ts';
import { connectRedis, explainRedisError, redisTlsInfo } from './connect.ts';
import { parseInfo } from './introspect.ts';

/** Commands that change data or the server, as a rule names them (+set, +flushall, ...). */
const WRITE_COMMANDS = new Set(
  'set setex psetex setnx setrange append getset getdel getex incr incrby incrbyfloat decr decrby mset msetnx del unlink expire expireat pexpire pexpireat persist rename renamenx move copy restore migrate hset hsetnx hmset hdel hincrby hincrbyfloat lpush rpush lpushx rpushx lpop rpop linsert lset lrem ltrim lmove blmove rpoplpush brpoplpush blpop brpop lmpop blmpop sadd srem spop smove sinterstore sunionstore sdiffstore zadd zincrby zrem zremrangebyscore zremrangebyrank zremrangebylex zpopmin zpopmax bzpopmin bzpopmax zmpop bzmpop zunionstore zinterstore zdiffstore zrangestore xadd xdel xtrim xgroup xack xclaim xautoclaim xsetid pfadd pfmerge geoadd georadius georadiusbymember geosearchstore setbit bitop bitfield sort eval evalsha evalsha_ro fcall function script flushall flushdb swapdb config debug shutdown save bgsave bgrewriteaof replicaof slaveof acl module cluster failover'
    .split(' '),
);

/** Subcommands that write, for commands whose other subcommands only read (+acl|whoami, +config|get). */
const WRITE_SUBCOMMANDS = new Set(
  'acl|setuser acl|deluser acl|load acl|save config|set config|rewrite config|resetstat function|load function|delete function|flush function|restore script|flush script|load cluster|addslots cluster|delslots cluster|failover cluster|forget cluster|meet cluster|reset cluster|setslot cluster|replicate'.split(' '),
);

/**
 * The rules of an ACL user (GETUSER's "commands" text) that let it write, in the
 * order they apply: +@all / allcommands and +@write (or +@dangerous) allow writes
 * until a later -@all / -@write takes them away; +cmd allows one write command.
 */
export function aclWrites(commands: string): string[] {
  let broad: string | null = null;
  const single = new Set<string>();
  for (const rule of commands.trim().split(/\s+/)) {
    const lower = rule.toLowerCase();
    if (lower === '+@all' || lower === 'allcommands' || lower === '+@write' || lower === '+@dangerous') broad = rule;
    else if (lower === '-@all' || lower === 'nocommands' || lower === '-@write') {
      broad = null;
      single.clear();
    } else if (lower.startsWith('+') && !lower.startsWith('+@')) {
      const name = lower.slice(1);
      if (name.includes('|') ? WRITE_SUBCOMMANDS.has(name) : WRITE_COMMANDS.has(name)) single.add(rule);
    } else if (lower.startsWith('-') && !lower.startsWith('-@')) {
      single.delete(`+${lower.slice(1)}`);
    }
  }
  return [...(broad ? [broad] : []), ...single];
}

/** GETUSER's reply (flat name/value list) as a map. */
function replyMap(reply: unknown): Map<string, unknown> {
  const map = new Map<string, unknown>();
  if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) map.set(String(reply[i]), reply[i + 1]);
  return map;
}

export async function probeRedis(instance: FleetInstance, password: string | undefined, network: Network): Promise<ProbeResult> {
  const client = await connectRedis(instance, password, network);
  try {
    const latencyMs = await roundTripMs(() => client.call('PING'));
    let version = '';
    try {
      const info = parseInfo(String(await client.call('INFO', 'server')), ['server']);
      version = info.find((f) => f.name === 'redis_version')?.value ?? '';
    } catch {
      // INFO refused: the version stays unknown
    }
    let canWrite: boolean | null = null;
    let writePrivileges: string[] = [];
    let auditNote: string | undefined;
    try {
      const user = String(await client.call('ACL', 'WHOAMI'));
      const rules = replyMap(await client.call('ACL', 'GETUSER', user));
      const commands = String(rules.get('commands') ?? '');
      writePrivileges = aclWrites(commands).map((rule) => `${rule} (user ${user})`);
      canWrite = writePrivileges.length > 0;
    } catch (error) {
      auditNote = `ACL refused (${(error as Error).message.split('\n')[0]}): whether the account can write is unknown`;
    }
    // What a Redis account cannot read is not audited: ACL key patterns are not compared with the keyspace.
    return { version, tls: redisTlsInfo(client, instance), latencyMs, canWrite, writePrivileges, auditNote, notReadable: [], readWarnings: [] };
  } catch (error) {
    throw await explainRedisError(instance, error as Error, password, network);
  } finally {
    client.disconnect();
  }
}
