// Reading the files a manifest names for a connection (CA bundles, client
// certificates, SSH keys, known_hosts): ~ expanded, and a failure is one line
// naming the field and the file.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PullError } from '../engines/errors.ts';

export function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return path;
}

/** Reads a file the manifest names for `field` of `instance`; throws a PullError naming both. */
export function readManifestFile(instance: string, field: string, path: string): Buffer {
  try {
    return readFileSync(expandHome(path));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new PullError(`instance "${instance}": ${field} ${path} cannot be read: ${reason}`, `fix ${field} in the fleet manifest (a path relative to the manifest, absolute, or starting with ~/)`, 'config');
  }
}
