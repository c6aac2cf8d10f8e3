// The slow link of the latency benches (bench/latency.ts, bench/redis-paths.ts):
// a network namespace with a veth pair to this machine and `tc netem delay` on
// each end. Servers run on this side (listening on the veth address too); the
// measured clients run inside the namespace. No traffic leaves the machine.
// Where the kernel has no netem (CONFIG_NET_SCH_NETEM), the same delay each way
// is added by a delay line in the bench process between the veth address and
// the servers (every chunk forwarded the delay after it arrived, in order,
// without stop-and-wait). Where a namespace cannot be made at all (not root, no
// `ip`), makeLink throws with the reason.
import { createConnection, createServer, type Server } from 'node:net';
import { performance } from 'node:perf_hooks';
import { runSimple } from './process.ts';

export interface Link {
  ns: string;
  hostIf: string;
  nsIf: string;
  hostAddr: string;
  nsAddr: string;
  delayMs: number;
  how: 'netem' | 'delay-line';
}

async function sh(args: string[]): Promise<void> {
  const r = await runSimple(args[0]!, args.slice(1));
  if (r.code !== 0) throw new Error(`${args.join(' ')}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
}

/** The link's names and addresses; `subnet` (0-255) keeps two benches' links apart. */
export function linkSpec(prefix: string, subnet: number, delayMs: number): Omit<Link, 'how'> {
  const suffix = String(process.pid % 100_000);
  return { ns: `${prefix}-${suffix}`, hostIf: `sbl${suffix}a`, nsIf: `sbl${suffix}b`, hostAddr: `10.213.${subnet}.1`, nsAddr: `10.213.${subnet}.2`, delayMs };
}

/** Makes the namespace, the veth pair and the delays; throws with the reason when it cannot. */
export async function makeLink(spec: Omit<Link, 'how'>): Promise<Link> {
  const { ns, hostIf, nsIf, hostAddr, nsAddr, delayMs } = spec;
  await sh(['ip', 'netns', 'add', ns]);
  await sh(['ip', 'link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
  await sh(['ip', 'link', 'set', nsIf, 'netns', ns]);
  await sh(['ip', 'addr', 'add', `${hostAddr}/30`, 'dev', hostIf]);
  await sh(['ip', 'link', 'set', hostIf, 'up']);
  await sh(['ip', '-n', ns, 'addr', 'add', `${nsAddr}/30`, 'dev', nsIf]);
  await sh(['ip', '-n', ns, 'link', 'set', nsIf, 'up']);
  await sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  try {
    await sh(['tc', 'qdisc', 'add', 'dev', hostIf, 'root', 'netem', 'delay', `${delayMs}ms`]);
  } catch (error) {
    if (!/qdisc kind is unknown/i.test((error as Error).message)) throw error;
    return { ...spec, how: 'delay-line' };
  }
  await sh(['ip', 'netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', nsIf, 'root', 'netem', 'delay', `${delayMs}ms`]);
  return { ...spec, how: 'netem' };
}

/** How the link delays, in words for the report. */
export function delayWords(link: Link): string {
  return link.how === 'netem' ? `tc netem ${link.delayMs} ms each way` : `a delay line in the bench process, ${link.delayMs} ms each way (this kernel has no netem)`;
}

/**
 * A delay line: listens on the veth address and forwards each connection to the
 * server on 127.0.0.1, every chunk `delayMs` after it arrived, in both directions.
 */
export function delayLine(link: Pick<Link, 'hostAddr'>, targetPort: number, delayMs: number): Promise<{ server: Server; port: number }> {
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const pipe = (from: typeof client, to: typeof client) => {
      from.on('data', (chunk: Buffer) => setTimeout(() => to.destroyed || to.write(chunk), delayMs));
      from.on('end', () => setTimeout(() => to.end(), delayMs));
      from.on('error', () => to.destroy());
    };
    pipe(client, upstream);
    pipe(upstream, client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, link.hostAddr, () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

export async function removeLink(link: Pick<Link, 'ns' | 'hostIf'>): Promise<void> {
  // Deleting the namespace removes its veth end, and with it the pair.
  await runSimple('ip', ['netns', 'del', link.ns]);
  await runSimple('ip', ['link', 'del', link.hostIf]);
}

/** Runs a shell command line inside the namespace (with `env` added); returns its wall time in ms and its output. */
export async function inNamespace(link: Pick<Link, 'ns'>, command: string, env: Record<string, string> = {}): Promise<{ ms: number; stdout: string; stderr: string }> {
  const start = performance.now();
  const r = await runSimple('ip', ['netns', 'exec', link.ns, 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'sh', '-c', command]);
  const ms = performance.now() - start;
  if (r.code !== 0) throw new Error(`${command.slice(0, 120)}: exit ${r.code}: ${(r.stderr || r.stdout).trim().split('\n').slice(-1)[0]}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

/** A shell word. */
export const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
