// The error every engine adapter (and the network layer under them) throws for a
// failure the user can act on.

/** An error the user can act on: what went wrong and what to do. Crosses process boundaries as plain data. */
export class PullError extends Error {
  constructor(
    message: string,
    readonly hint: string | null = null,
    readonly code = 'pull-failed',
  ) {
    super(message);
    this.name = 'PullError';
  }
}
