// The HTTP transport's wire format: JSON with binary parts kept as bytes (Arrow
// IPC pages are not base64-inflated). A response body is a sequence of frames:
//
//   frame    = type:u8  length:u32be  envelope
//   envelope = "SBE1"  jsonLength:u32be  json  (partLength:u32be  part)*
//
// In the JSON, each Uint8Array is replaced by {"$bytes": i}, its index among the
// parts. Frame types: 1 = progress of the call, 2 = the call's outcome (last).

// Module-scoped declarations: shared/ compiles without DOM or Node types, yet
// both runtimes provide these.
declare const TextEncoder: { new (): { encode(input: string): Uint8Array } };
declare const TextDecoder: { new (label?: string, options?: { fatal?: boolean }): { decode(input: Uint8Array): string } };

export const FRAME_PROGRESS = 1;
export const FRAME_OUTCOME = 2;
export const ENVELOPE_CONTENT_TYPE = 'application/vnd.snapbench.frames';

const MAGIC = [0x53, 0x42, 0x45, 0x31]; // "SBE1"

function writeU32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = (value >>> 24) & 0xff;
  target[offset + 1] = (value >>> 16) & 0xff;
  target[offset + 2] = (value >>> 8) & 0xff;
  target[offset + 3] = value & 0xff;
}

function readU32(source: Uint8Array, offset: number): number {
  return ((source[offset]! << 24) >>> 0) + (source[offset + 1]! << 16) + (source[offset + 2]! << 8) + source[offset + 3]!;
}

/** One value as envelope bytes. */
export function encodeEnvelope(value: unknown): Uint8Array {
  const parts: Uint8Array[] = [];
  const json = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) {
      parts.push(v);
      return { $bytes: parts.length - 1 };
    }
    if (typeof v === 'bigint') return v.toString();
    return v;
  });
  const jsonBytes = new TextEncoder().encode(json ?? 'null');
  const size = 4 + 4 + jsonBytes.length + parts.reduce((n, p) => n + 4 + p.length, 0);
  const out = new Uint8Array(size);
  out.set(MAGIC, 0);
  writeU32(out, 4, jsonBytes.length);
  out.set(jsonBytes, 8);
  let at = 8 + jsonBytes.length;
  for (const part of parts) {
    writeU32(out, at, part.length);
    out.set(part, at + 4);
    at += 4 + part.length;
  }
  return out;
}

export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

export function decodeEnvelope(bytes: Uint8Array): unknown {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) throw new CodecError('not a Snapbench envelope');
  const jsonLength = readU32(bytes, 4);
  if (8 + jsonLength > bytes.length) throw new CodecError('truncated envelope');
  const json = new TextDecoder('utf-8').decode(bytes.subarray(8, 8 + jsonLength));
  const parts: Uint8Array[] = [];
  let at = 8 + jsonLength;
  while (at < bytes.length) {
    if (at + 4 > bytes.length) throw new CodecError('truncated envelope part');
    const length = readU32(bytes, at);
    if (at + 4 + length > bytes.length) throw new CodecError('truncated envelope part');
    parts.push(bytes.slice(at + 4, at + 4 + length));
    at += 4 + length;
  }
  return JSON.parse(json, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === '$bytes' && typeof (v as { $bytes: unknown }).$bytes === 'number') {
        const part = parts[(v as { $bytes: number }).$bytes];
        if (!part) throw new CodecError('envelope refers to a missing part');
        return part;
      }
    }
    return v;
  });
}

/** One frame: its type byte, its length and the envelope of `value`. */
export function encodeFrame(type: number, value: unknown): Uint8Array {
  const envelope = encodeEnvelope(value);
  const out = new Uint8Array(5 + envelope.length);
  out[0] = type;
  writeU32(out, 1, envelope.length);
  out.set(envelope, 5);
  return out;
}

/**
 * Splits a byte stream into frames as chunks arrive: push chunks, take the
 * complete frames. Keeps only the unfinished tail.
 */
export class FrameReader {
  private buffer = new Uint8Array(0);

  push(chunk: Uint8Array): { type: number; value: unknown }[] {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer, 0);
    joined.set(chunk, this.buffer.length);
    const frames: { type: number; value: unknown }[] = [];
    let at = 0;
    while (joined.length - at >= 5) {
      const length = readU32(joined, at + 1);
      if (joined.length - at - 5 < length) break;
      frames.push({ type: joined[at]!, value: decodeEnvelope(joined.subarray(at + 5, at + 5 + length)) });
      at += 5 + length;
    }
    this.buffer = joined.slice(at);
    return frames;
  }

  get pending(): number {
    return this.buffer.length;
  }
}
