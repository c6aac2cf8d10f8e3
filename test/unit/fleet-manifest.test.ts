// The fleet manifest: each mistake is one line naming the instance and the field.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FleetError, missingPasswordVariables, parseFleet } from '../../shared/model/fleet.ts';

function errorsOf(yaml: string): string[] {
  try {
    parseFleet(parse(yaml), 'fleet.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(FleetError);
    return (error as Error).message.split('\n');
  }
  throw new Error('expected the manifest to be rejected');
}

describe('fleet manifest', () => {
  it('gives Redis a 60 s command timeout and every engine a 10 s connect timeout by default; memory_samples and history are kept', () => {
    const fleet = parseFleet(
      parse(`
instances:
  - { name: r, engine: redis, host: h, memory_samples: 0 }
  - { name: m, engine: mariadb, host: h, history: true }
  - { name: p, engine: postgres, host: h }
`),
    );
    const [redis, maria, pg] = fleet.instances;
    expect(redis!.connection).toMatchObject({ connectTimeoutMs: 10_000, statementTimeoutMs: 60_000 });
    expect(redis!.memorySamples).toBe(0);
    expect(maria!.connection).toMatchObject({ connectTimeoutMs: 10_000, statementTimeoutMs: 3_600_000 });
    expect(maria!.history).toBe(true);
    expect(pg!.connection).toMatchObject({ statementTimeoutMs: 3_600_000 });
    expect(errorsOf('instances:\n  - { name: r, engine: redis, host: h, memory_samples: -1 }')).toEqual(['fleet.yaml: instance "r" field "memory_samples": must be 0 (exact) or a positive number of samples']);
  });

  it('parses the contract example with defaults and inventory-only instances', () => {
    const fleet = parseFleet(
      parse(`
instances:
  - name: aws-luckyus-salesorder-rw
    engine: mysql
    domain: sales
    host: 127.0.0.1
    port: 3306
    user: reader
    password_env: SALESORDER_PW
    databases: [luckyus_sales_order]
    instance_class: db.r6g.large
  - name: luckyus-isales-market
    engine: redis
    host: 127.0.0.1
    port: 6380
    password_env: MARKET_PW
    allocated_memory_mb: 4905
    raw_key_names: false
    read_values: false
  - name: aws-luckyus-devops-rw
    engine: mysql
    instance_class: db.t4g.medium
`),
    );
    expect(fleet.instances).toHaveLength(3);
    expect(fleet.instances[0]).toMatchObject({
      name: 'aws-luckyus-salesorder-rw',
      engine: 'mysql',
      domain: 'sales',
      connection: { host: '127.0.0.1', port: 3306, user: 'reader', passwordEnv: 'SALESORDER_PW' },
      databases: ['luckyus_sales_order'],
      instanceClass: 'db.r6g.large',
    });
    expect(fleet.instances[1]).toMatchObject({ engine: 'redis', allocatedMemoryMb: 4905, rawKeyNames: false, readValues: false });
    expect(fleet.instances[2]!.connection).toBeUndefined();
    expect(fleet.warnings).toEqual([]);
  });

  it('applies default ports and accepts engine aliases', () => {
    const fleet = parseFleet(parse(`instances: [{name: a, engine: MariaDB, host: h}, {name: b, engine: postgresql, host: h}, {name: c, engine: redis, host: h}]`));
    expect(fleet.instances.map((i) => [i.engine, i.connection!.port])).toEqual([
      ['mysql', 3306],
      ['postgres', 5432],
      ['redis', 6379],
    ]);
  });

  it('names the instance and field of an unknown engine', () => {
    expect(errorsOf(`instances: [{name: db1, engine: oracle, host: h}]`)).toEqual([
      'fleet.yaml: instance "db1" field "engine": unknown engine "oracle"; use one of mysql, postgres, redis',
    ]);
  });

  it('names a bad port', () => {
    expect(errorsOf(`instances: [{name: db1, engine: mysql, host: h, port: 70000}]`)).toEqual([
      'fleet.yaml: instance "db1" field "port": must be a whole number from 1 to 65535',
    ]);
    expect(errorsOf(`instances: [{name: db1, engine: mysql, host: h, port: abc}]`)[0]).toMatch(/instance "db1" field "port"/);
  });

  it('names a missing host when connection fields are given', () => {
    expect(errorsOf(`instances: [{name: db1, engine: mysql, port: 3306, user: u}]`)).toEqual([
      'fleet.yaml: instance "db1" field "host": is required when port, user are given (leave all connection fields out for an inventory-only instance)',
    ]);
  });

  it('names duplicate instance names', () => {
    expect(errorsOf(`instances: [{name: db1, engine: mysql, host: a}, {name: db1, engine: redis, host: b}]`)).toEqual([
      'fleet.yaml: instance "db1" field "name": duplicate instance name (also instance #1); names must be unique',
    ]);
  });

  it('names a missing name or engine by position, and reports every mistake at once', () => {
    const lines = errorsOf(`instances: [{engine: mysql, host: a}, {name: x, host: b}, {name: y, engine: redis, port: 0, host: c}]`);
    expect(lines).toEqual([
      'fleet.yaml: instance #1 field "name": is required',
      'fleet.yaml: instance "x" field "engine": is required',
      'fleet.yaml: instance "y" field "port": must be a whole number from 1 to 65535',
    ]);
  });

  it('rejects a document without an instances list', () => {
    expect(errorsOf(`hello: world`)).toEqual(['fleet.yaml: expected a YAML mapping with an "instances" list']);
    expect(errorsOf(`instances: 3`)).toEqual(['fleet.yaml: "instances" must be a list of instances']);
  });

  it('warns about unknown fields instead of dropping them silently', () => {
    const fleet = parseFleet(parse(`instances: [{name: a, engine: mysql, host: h, pasword_env: X}]`), 'fleet.yaml');
    expect(fleet.warnings).toEqual(['fleet.yaml: instance "a": unknown field "pasword_env" ignored']);
  });

  it('reports a password variable that is not set, naming instance, field and variable', () => {
    const fleet = parseFleet(parse(`instances: [{name: a, engine: mysql, host: h, password_env: A_PW}, {name: b, engine: mysql, host: h, password_env: B_PW}]`));
    expect(missingPasswordVariables(fleet.instances, { A_PW: '' })).toEqual([
      'instance "b" field "password_env": environment variable B_PW is not set; export it before pulling',
    ]);
  });
});
