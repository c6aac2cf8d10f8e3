// A minimal pipelined RESP2 connection for the key walk. The walk sends three
// commands per key (TYPE, PTTL, MEMORY USAGE); through ioredis that costs a
// Command object and a promise each (16 us of client CPU per key, 4x this lane:
// bench/README.md). Here a batch of commands is one buffer and one promise per
// group of replies. The replies are parsed by redis-parser (the parser ioredis
// used up to v5), which measured as fast as the hand-written one it replaced.
import net from 'node:net';
import type { Duplex } from 'node:stream';
import RedisParser from 'redis-parser';

export class RespError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RespError';
  }
}

/** A reply: status text, integer, bulk bytes (a view into the socket's data), null, an error, or an array. */
export type Reply = string | number | Buffer | null | RespError | Reply[];

interface Pending {
  expected: number;
  replies: Reply[];
  resolve(replies: Reply[]): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | null;
}

export class RespConnection {
  private readonly pending: Pending[] = [];
  private head = 0;
  private failure: Error | null = null;
  private readonly parser: RedisParser;

  private constructor(
    private readonly socket: net.Socket,
    private readonly commandTimeoutMs: number,
  ) {
    this.parser = new RedisParser({
      returnBuffers: true,
      returnReply: (reply: unknown) => this.deliver(laneReply(reply)),
      returnError: (error: Error) => this.deliver(new RespError(error.message)),
      returnFatalError: (error: Error) => {
        this.fail(new Error(`Protocol error: ${error.message}`));
        this.socket.destroy();
      },
    });
    socket.on('data', (chunk: Buffer) => {
      if (!this.failure) this.parser.execute(chunk);
    });
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('Connection closed by the server')));
  }

  /** A connection over a stream that is already connected (direct, TLS, or an SSH channel). */
  static over(stream: Duplex, commandTimeoutMs: number): RespConnection {
    (stream as net.Socket).setNoDelay?.(true);
    return new RespConnection(stream as net.Socket, commandTimeoutMs);
  }

  /** The underlying stream (a TLS socket when TLS is on). */
  get stream(): net.Socket {
    return this.socket;
  }

  /** Sends one command; resolves with its reply (a RespError reply is returned, not thrown). */
  async command(...args: (string | Uint8Array)[]): Promise<Reply> {
    const [reply] = await this.send(encodeCommand(args), 1);
    return reply;
  }

  /** Writes pre-encoded commands and resolves with their `expected` replies, in order. */
  send(payload: Uint8Array, expected: number): Promise<Reply[]> {
    return this.sendParts(payload, [expected])[0];
  }

  /**
   * Writes pre-encoded commands in one write; `counts` splits their replies
   * into consecutive groups, each with its own promise.
   */
  sendParts(payload: Uint8Array, counts: number[]): Promise<Reply[]>[] {
    if (this.failure) {
      const failure = this.failure;
      return counts.map(() => Promise.reject(failure));
    }
    const promises = counts.map(
      (expected) =>
        new Promise<Reply[]>((resolve, reject) => {
          const entry: Pending = { expected, replies: [], resolve, reject, timer: null };
          if (this.commandTimeoutMs > 0) {
            entry.timer = setTimeout(() => {
              this.fail(Object.assign(new Error('Command timed out'), { code: 'ETIMEDOUT' }));
              this.socket.destroy();
            }, this.commandTimeoutMs);
          }
          this.pending.push(entry);
        }),
    );
    this.socket.write(payload);
    return promises;
  }

  /** Closes the socket at once; what is in flight fails. */
  close(reason: Error = new Error('Connection closed')): void {
    this.fail(reason);
    this.socket.destroy();
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (let i = this.head; i < this.pending.length; i++) {
      const entry = this.pending[i];
      if (entry.timer) clearTimeout(entry.timer);
      entry.reject(error);
    }
    this.pending.length = 0;
    this.head = 0;
  }

  /** Hands one reply to the group of commands waiting for it. */
  private deliver(reply: Reply): void {
    if (this.failure) return;
    const entry = this.pending[this.head];
    if (!entry) {
      this.fail(new Error('Protocol error: a reply arrived that no command asked for'));
      this.socket.destroy();
      return;
    }
    entry.replies.push(reply);
    if (entry.replies.length === entry.expected) {
      if (entry.timer) clearTimeout(entry.timer);
      this.head++;
      if (this.head === this.pending.length) {
        this.pending.length = 0;
        this.head = 0;
      } else if (this.head > 1024) {
        this.pending.splice(0, this.head);
        this.head = 0;
      }
      entry.resolve(entry.replies);
    }
  }
}

/** The status words the walk compares (TYPE's answers, OK, PONG). */
const STATUSES = ['string', 'hash', 'list', 'set', 'zset', 'stream', 'vectorset', 'none', 'OK', 'PONG', 'QUEUED'];

/**
 * A reply from redis-parser (with returnBuffers, simple strings come as Buffers
 * too) in this lane's form: a top-level status word as a string, errors inside
 * an array as RespError. Every other string stays bytes (key names are binary).
 */
function laneReply(reply: unknown): Reply {
  if (Buffer.isBuffer(reply)) return reply.length <= 9 ? (statusWord(reply) ?? reply) : reply;
  if (Array.isArray(reply)) return reply.map((item) => (item instanceof Error ? new RespError(item.message) : (item as Reply)));
  return reply as Reply;
}

function statusWord(buffer: Buffer): string | null {
  const length = buffer.length;
  next: for (const status of STATUSES) {
    if (status.length !== length) continue;
    for (let i = 0; i < length; i++) if (buffer[i] !== status.charCodeAt(i)) continue next;
    return status;
  }
  return null;
}

const CRLF = Buffer.from('\r\n');

/** One command in RESP2 (an array of bulk strings). */
export function encodeCommand(args: (string | Uint8Array)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'utf8') : Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength);
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return Buffer.concat(parts);
}
