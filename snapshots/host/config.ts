// Where the workbench keeps its own small state (the recent-files list, the
// demo snapshot): $SNAPBENCH_CONFIG_DIR, else $XDG_CONFIG_HOME/snapbench, else
// ~/.config/snapbench. The desktop shell points it at Electron's userData.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { RecentSnapshot } from '../../shared/api/types.ts';

export function configDir(env: Record<string, string | undefined> = process.env): string {
  if (env.SNAPBENCH_CONFIG_DIR) return resolve(env.SNAPBENCH_CONFIG_DIR);
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'snapbench');
  return join(homedir(), '.config', 'snapbench');
}

/** Enough for a few months of weekly snapshots of one fleet (the library groups them into a series). */
const MAX_RECENT = 30;

interface StoredEntry {
  path: string;
  openedAt: string;
  createdAt: string | null;
  fleetName?: string | null;
  fleetKey?: string | null;
}

/** The objects of a list kept as JSON in the config directory; [] when it is missing, unreadable or not a list. */
export function readJsonList(file: string): Partial<Record<string, unknown>>[] {
  try {
    const stored: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return Array.isArray(stored) ? stored.filter((e): e is Partial<Record<string, unknown>> => typeof e === 'object' && e !== null && !Array.isArray(e)) : [];
  } catch {
    return [];
  }
}

/** Writes JSON beside its final path and renames it into place, so no reader sees half a file; throws when it cannot. */
export function writeJsonAtomically(dir: string, file: string, value: unknown, mode = 0o644): void {
  mkdirSync(dir, { recursive: true });
  const temp = `${file}.partial-${process.pid}`;
  writeFileSync(temp, JSON.stringify(value, null, 2), { mode });
  renameSync(temp, file);
}

/** The recent-files list, most recent first, kept as JSON in the config directory. */
export class RecentFiles {
  private readonly file: string;

  constructor(private readonly dir: string) {
    this.file = join(dir, 'recent.json');
  }

  list(): RecentSnapshot[] {
    const text = (value: unknown) => (typeof value === 'string' ? value : null);
    return readJsonList(this.file)
      .filter((e) => typeof e.path === 'string' && typeof e.openedAt === 'string')
      .map((e) => e as unknown as StoredEntry)
      .slice(0, MAX_RECENT)
      .map((e) => ({ path: e.path, fileName: basename(e.path), openedAt: e.openedAt, createdAt: text(e.createdAt), exists: isFile(e.path), fleetName: text(e.fleetName), fleetKey: text(e.fleetKey) }));
  }

  add(path: string, createdAt: string | null, fleet: { name: string | null; key: string | null } = { name: null, key: null }): RecentSnapshot[] {
    const rest = this.list().filter((e) => e.path !== path);
    return this.save([{ path, fileName: basename(path), openedAt: new Date().toISOString(), createdAt, exists: true, fleetName: fleet.name, fleetKey: fleet.key }, ...rest]);
  }

  forget(path: string): RecentSnapshot[] {
    return this.save(this.list().filter((e) => e.path !== path));
  }

  private save(entries: RecentSnapshot[]): RecentSnapshot[] {
    const kept = entries.slice(0, MAX_RECENT);
    try {
      writeJsonAtomically(this.dir, this.file, kept.map(({ path, openedAt, createdAt, fleetName, fleetKey }) => ({ path, openedAt, createdAt, fleetName, fleetKey })));
    } catch {
      // A read-only home directory only costs the recent list.
    }
    return kept;
  }
}

function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}
