// A minimal GGUF v3 writer (little-endian, F32 tensors only): enough to forge the demo models.
// Format: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md
//
// Tensor data is streamed chunk by chunk from generators, so a 150 MB model never sits in memory,
// and the file is written under a temporary name in the same directory and renamed at the end, so
// a crash never leaves a half-written file under the final name (rename is atomic on one file system).

import {randomBytes} from 'node:crypto';
import {open, rename, rm} from 'node:fs/promises';
import {endianness} from 'node:os';
import {basename, dirname, join} from 'node:path';

export type GgufValue =
  | {readonly type: 'uint32'; readonly value: number}
  | {readonly type: 'int32'; readonly value: number}
  | {readonly type: 'float32'; readonly value: number}
  | {readonly type: 'bool'; readonly value: boolean}
  | {readonly type: 'string'; readonly value: string}
  | {readonly type: 'string[]'; readonly value: readonly string[]}
  | {readonly type: 'float32[]'; readonly value: ArrayLike<number>}
  | {readonly type: 'int32[]'; readonly value: ArrayLike<number>};

export type GgufTensor = {
  readonly name: string;
  /** GGUF order: `dims[0]` varies fastest (the length of one row). */
  readonly dims: readonly number[];
  /** Yields the tensor's F32 values in order; all chunks together hold exactly product(dims) values. */
  readonly chunks: () => Iterable<Float32Array>;
};

export type GgufFile = {
  /** Written in this order; `general.alignment` is added first. */
  readonly metadata: ReadonlyArray<readonly [key: string, value: GgufValue]>;
  readonly tensors: readonly GgufTensor[];
};

/** Tensor data starts, and each tensor is padded, to this many bytes (the GGUF default). */
export const GGUF_ALIGNMENT = 32;

const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
const GGUF_VERSION = 3;
const GGML_TYPE_F32 = 0;
const F32_BYTES = 4;

// gguf_type values from the spec.
const TYPE_CODE = {uint32: 4, int32: 5, float32: 6, bool: 7, string: 8, array: 9} as const;

/** Appends little-endian values to a growing buffer; the header (vocabulary included) is a few KB. */
class ByteSink {
  private buf = Buffer.alloc(64 * 1024);
  length = 0;

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + bytes));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  u32(v: number): void {
    this.reserve(4);
    this.length = this.buf.writeUInt32LE(v, this.length);
  }
  i32(v: number): void {
    this.reserve(4);
    this.length = this.buf.writeInt32LE(v, this.length);
  }
  f32(v: number): void {
    this.reserve(4);
    this.length = this.buf.writeFloatLE(v, this.length);
  }
  u64(v: number): void {
    this.reserve(8);
    this.length = this.buf.writeBigUInt64LE(BigInt(v), this.length);
  }
  u8(v: number): void {
    this.reserve(1);
    this.length = this.buf.writeUInt8(v, this.length);
  }
  string(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    this.u64(bytes.length);
    this.reserve(bytes.length);
    this.length += bytes.copy(this.buf, this.length);
  }
  padTo(alignment: number): void {
    const pad = paddingFor(this.length, alignment);
    this.reserve(pad);
    this.buf.fill(0, this.length, this.length + pad);
    this.length += pad;
  }
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

function paddingFor(offset: number, alignment: number): number {
  return (alignment - (offset % alignment)) % alignment;
}

function elementCount(tensor: GgufTensor): number {
  return tensor.dims.reduce((a, b) => a * b, 1);
}

function paddedDataBytes(tensor: GgufTensor): number {
  const bytes = elementCount(tensor) * F32_BYTES;
  return bytes + paddingFor(bytes, GGUF_ALIGNMENT);
}

function writeValue(sink: ByteSink, value: GgufValue): void {
  switch (value.type) {
    case 'uint32':
      sink.u32(TYPE_CODE.uint32);
      sink.u32(value.value);
      return;
    case 'int32':
      sink.u32(TYPE_CODE.int32);
      sink.i32(value.value);
      return;
    case 'float32':
      sink.u32(TYPE_CODE.float32);
      sink.f32(value.value);
      return;
    case 'bool':
      sink.u32(TYPE_CODE.bool);
      sink.u8(value.value ? 1 : 0);
      return;
    case 'string':
      sink.u32(TYPE_CODE.string);
      sink.string(value.value);
      return;
    case 'string[]':
      sink.u32(TYPE_CODE.array);
      sink.u32(TYPE_CODE.string);
      sink.u64(value.value.length);
      for (const s of value.value) sink.string(s);
      return;
    case 'float32[]':
      sink.u32(TYPE_CODE.array);
      sink.u32(TYPE_CODE.float32);
      sink.u64(value.value.length);
      for (let i = 0; i < value.value.length; i++) sink.f32(value.value[i] ?? 0);
      return;
    case 'int32[]':
      sink.u32(TYPE_CODE.array);
      sink.u32(TYPE_CODE.int32);
      sink.u64(value.value.length);
      for (let i = 0; i < value.value.length; i++) sink.i32(value.value[i] ?? 0);
      return;
  }
}

/** Everything before the tensor data: header, metadata, tensor infos, padding. */
export function encodeGgufHeader(file: GgufFile): Buffer {
  const sink = new ByteSink();
  const metadata = file.metadata.filter(([key]) => key !== 'general.alignment');
  sink.u32(GGUF_MAGIC);
  sink.u32(GGUF_VERSION);
  sink.u64(file.tensors.length);
  sink.u64(metadata.length + 1);
  sink.string('general.alignment');
  writeValue(sink, {type: 'uint32', value: GGUF_ALIGNMENT});
  for (const [key, value] of metadata) {
    sink.string(key);
    writeValue(sink, value);
  }
  let offset = 0;
  for (const tensor of file.tensors) {
    sink.string(tensor.name);
    sink.u32(tensor.dims.length);
    for (const d of tensor.dims) sink.u64(d);
    sink.u32(GGML_TYPE_F32);
    sink.u64(offset);
    offset += paddedDataBytes(tensor);
  }
  sink.padTo(GGUF_ALIGNMENT);
  return sink.bytes();
}

/** The exact size `writeGguf` will produce, without writing anything. */
export function ggufFileSize(file: GgufFile): number {
  return encodeGgufHeader(file).length + file.tensors.reduce((n, t) => n + paddedDataBytes(t), 0);
}

// Writes go through this staging buffer: tensors yield small chunks (a norm is one row) and one
// syscall per chunk would dominate the forge time.
const STAGING_BYTES = 4 * 1024 * 1024;
const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** Writes `file` to `path` atomically (temporary file in the same directory, then rename). */
export async function writeGguf(path: string, file: GgufFile): Promise<void> {
  const tmpPath = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(tmpPath, 'wx');
  let renamed = false;
  try {
    const staging = Buffer.alloc(STAGING_BYTES);
    let used = 0;
    const flush = async (): Promise<void> => {
      let written = 0;
      while (written < used) {
        const {bytesWritten} = await handle.write(staging, written, used - written);
        written += bytesWritten;
      }
      used = 0;
    };
    const push = async (bytes: Uint8Array): Promise<void> => {
      let from = 0;
      while (from < bytes.length) {
        const n = Math.min(bytes.length - from, staging.length - used);
        staging.set(bytes.subarray(from, from + n), used);
        used += n;
        from += n;
        if (used === staging.length) await flush();
      }
    };

    await push(encodeGgufHeader(file));
    for (const tensor of file.tensors) {
      const expected = elementCount(tensor);
      let count = 0;
      for (const chunk of tensor.chunks()) {
        count += chunk.length;
        if (count > expected) break;
        await push(f32Bytes(chunk));
      }
      if (count !== expected) {
        throw new Error(`GGUF tensor ${tensor.name}: produced ${count} values, expected ${expected}`);
      }
      const pad = paddingFor(expected * F32_BYTES, GGUF_ALIGNMENT);
      if (pad > 0) await push(new Uint8Array(pad));
    }
    await flush();
    // No fsync: the forged files are caches that are re-forged when their size is wrong, and an
    // fsync of 200 MB costs more than forging them.
    await handle.close();
    await rename(tmpPath, path);
    renamed = true;
  } finally {
    if (!renamed) {
      await handle.close().catch(() => undefined);
      await rm(tmpPath, {force: true});
    }
  }
}

function f32Bytes(chunk: Float32Array): Uint8Array {
  const view = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (LITTLE_ENDIAN_HOST) return view;
  return Buffer.from(view).swap32();
}
