// An error a command's user can act on. The CLI prints it as one line (with its
// hint) and exits with its code; command actions in the engine raise it too.
import { EXIT_FAILED } from './exitCodes.ts';

/** An error the user can act on, with the exit code it maps to. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly hint: string | null = null,
    readonly exitCode = EXIT_FAILED,
    /** The message is several problems, one per line (a manifest's or a pack's); else it is one line whatever it holds. */
    readonly multiline = false,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
