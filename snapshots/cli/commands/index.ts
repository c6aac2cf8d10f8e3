// Commands beyond pull/tables/query/verify register here, one module each, so
// features can be added without touching the core of the CLI.
import type { Command } from 'commander';
import { registerFleetCommands } from './fleet.ts';

export function registerExtraCommands(program: Command): void {
  registerFleetCommands(program);
}
