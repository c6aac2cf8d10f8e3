// Errors the CLI turns into one line on stderr and an exit code.

/** An error the user can act on, with the exit code it maps to. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly hint: string | null = null,
    readonly exitCode = 1,
    /** The message is several problems, one per line (a manifest's or a pack's); else it is one line whatever it holds. */
    readonly multiline = false,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
