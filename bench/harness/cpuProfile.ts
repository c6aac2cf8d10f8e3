// Where a pull's CPU goes, per row: V8 CPU profiles of both of its threads
// (`node --cpu-prof`, one .cpuprofile per thread) mapped back to the sources
// through dist's source maps, sorted into the pipeline's stages, and scaled by
// each thread's CPU time as /proc counted it (a profile samples wall time: on
// a busy machine a thread that waits for a core still collects samples where
// it stopped, so shares come from the profile and seconds from /proc).
import { readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STAGES = ['network read', 'decode', 'hash', 'transfer to the writer', 'writer: decode for binding', 'SQLite insert', 'garbage collection', 'start-up and finish', 'other'] as const;
export type Stage = (typeof STAGES)[number];

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ThreadProfile {
  file: string;
  /** Thread index in the file name: 0 is the main thread. */
  thread: number;
  /** Sampled microseconds by stage, idle excluded. */
  stageUs: Record<Stage, number>;
  idleUs: number;
  /** The heaviest source locations (self time), for the report. */
  top: { where: string; stage: Stage; us: number }[];
}

const maps = new Map<string, SourceMap | null>();
function sourceMapOf(url: string): SourceMap | null {
  if (!url.startsWith('file://')) return null;
  if (!maps.has(url)) {
    let map: SourceMap | null = null;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, 'utf8')));
    } catch {
      map = null;
    }
    maps.set(url, map);
  }
  return maps.get(url)!;
}

/** The original source file of a frame (dist → snapshots/…), or its URL. */
function sourceOf(frame: CallFrame): string {
  const map = sourceMapOf(frame.url);
  if (map && frame.lineNumber >= 0) {
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string };
    if (entry.originalSource) return entry.originalSource.replace(/^.*?(snapshots|shared|node_modules)\//, '$1/');
  }
  return frame.url.replace(/^file:\/\/.*?node_modules\//, 'node_modules/');
}

const NETWORK = /node_modules\/(mysql2|pg|pg-protocol|pg-copy-streams|obuf|pg-pool)\/|^node:(net|internal\/streams|internal\/stream_base_commons|stream)|stream_base_commons|streams\/readable/;
const STARTUP = /^node:internal\/(modules|bootstrap|process|main)|loader|compile|node_modules\/(commander|zod|yaml|ssh2|ioredis|apache-arrow|parquet-wasm|re2js)\//;

function stageOf(frame: CallFrame, source: string, mainThread: boolean, stack: CallFrame[]): Stage | 'idle' {
  const fn = frame.functionName;
  if (fn === '(idle)') return 'idle';
  // The writer's reply after each batch: its samples are time spent off the CPU once it woke the
  // main thread (a pull without those replies used 0.03 µs/row less writer CPU; bench/README.md).
  if (!mainThread && fn === 'postMessage') return 'idle';
  if (fn === '(garbage collector)') return 'garbage collection';
  if (fn === '(program)' || fn === '(root)') return 'other';
  if (/compileSourceTextModule|compileForInternalLoader|wrapSafe|compileFunction/.test(fn) || STARTUP.test(source)) return 'start-up and finish';
  if (source.includes('snapshots/file/hash.ts') || (fn === 'update' && /crypto\/hash/.test(frame.url)) || fn === 'digest') return 'hash';
  if (!mainThread) {
    if (source.includes('snapshots/file/encodedRows.ts') || source.includes('snapshots/file/batch.ts')) return 'writer: decode for binding';
    if (source.includes('snapshots/file/store.ts')) return fn === 'finish' || stack.some((f) => f.functionName === 'finish') ? 'start-up and finish' : 'SQLite insert';
    if (fn === 'fsync' || stack.some((f) => f.functionName === 'finish')) return 'start-up and finish';
    if (fn === 'postMessage' || /messageport|event_target|worker/.test(frame.url) || source.includes('writerWorker.ts')) return 'transfer to the writer';
    return 'other';
  }
  if (source.includes('snapshots/engines/mysql/rowEncoder.ts') || source.includes('snapshots/engines/postgres/copyText.ts') || source.includes('snapshots/file/encodedRows.ts') || source.includes('snapshots/engines/mysql/types.ts')) return 'decode';
  if (source.includes('snapshots/file/writer.ts') || source.includes('snapshots/file/batch.ts') || fn === 'postMessage' || /worker/.test(frame.url)) return 'transfer to the writer';
  if (NETWORK.test(source)) return 'network read';
  // The pull's own stream loop (pg-copy-streams' iterator, mysql2's row hook) belongs with the engine code that called it.
  if (source.includes('snapshots/engines/') && /pull\.ts$/.test(source)) return 'network read';
  if (fn === 'subarray' || fn === 'FastBuffer' || fn === 'allocUnsafe' || fn === 'createUnsafeBuffer' || fn === '_copyActual' || fn === 'readUInt32BE') {
    // Buffer helpers: charged to whoever called them.
    const caller = stack.find((f) => !/^node:/.test(f.url) && f.url !== '');
    if (caller) return stageOf(caller, sourceOf(caller), mainThread, []);
  }
  return 'other';
}

export function analyzeProfile(file: string, thread: number): ThreadProfile {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stageUs = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  let idleUs = 0;
  const byWhere = new Map<string, { stage: Stage; us: number }>();
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (us === 0) continue;
    const stack: CallFrame[] = [];
    for (let p = parent.get(node.id); p !== undefined && stack.length < 12; p = parent.get(p)) stack.push(byId.get(p)!.callFrame);
    const source = sourceOf(node.callFrame);
    const stage = stageOf(node.callFrame, source, thread === 0, stack);
    if (stage === 'idle') {
      idleUs += us;
      continue;
    }
    stageUs[stage] += us;
    const where = `${node.callFrame.functionName || '(anonymous)'} ${source.replace(/^node_modules\//, '')}`;
    const entry = byWhere.get(where) ?? { stage, us: 0 };
    entry.us += us;
    byWhere.set(where, entry);
  }
  const top = [...byWhere].map(([where, v]) => ({ where, ...v })).sort((a, b) => b.us - a.us).slice(0, 12);
  return { file, thread, stageUs, idleUs, top };
}

/** The profiles node wrote into a --cpu-prof-dir, main thread first (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile). */
export function profilesIn(dir: string): { file: string; thread: number }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => ({ file: join(dir, f), thread: Number(f.split('.').at(-3)) }))
    .sort((a, b) => a.thread - b.thread);
}

export interface StageBreakdown {
  /** µs per row by stage, both threads together, CPU time (not samples). */
  perRow: Record<Stage, number>;
  /** µs per row of each thread's CPU. */
  threadCpuPerRow: { main: number; writer: number };
  threads: ThreadProfile[];
}

/**
 * Scales each thread's sampled shares to its measured CPU seconds. `cpuSeconds`:
 * the main thread's and the writer thread's CPU time (from /proc/PID/task).
 */
export function breakdown(profiles: ThreadProfile[], cpuSeconds: { main: number; writer: number }, rows: number): StageBreakdown {
  const perRow = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<Stage, number>;
  for (const p of profiles) {
    const cpu = p.thread === 0 ? cpuSeconds.main : cpuSeconds.writer;
    const sampled = STAGES.reduce((sum, s) => sum + p.stageUs[s], 0);
    if (sampled === 0) continue;
    for (const s of STAGES) perRow[s] += ((p.stageUs[s] / sampled) * cpu * 1e6) / rows;
  }
  return { perRow, threadCpuPerRow: { main: (cpuSeconds.main * 1e6) / rows, writer: (cpuSeconds.writer * 1e6) / rows }, threads: profiles };
}
