// A socket-shaped stream over a channel that is still being opened (an SSH
// forwarded channel). Drivers that want a socket (pg calls connect(), sets
// no-delay and keep-alive; TLS wraps it) get one: writes wait until the channel
// is open, 'connect' is emitted then, and the two ends pass data and closes on.
import { Duplex } from 'node:stream';

export class TunnelSocket extends Duplex {
  private channel: Duplex | null = null;
  private queued: { chunk: Buffer; callback: (error?: Error | null) => void }[] = [];
  private opening: Promise<void> | null = null;
  connecting = true;

  constructor(private readonly open: () => Promise<Duplex>) {
    super({ allowHalfOpen: false });
    // The driver reading this socket gets every error through its own listener or
    // the failed connect; without one of its own, an early failure would crash the process.
    this.on('error', () => {});
  }

  /** Opens the channel (once); pg calls this with (port, host), which the channel already knows. */
  connect(): this {
    this.start().catch(() => {});
    return this;
  }

  /** Resolves once the channel is open; rejects (and destroys this socket) when it cannot be. */
  start(): Promise<void> {
    this.opening ??= this.open().then(
      (channel) => {
        if (this.destroyed) {
          channel.destroy();
          return;
        }
        this.channel = channel;
        this.connecting = false;
        channel.on('data', (data: Buffer) => {
          if (!this.push(data)) channel.pause();
        });
        channel.on('end', () => this.push(null));
        channel.on('close', () => this.destroy());
        channel.on('error', (error: Error) => this.destroy(error));
        for (const { chunk, callback } of this.queued) channel.write(chunk, callback);
        this.queued = [];
        this.emit('connect');
      },
      (error: Error) => {
        this.destroy(error);
        throw error;
      },
    );
    return this.opening;
  }

  override _read(): void {
    this.channel?.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.channel) this.channel.write(chunk, callback);
    else this.queued.push({ chunk, callback });
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.channel?.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.channel?.destroy();
    for (const { callback: queued } of this.queued) queued(error ?? new Error('connection closed'));
    this.queued = [];
    // 'close' a turn later: a TLS layer on top reports why it gave up (bad certificate) before
    // drivers see this socket close and call it "connection terminated".
    setImmediate(() => callback(error));
  }

  // What drivers call on a net.Socket; a forwarded channel has no such knobs.
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}
