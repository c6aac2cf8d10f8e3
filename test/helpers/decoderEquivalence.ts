// Pulls the same fleet twice through the CLI — the wire decoders (default) and
// the drivers' decoders (SNAPBENCH_ROW_DECODER=driver) — and returns each data
// table's content hash from both files, so a test can require every stored
// byte to be the same whichever decoder read it.
import { join } from 'node:path';
import { parseJson, runCli } from './cli.ts';

export interface DecoderPulls {
  /** Data table name → [wire sha256, driver sha256]. */
  hashes: Map<string, [string | undefined, string | undefined]>;
  /** `verify` exit codes of the wire file and the driver file. */
  verified: [number | null, number | null];
}

async function dataHashes(file: string): Promise<Map<string, string>> {
  const [row] = parseJson<{ body: string }[]>(await runCli(['query', file, 'SELECT body FROM _snapbench_manifest', '--format', 'json']));
  const tables = parseJson<{ table_name: string }[]>(await runCli(['query', file, `SELECT table_name FROM _snapbench_tables WHERE kind <> 'pushdown'`, '--format', 'json']));
  const hashes = (JSON.parse(row!.body) as { hashes: Record<string, { sha256: string }> }).hashes;
  return new Map(tables.map((t) => [t.table_name, hashes[t.table_name]!.sha256]));
}

export async function pullWithBothDecoders(dir: string, fleet: string, env: Record<string, string> = {}): Promise<DecoderPulls> {
  const wire = join(dir, 'decoder-wire.snapbench');
  const driver = join(dir, 'decoder-driver.snapbench');
  const a = await runCli(['pull', '--fleet', fleet, '--out', wire], { env });
  if (a.code !== 0) throw new Error(`pull (wire decoders) exit ${a.code}: ${a.stderr}`);
  const b = await runCli(['pull', '--fleet', fleet, '--out', driver], { env: { ...env, SNAPBENCH_ROW_DECODER: 'driver' } });
  if (b.code !== 0) throw new Error(`pull (driver decoders) exit ${b.code}: ${b.stderr}`);
  const [w, d] = [await dataHashes(wire), await dataHashes(driver)];
  const hashes = new Map<string, [string | undefined, string | undefined]>();
  for (const name of new Set([...w.keys(), ...d.keys()])) hashes.set(name, [w.get(name), d.get(name)]);
  const verified: [number | null, number | null] = [(await runCli(['verify', wire])).code, (await runCli(['verify', driver])).code];
  return { hashes, verified };
}
