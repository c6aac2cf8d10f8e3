// The signed copy the tamper suites attack: a small demo snapshot, a key pair
// "alice", and `share --sign` of the demo by Alice.
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli } from './cli.ts';

export interface SignedDemo {
  demo: string;
  signed: string;
  pub: string;
  env: Record<string, string>;
}

export async function makeSignedDemo(dir: string): Promise<SignedDemo> {
  const env = { SNAPBENCH_CONFIG_DIR: join(dir, 'config') };
  const demo = join(dir, 'demo.snapbench');
  expect((await runCli(['demo', '--scale', '0.005', '--out', demo])).code).toBe(0);
  expect((await runCli(['keys', 'generate', '--out', join(dir, 'alice')])).code).toBe(0);
  const signed = join(dir, 'signed.snapbench');
  const shared = await runCli(['share', demo, '--out', signed, '--sign', join(dir, 'alice.key'), '--signer', 'Alice', '--fresh-key'], { env });
  expect(shared.code, shared.stderr).toBe(0);
  return { demo, signed, pub: join(dir, 'alice.pub'), env };
}
