// Commands beyond pull/tables/query/verify register here, one module each, so
// features can be added without touching the core of the CLI.
import type { Command } from 'commander';
import type { Preloaded } from '../preload.ts';
import { registerFleetCommands } from './fleet.ts';
import { registerDqCommands } from './dq.ts';
import { registerExportCommands } from './export.ts';
import { registerScenarioCommands } from './scenario.ts';
import { registerSeriesCommands } from './series.ts';
import { registerServeCommands } from './serve.ts';
import { registerShareCommands } from './share.ts';

export function registerExtraCommands(program: Command, preloaded: Preloaded): void {
  registerScenarioCommands(program, preloaded.costModel);
  registerFleetCommands(program);
  registerDqCommands(program);
  registerServeCommands(program);
  registerShareCommands(program);
  registerExportCommands(program);
  registerSeriesCommands(program);
}
