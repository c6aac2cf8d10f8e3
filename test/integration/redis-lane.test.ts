// The RESP lane the key walk pipelines over (engines/redis/resp.ts): replies
// from a real Redis, however the network cuts them, reach the right group of
// commands; an error reply in the middle of a pipeline stays that command's
// answer; it works over a real TLS connection; and what is not RESP fails
// everything in flight instead of being misread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { Duplex } from 'node:stream';
import { encodeCommand, RespConnection, RespError, type Reply } from '../../snapshots/engines/redis/resp.ts';
import { openRespLane } from '../../snapshots/engines/redis/connect.ts';
import { Network } from '../../snapshots/net/network.ts';
import type { FleetInstance, TlsOptions } from '../../shared/model/fleet.ts';
import { startRedis, type ThrowawayServer } from '../helpers/servers.ts';
import { makeTestCa, type TestCa } from '../helpers/tlsCerts.ts';

let plain: ThrowawayServer;
let secure: ThrowawayServer;
let ca: TestCa;

const BINARY_KEY = Buffer.from([0x6b, 0x00, 0xff, 0x0d, 0x0a, 0xe4, 0xb8]);

beforeAll(async () => {
  ca = makeTestCa();
  [plain, secure] = await Promise.all([startRedis(), startRedis({ tls: { ...ca.issue('redis'), ca: ca.caFile } })]);
  const seed = async (lane: RespConnection) => {
    const commands = [
      ['SET', 'session:1', 'a', 'PX', '3600000'],
      ['SET', 'CONTACT_day:7', 'x'.repeat(300)],
      ['HSET', 'cart:9', 'sku', '1'],
      ['RPUSH', 'shop:3:queue', 'a', 'b'],
      ['SET', BINARY_KEY, 'binary name'],
    ];
    const replies = await lane.send(Buffer.concat(commands.map((c) => encodeCommand(c))), commands.length);
    expect(replies.some((r) => r instanceof RespError)).toBe(false);
  };
  for (const server of [plain, secure]) {
    const lane = server === plain ? await plainLane() : await tlsLane();
    await seed(lane);
    lane.close();
  }
});

afterAll(async () => {
  await Promise.all([plain?.stop(), secure?.stop()]);
  ca?.remove();
});

async function plainLane(): Promise<RespConnection> {
  const socket = net.connect(plain.port, plain.host);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return RespConnection.over(socket, 10_000);
}

function instance(tls: TlsOptions): FleetInstance {
  return { name: 'lane', engine: 'redis', connection: { host: '127.0.0.1', port: secure.port, tls, connectTimeoutMs: 5000, statementTimeoutMs: 10_000 }, rawKeyNames: false, readValues: false };
}

async function tlsLane(): Promise<RespConnection> {
  return openRespLane(instance({ caFile: ca.caFile, insecure: false }), undefined, new Network({}));
}

/** The walk's pipeline for these keys: SCAN page, then TYPE, PTTL, MEMORY USAGE per key, and a command that errors in the middle. */
function walkPipeline(keys: (string | Buffer)[]): { payload: Buffer; counts: number[] } {
  const perKey = keys.flatMap((k) => [encodeCommand(['TYPE', k]), encodeCommand(['PTTL', k]), encodeCommand(['MEMORY', 'USAGE', k])]);
  const payload = Buffer.concat([
    encodeCommand(['SCAN', '0', 'COUNT', '1000']),
    ...perKey.slice(0, 3),
    encodeCommand(['HGET', 'session:1', 'field']), // WRONGTYPE: an error reply mid-pipeline
    ...perKey.slice(3),
    encodeCommand(['PING']),
  ]);
  return { payload, counts: [1, 3 + 1 + (perKey.length - 3) + 1] };
}

const KEYS: (string | Buffer)[] = ['session:1', 'CONTACT_day:7', 'cart:9', 'shop:3:queue', BINARY_KEY, 'gone:0'];

/** The exact bytes a real server answers the pipeline with (captured off a socket). */
async function capturedReplies(payload: Buffer, replies: number): Promise<Buffer> {
  const socket = net.connect(plain.port, plain.host);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const chunks: Buffer[] = [];
  // Counting replies needs a parser: a lane on the same socket counts them while the raw bytes are kept.
  socket.on('data', (c: Buffer) => chunks.push(c));
  const lane = RespConnection.over(socket, 10_000);
  await lane.send(payload, replies);
  lane.close();
  return Buffer.concat(chunks);
}

/** A lane over an in-memory stream, fed the given chunks as if they came off the socket. */
function replayed(chunks: Buffer[], counts: number[]): Promise<Reply[][]> {
  const stream = new Duplex({ read() {}, write(_chunk, _encoding, callback) { callback(); } });
  const lane = RespConnection.over(stream, 0);
  const groups = Promise.all(lane.sendParts(Buffer.from('ignored'), counts));
  for (const chunk of chunks) stream.emit('data', chunk);
  return groups;
}

function shape(groups: Reply[][]): unknown {
  const one = (r: Reply): unknown => (Buffer.isBuffer(r) ? { bytes: r.toString('hex') } : r instanceof RespError ? { error: r.message } : Array.isArray(r) ? r.map(one) : r);
  return groups.map((g) => g.map(one));
}

describe('RESP lane', () => {
  it('gives each group its replies from a real server: statuses as words, binary key names as bytes, an error reply mid-pipeline as that command answer', async () => {
    const lane = await plainLane();
    const { payload, counts } = walkPipeline(KEYS);
    const [scan, rest] = await Promise.all(lane.sendParts(payload, counts));
    lane.close();
    const [cursor, keys] = scan![0] as [Buffer, Buffer[]];
    expect(cursor.toString()).toBe('0');
    expect(keys.map((k) => k.toString('hex')).sort()).toEqual(KEYS.slice(0, 5).map((k) => Buffer.from(k).toString('hex')).sort());
    expect(rest!.slice(0, 3)).toEqual(['string', expect.any(Number), expect.any(Number)]);
    expect(rest![3]).toBeInstanceOf(RespError);
    expect((rest![3] as RespError).message).toMatch(/^WRONGTYPE/);
    const types = rest!.slice(4, -1).filter((_, i) => i % 3 === 0);
    expect(types).toEqual(['string', 'hash', 'list', 'string', 'none']);
    const gone = rest!.slice(-4, -1);
    expect(gone).toEqual(['none', -2, null]);
    expect(rest!.at(-1)).toBe('PONG');
  });

  it('reads the same replies whatever the chunk boundaries: split at every byte offset, and one byte at a time', async () => {
    const { payload, counts } = walkPipeline(KEYS);
    const bytes = await capturedReplies(payload, counts.reduce((a, b) => a + b));
    const whole = shape(await replayed([bytes], counts));
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(shape(await replayed([bytes.subarray(0, cut), bytes.subarray(cut)], counts)), `cut at ${cut}`).toEqual(whole);
    }
    expect(shape(await replayed([...bytes].map((b) => Buffer.from([b])), counts))).toEqual(whole);
  });

  it('keeps pipelining after an error reply: later groups get their own replies', async () => {
    const lane = await plainLane();
    const groups = lane.sendParts(
      Buffer.concat([encodeCommand(['LPUSH', 'session:1', 'x']), encodeCommand(['TYPE', 'cart:9']), encodeCommand(['NOSUCHCOMMAND']), encodeCommand(['PTTL', 'session:1'])]),
      [2, 2],
    );
    const [first, second] = await Promise.all(groups);
    lane.close();
    expect(first![0]).toBeInstanceOf(RespError);
    expect(first![1]).toBe('hash');
    expect(second![0]).toBeInstanceOf(RespError);
    expect((second![0] as RespError).message).toMatch(/unknown command/i);
    expect(typeof second![1]).toBe('number');
  });

  it('works over a real TLS connection (certificate checked against the CA)', async () => {
    const lane = await tlsLane();
    expect((lane.stream as unknown as { encrypted?: boolean }).encrypted).toBe(true);
    const { payload, counts } = walkPipeline(KEYS);
    const [scan, rest] = await Promise.all(lane.sendParts(payload, counts));
    lane.close();
    expect((scan![0] as [Buffer, Buffer[]])[1]).toHaveLength(5);
    expect(rest!.at(-1)).toBe('PONG');
    // The same server refuses a lane that does not trust its certificate.
    const other = makeTestCa('another CA');
    try {
      await expect(openRespLane(instance({ caFile: other.caFile, insecure: false }), undefined, new Network({}))).rejects.toThrow(/certificate/i);
    } finally {
      other.remove();
    }
  });

  it('fails everything in flight on bytes that are not RESP, and on a reply nobody asked for', async () => {
    const garbage = replayed([Buffer.from('+OK\r\n'), Buffer.from('?what\r\n')], [1, 1]);
    await expect(garbage).rejects.toThrow(/Protocol error/);
    const stream = new Duplex({ read() {}, write(_c, _e, cb) { cb(); } });
    const lane = RespConnection.over(stream, 0);
    const asked = lane.send(Buffer.from('x'), 1);
    stream.emit('data', Buffer.from('+OK\r\n+OK\r\n'));
    await expect(asked).resolves.toEqual(['OK']);
    await expect(lane.send(Buffer.from('x'), 1)).rejects.toThrow(/no command asked for/);
  });
});
