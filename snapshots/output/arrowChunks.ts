// Arrow's writers queue every piece of bytes they make until the end; Snapbench's
// subclasses (the export's IPC file, the host's IPC stream) hand each piece to a
// sink at once so memory stays flat. This is the one copy of that override.

/** The bytes of one piece an Arrow writer produced. */
function chunkBytes(chunk: ArrayBufferView | ArrayBuffer | string): Uint8Array {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return chunk;
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return new Uint8Array(chunk);
}

/**
 * The body of a writer's `_write` override: passes the piece to `sink` (the
 * bytes may be a view of the writer's buffer: copy them if they are kept) and
 * advances the writer's position as the base class would.
 */
export function passArrowChunk(writer: object, chunk: ArrayBufferView | ArrayBuffer | string, sink: (bytes: Uint8Array) => void): void {
  const self = writer as { _started: boolean; _position: number };
  if (!self._started) return;
  const bytes = chunkBytes(chunk);
  if (bytes.byteLength === 0) return;
  sink(bytes);
  self._position += bytes.byteLength;
}
