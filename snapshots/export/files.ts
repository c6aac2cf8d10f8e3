// Writes one table's record batches to a Parquet file (parquet-wasm: the Rust
// Arrow/Parquet writer compiled to WebAssembly) or an Arrow IPC file, streaming:
// batches are pulled one at a time, the bytes go to disk as they are made, and
// the file's sha256 is computed on the way. The file is written under a hidden
// temporary name and renamed into place only when it is complete.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RecordBatch, RecordBatchFileWriter, Table, tableToIPC, type Schema } from 'apache-arrow';
import { passArrowChunk } from '../output/arrowChunks.ts';
import { TOOL_VERSION } from '../version.ts';

export type FileFormat = 'parquet' | 'arrow';

/** Pulls the next batch of a table; null at the end. */
export type BatchSource = () => RecordBatch | null;

export interface WrittenFile {
  sha256: string;
  bytes: number;
}

/** A file being written: bytes appended in order, hashed, renamed into place at the end. */
class HashedFile {
  private readonly fd: number;
  private readonly hash = createHash('sha256');
  readonly tempPath: string;
  bytes = 0;

  constructor(readonly path: string) {
    this.tempPath = join(dirname(path), `.${basename(path)}.partial-${process.pid}`);
    this.fd = openSync(this.tempPath, 'w', 0o644);
  }

  write(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.hash.update(chunk);
    let at = 0;
    while (at < chunk.byteLength) at += writeSync(this.fd, chunk, at, chunk.byteLength - at);
    this.bytes += chunk.byteLength;
  }

  finish(): WrittenFile {
    fsyncSync(this.fd);
    closeSync(this.fd);
    renameSync(this.tempPath, this.path);
    return { sha256: this.hash.digest('hex'), bytes: this.bytes };
  }

  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.tempPath, { force: true });
  }
}

type ParquetWasm = typeof import('parquet-wasm/node');
let parquetWasm: Promise<ParquetWasm> | null = null;

/** The WebAssembly module is compiled once, on first use. */
function loadParquetWasm(): Promise<ParquetWasm> {
  parquetWasm ??= import('parquet-wasm/node');
  return parquetWasm;
}

/**
 * Writes a Parquet file. `rowGroupRows` caps the rows of a row group (the caller
 * sizes it from the width of the rows); Snappy compression, as every engine reads.
 */
export async function writeParquetFile(path: string, first: RecordBatch, next: BatchSource, rowGroupRows: number): Promise<WrittenFile> {
  const pw = await loadParquetWasm();
  const file = new HashedFile(path);
  try {
    const properties = new pw.WriterPropertiesBuilder()
      .setCompression(pw.Compression.SNAPPY)
      .setMaxRowGroupSize(rowGroupRows)
      .setCreatedBy(`snapbench ${TOOL_VERSION} (parquet-wasm)`)
      .build();
    let pending: RecordBatch | null = first;
    let failure: unknown = null;
    const batches = new ReadableStream({
      pull(controller) {
        try {
          const batch = pending ?? next();
          pending = null;
          if (!batch) return controller.close();
          const table = pw.Table.fromIPCStream(tableToIPC(new Table([batch]), 'stream'));
          controller.enqueue(table.recordBatch(0));
          table.free();
        } catch (error) {
          failure = error;
          controller.error(error);
        }
      },
    });
    const bytes = (await pw.transformParquetStream(batches, properties)).getReader();
    for (;;) {
      const { done, value } = await bytes.read();
      if (done) break;
      file.write(value as Uint8Array);
    }
    if (failure) throw failure;
    return file.finish();
  } catch (error) {
    file.abort();
    throw error;
  }
}

/** An Arrow IPC file writer that hands each piece of bytes to the file at once (the library's writer would queue them). */
class DirectFileWriter extends RecordBatchFileWriter {
  constructor(private readonly sink: (bytes: Uint8Array) => void) {
    super();
  }

  protected override _write(chunk: ArrayBufferView | ArrayBuffer | string): this {
    passArrowChunk(this, chunk, this.sink);
    return this;
  }
}

/** Writes an Arrow IPC file (the random-access "Feather v2" format), one record batch per batch. */
export function writeArrowFile(path: string, schema: Schema, first: RecordBatch, next: BatchSource): WrittenFile {
  const file = new HashedFile(path);
  try {
    const writer = new DirectFileWriter((bytes) => file.write(bytes));
    writer.reset(undefined, schema);
    for (let batch: RecordBatch | null = first; batch; batch = next()) if (batch.numRows > 0 || batch === first) writer.write(batch);
    writer.finish();
    return file.finish();
  } catch (error) {
    file.abort();
    throw error;
  }
}
