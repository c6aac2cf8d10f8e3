// One adapter per engine; the pull loop picks by the instance's engine. Loaded
// on demand so a MySQL-only pull never loads the PostgreSQL or Redis driver.
import type { Engine } from '../../shared/model/fleet.ts';
import type { EngineAdapter } from './types.ts';

export async function loadAdapter(engine: Engine): Promise<EngineAdapter> {
  switch (engine) {
    case 'mysql':
      return (await import('./mysql/index.ts')).mysqlAdapter;
    case 'postgres':
      return (await import('./postgres/index.ts')).postgresAdapter;
    case 'redis':
      return (await import('./redis/index.ts')).redisAdapter;
  }
}
