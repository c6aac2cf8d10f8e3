// A minimal pipelined RESP2 connection for the key walk. The walk sends three
// commands per key (TYPE, PTTL, MEMORY USAGE); through ioredis that costs a
// Command object and a promise each, which caps the walk near 45K keys/s. Here
// a batch of commands is one buffer and one promise, and replies are parsed
// straight from the socket's chunks.
import net from 'node:net';
import type { Duplex } from 'node:stream';

export class RespError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RespError';
  }
}

/** A reply: status text, integer, bulk bytes (a view into the socket's chunk), null, an error, or an array. */
export type Reply = string | number | Buffer | null | RespError | Reply[];

interface Pending {
  expected: number;
  replies: Reply[];
  resolve(replies: Reply[]): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | null;
}

const INCOMPLETE = Symbol('incomplete');

export class RespConnection {
  private readonly pending: Pending[] = [];
  private head = 0;
  private buffer: Buffer = Buffer.alloc(0);
  private pos = 0;
  private failure: Error | null = null;

  private constructor(
    private readonly socket: net.Socket,
    private readonly commandTimeoutMs: number,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
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

  private onData(chunk: Buffer): void {
    if (this.pos < this.buffer.length) {
      this.buffer = Buffer.concat([this.buffer.subarray(this.pos), chunk]);
    } else {
      this.buffer = chunk;
    }
    this.pos = 0;
    try {
      this.drain();
    } catch (error) {
      this.fail(error as Error);
      this.socket.destroy();
    }
  }

  private drain(): void {
    for (;;) {
      if (this.failure) return;
      const start = this.pos;
      const reply = this.parse();
      if (reply === INCOMPLETE) {
        this.pos = start;
        return;
      }
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
      if (this.pos >= this.buffer.length) return;
    }
  }

  /** Position of the CR of the line starting at `from`, or -1. */
  private lineEnd(from: number): number {
    const buffer = this.buffer;
    const at = buffer.indexOf(13, from);
    return at === -1 || at + 1 >= buffer.length ? -1 : at;
  }

  private parseInteger(from: number, end: number): number {
    const buffer = this.buffer;
    let i = from;
    let negative = false;
    if (buffer[i] === 0x2d) {
      negative = true;
      i++;
    }
    let value = 0;
    for (; i < end; i++) value = value * 10 + (buffer[i] - 0x30);
    return negative ? -value : value;
  }

  private parse(): Reply | typeof INCOMPLETE {
    const buffer = this.buffer;
    if (this.pos >= buffer.length) return INCOMPLETE;
    const type = buffer[this.pos];
    const end = this.lineEnd(this.pos + 1);
    if (end === -1) return INCOMPLETE;
    switch (type) {
      case 0x2b: {
        // +status: the common ones (TYPE's answers, OK) without a new string each
        const text = internedStatus(buffer, this.pos + 1, end) ?? buffer.toString('latin1', this.pos + 1, end);
        this.pos = end + 2;
        return text;
      }
      case 0x3a: {
        // :integer
        const value = this.parseInteger(this.pos + 1, end);
        this.pos = end + 2;
        return value;
      }
      case 0x24: {
        // $bulk
        const length = this.parseInteger(this.pos + 1, end);
        if (length < 0) {
          this.pos = end + 2;
          return null;
        }
        const from = end + 2;
        if (from + length + 2 > buffer.length) return INCOMPLETE;
        this.pos = from + length + 2;
        return buffer.subarray(from, from + length);
      }
      case 0x2a: {
        // *array
        const length = this.parseInteger(this.pos + 1, end);
        this.pos = end + 2;
        if (length < 0) return null;
        const items: Reply[] = new Array(length);
        for (let i = 0; i < length; i++) {
          const item = this.parse();
          if (item === INCOMPLETE) return INCOMPLETE;
          items[i] = item;
        }
        return items;
      }
      case 0x2d: {
        // -error
        const message = buffer.toString('utf8', this.pos + 1, end);
        this.pos = end + 2;
        return new RespError(message);
      }
      default:
        throw new Error(`Protocol error: unexpected reply type byte ${type}`);
    }
  }
}

const CRLF = Buffer.from('\r\n');

const STATUSES = ['string', 'hash', 'list', 'set', 'zset', 'stream', 'none', 'OK'];

function internedStatus(buffer: Buffer, from: number, end: number): string | null {
  const length = end - from;
  next: for (const status of STATUSES) {
    if (status.length !== length) continue;
    for (let i = 0; i < length; i++) if (buffer[from + i] !== status.charCodeAt(i)) continue next;
    return status;
  }
  return null;
}

/** One command in RESP2 (an array of bulk strings). */
export function encodeCommand(args: (string | Uint8Array)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'utf8') : Buffer.from(arg.buffer, arg.byteOffset, arg.byteLength);
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return Buffer.concat(parts);
}
