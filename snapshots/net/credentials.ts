// Where an instance's password comes from: the variable password_env names, or
// the trimmed stdout of password_command (short-lived tokens such as
// `aws rds generate-db-auth-token`), run just before connecting. The command runs
// without a shell unless its text needs one, for at most 30 s; what it prints
// never reaches a log, an error, the snapshot or another process's arguments.
import { spawn } from 'node:child_process';
import type { FleetInstance } from '../../shared/model/fleet.ts';
import { PullError } from '../engines/errors.ts';

export const PASSWORD_COMMAND_TIMEOUT_MS = 30_000;

/** Characters that only a shell gives meaning to; outside quotes they send the command to /bin/sh. */
const SHELL_SYNTAX = /[|&;<>()$`*?[\]{}~#\n]/;

/** Splits a command line into words (quotes and backslashes as a shell would), or null when it needs a shell. */
export function splitCommand(text: string): string[] | null {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end === -1) return null;
      word += text.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '$' || text[j] === '`') return null;
        if (text[j] === '\\' && j + 1 < text.length && '"\\$`'.includes(text[j + 1]!)) j++;
        word += text[j];
      }
      if (j >= text.length) return null;
      inWord = true;
      i = j;
    } else if (c === '\\') {
      if (i + 1 >= text.length) return null;
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (SHELL_SYNTAX.test(c)) {
      return null;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  // `VAR=value cmd` sets a variable: shell syntax too.
  if (words.length === 0 || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!)) return null;
  return words;
}

/** Runs password_command and returns its trimmed stdout; throws a PullError with the first line of its stderr. */
export function runPasswordCommand(instanceName: string, command: string, env: Record<string, string | undefined>, signal?: AbortSignal): Promise<string> {
  const words = splitCommand(command);
  const [file, args] = words ? [words[0]!, words.slice(1)] : ['/bin/sh', ['-c', command]];
  const where = `instance "${instanceName}": password_command`;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env as NodeJS.ProcessEnv, timeout: PASSWORD_COMMAND_TIMEOUT_MS, killSignal: 'SIGKILL', signal });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let errBytes = 0;
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      if (errBytes < 64 * 1024) err.push(d);
      errBytes += d.length;
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError') reject(error);
      else if (error.code === 'ENOENT') reject(new PullError(`${where}: ${file} not found`, 'install it or give its full path in password_command', 'password-command'));
      else reject(new PullError(`${where}: could not run ${file}: ${error.message}`, 'check password_command in the fleet manifest', 'password-command'));
    });
    child.once('close', (code, signalName) => {
      const stderrLine = Buffer.concat(err).toString('utf8').split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';
      if (signalName === 'SIGKILL' && code === null) {
        reject(new PullError(`${where} did not finish within ${PASSWORD_COMMAND_TIMEOUT_MS / 1000} s`, 'check the command by running it yourself', 'password-command'));
        return;
      }
      if (code !== 0) {
        reject(new PullError(`${where} failed (exit ${code ?? signalName})${stderrLine ? `: ${stderrLine}` : ''}`, 'run the command yourself to see why (expired credentials, wrong profile or region?)', 'password-command'));
        return;
      }
      const password = Buffer.concat(out).toString('utf8').trim();
      if (!password) {
        reject(new PullError(`${where} printed nothing`, 'the command must print the password (or token) on stdout', 'password-command'));
        return;
      }
      resolve(password);
    });
  });
}

/** The password to connect with: from password_command (run now) or the variable named by password_env; undefined when neither is set. */
export async function instancePassword(instance: FleetInstance, env: Record<string, string | undefined>, signal?: AbortSignal): Promise<string | undefined> {
  const c = instance.connection;
  if (!c) return undefined;
  if (c.passwordCommand) return runPasswordCommand(instance.name, c.passwordCommand, env, signal);
  return c.passwordEnv ? env[c.passwordEnv] : undefined;
}
