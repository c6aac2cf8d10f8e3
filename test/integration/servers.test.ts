// Proves the throwaway-server helper: each server starts, answers a query,
// logs what we ask it to log, and leaves no process or directory behind.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import {
  freePort,
  mariadbExec,
  psqlExec,
  startMariadb,
  startPostgres,
  startRedis,
  type ThrowawayServer,
} from '../helpers/servers.ts';

const execFileAsync = promisify(execFile);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function redisCli(server: ThrowawayServer, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('redis-cli', ['-h', server.host, '-p', String(server.port), ...args]);
  return stdout.trim();
}

async function expectGone(server: ThrowawayServer): Promise<void> {
  await server.stop();
  expect(isAlive(server.pid)).toBe(false);
  expect(existsSync(server.dataDir)).toBe(false);
}

describe('throwaway servers', () => {
  let mariadb: Awaited<ReturnType<typeof startMariadb>>;
  let postgres: Awaited<ReturnType<typeof startPostgres>>;
  let redis: ThrowawayServer;
  const startupMs: Record<string, number> = {};

  const timed = async <T>(name: string, start: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const result = await start();
    startupMs[name] = Date.now() - t0;
    return result;
  };

  beforeAll(async () => {
    [mariadb, postgres, redis] = await Promise.all([
      timed('mariadb', () => startMariadb({ generalLog: true })),
      timed('postgres', () => startPostgres({ logStatements: true })),
      timed('redis', () => startRedis({ maxmemoryMb: 32 })),
    ]);
    console.log('startup ms', startupMs);
  }, 60_000);

  // Safety net if an assertion fails before the explicit stop tests run.
  afterAll(async () => {
    await Promise.all([mariadb?.stop(), postgres?.stop(), redis?.stop()]);
  }, 30_000);

  it('freePort returns a usable port number', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });

  it('mariadb: root over TCP with an empty password, general log records statements', async () => {
    expect(mariadb.host).toBe('127.0.0.1');
    expect(mariadb.user).toBe('root');
    expect(isAlive(mariadb.pid)).toBe(true);
    expect(await mariadbExec(mariadb, 'SELECT 1 + 1')).toBe('2');
    // The server resolves 127.0.0.1 to 'localhost' through /etc/hosts, so either account may match.
    expect(await mariadbExec(mariadb, 'SELECT CURRENT_USER()')).toMatch(/^root@(localhost|127\.0\.0\.1)$/);

    await mariadbExec(mariadb, `
      CREATE DATABASE fixture;
      CREATE TABLE fixture.t (id INT PRIMARY KEY, name VARCHAR(20));
      INSERT INTO fixture.t VALUES (1, 'one'), (2, 'two');
      CREATE USER 'reader'@'%' IDENTIFIED BY 's3cret';
      GRANT SELECT ON fixture.* TO 'reader'@'%';
      CREATE USER 'local'@'localhost' IDENTIFIED BY 'pw2';
    `);
    expect(await mariadbExec(mariadb, 'SELECT id, name FROM t ORDER BY id', 'fixture')).toBe('1\tone\n2\ttwo');

    // The new password user really authenticates over TCP.
    const { stdout } = await execFileAsync('mariadb', [
      '--no-defaults', '--protocol=TCP', '-h', mariadb.host, '-P', String(mariadb.port),
      '-u', 'reader', '-ps3cret', '--batch', '--skip-column-names', '-e', 'SELECT COUNT(*) FROM fixture.t',
    ]);
    expect(stdout.trim()).toBe('2');
    const local = await execFileAsync('mariadb', [
      '--no-defaults', '--protocol=TCP', '-h', mariadb.host, '-P', String(mariadb.port),
      '-u', 'local', '-ppw2', '--batch', '--skip-column-names', '-e', 'SELECT CURRENT_USER()',
    ]);
    expect(local.stdout.trim()).toBe('local@localhost');
    await expect(mariadbExec(mariadb, 'SELEC nonsense')).rejects.toThrow(/syntax/i);

    expect(mariadb.logFile).toBe(`${mariadb.dataDir}/general.log`);
    expect(await readFile(mariadb.logFile, 'utf8')).toContain("INSERT INTO fixture.t VALUES (1, 'one')");
  });

  it('postgres: trust auth as postgres, statement log records statements', async () => {
    expect(postgres.host).toBe('127.0.0.1');
    expect(postgres.user).toBe('postgres');
    expect(isAlive(postgres.pid)).toBe(true);
    expect(await psqlExec(postgres, 'SELECT current_user')).toBe('postgres');
    expect(await psqlExec(postgres, 'SELECT 1 + 1')).toBe('2');

    await psqlExec(postgres, 'CREATE DATABASE fixture');
    await psqlExec(postgres, `
      CREATE TABLE t (id int PRIMARY KEY, name text);
      INSERT INTO t VALUES (1, 'one'), (2, 'two');
    `, 'fixture');
    expect(await psqlExec(postgres, 'SELECT id, name FROM t ORDER BY id', 'fixture')).toBe('1|one\n2|two');
    await expect(psqlExec(postgres, 'SELEC nonsense')).rejects.toThrow(/syntax error/);

    const log = await readFile(postgres.logFile, 'utf8');
    expect(log).toContain("statement: INSERT INTO t VALUES (1, 'one'), (2, 'two');");
    // postmaster.pid's first line is the pid the helper reports.
    const pidFile = await readFile(`${postgres.dataDir}/data/postmaster.pid`, 'utf8');
    expect(Number(pidFile.split('\n')[0])).toBe(postgres.pid);
  });

  it('redis: answers and honours maxmemory', async () => {
    expect(redis.host).toBe('127.0.0.1');
    expect(isAlive(redis.pid)).toBe(true);
    expect(await redisCli(redis, 'ping')).toBe('PONG');
    expect(await redisCli(redis, 'set', 'k', 'v')).toBe('OK');
    expect(await redisCli(redis, 'get', 'k')).toBe('v');
    expect(await redisCli(redis, 'config', 'get', 'maxmemory')).toBe(`maxmemory\n${32 * 1024 * 1024}`);
    expect(await readFile(redis.logFile, 'utf8')).toMatch(/Ready to accept connections/);
  });

  it('stop() kills each server by pid and removes its directory', async () => {
    await Promise.all([expectGone(mariadb), expectGone(postgres), expectGone(redis)]);
    // stop() is idempotent.
    await mariadb.stop();
  }, 30_000);
});
