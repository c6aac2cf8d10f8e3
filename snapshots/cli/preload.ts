// What building the command line needs from heavier modules, loaded only when
// the command that quotes it runs or shows its help: the command line of every
// other command (and --version, --help, a usage error) loads none of it.
import type { CostModel } from './commands/scenario.ts';

export interface Preloaded {
  /** `scenario`: its --preset choices and its key help. */
  costModel: CostModel | null;
}

/**
 * The command that will run: the first word that is not an option (the
 * program's own options, --debug, --version and --help, take no value), or the
 * word after `help`.
 */
export function commandWord(argv: readonly string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

export async function preloadFor(argv: readonly string[]): Promise<Preloaded> {
  const word = commandWord(argv);
  return { costModel: word === 'scenario' ? await import('../../shared/cost/index.ts') : null };
}
