// The exit codes of `snapbench` commands (cli-contract.md). The engine's
// command actions raise them through CliError; the CLI returns them.

export const EXIT_OK = 0;
/** Any error the user can act on (one line on stderr). */
export const EXIT_FAILED = 1;
/** `verify`: the file is not intact. */
export const EXIT_NOT_INTACT = 2;
/** `pull`: some instances failed, the others are in the file; `fleet check --connect`: some unreachable. */
export const EXIT_PARTIAL = 3;
/** `dq --fail-on`: a rule ended at the level it was told to fail on. */
export const EXIT_DQ_FINDINGS = 4;
/** `verify --trust`: not signed by the trusted key. */
export const EXIT_UNTRUSTED = 5;
/** Cancelled by Ctrl-C (128 + SIGINT). */
export const EXIT_CANCELLED = 130;
