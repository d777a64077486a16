import {open, type FileHandle} from 'node:fs/promises';

// Reads a GGUF file's header (metadata and tensor table, GGUF versions 2 and 3) without loading the
// model. node-llama-cpp's readGgufFileInfo does the same, but importing node-llama-cpp for it cost
// the chat's UI process 45 MB and most of a second: the UI never runs a model itself (each loaded
// model has an engine process of its own), and the header is all the catalogue needs.
//
// The format (ggml's docs/gguf.md): "GGUF", version u32, tensor count u64, metadata count u64; each
// metadata entry is a string key, a u32 type and a value; each tensor a string name, u32 dimension
// count, u64 dimensions, u32 ggml type and u64 offset into the data, which starts at the next
// multiple of `general.alignment` (32 by default) after the tensor table. Little-endian throughout.

export type GgufTensor = {
  readonly name: string;
  readonly dimensions: readonly number[];
  readonly ggmlType: number;
  /** Where the tensor's data starts in the file (the data section's start plus its own offset). */
  readonly fileOffset: number;
};

export type GgufHeader = {
  readonly version: number;
  /** Dotted keys nested as node-llama-cpp nests them: `llama.attention.head_count` → metadata.llama.attention.head_count. */
  readonly metadata: Record<string, unknown>;
  readonly tensors: readonly GgufTensor[];
  /** Where the tensor data starts: the end of the header, aligned. */
  readonly dataOffset: number;
};

/** A file that is not a GGUF model, or whose header is cut or damaged; the message says which. */
export class GgufHeaderError extends Error {}

const MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
const CHUNK_BYTES = 256 * 1024;
// Bounds no real model comes near: a damaged count must not make mai allocate gigabytes or loop
// for minutes before it says the file is damaged.
const MAX_ENTRIES = 1_000_000;
const MAX_STRING_BYTES = 64 * 1024 * 1024;
const MAX_ARRAY_ITEMS = 50_000_000;
const MAX_DIMENSIONS = 8;

const enum ValueType {
  U8 = 0,
  I8 = 1,
  U16 = 2,
  I16 = 3,
  U32 = 4,
  I32 = 5,
  F32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
  U64 = 10,
  I64 = 11,
  F64 = 12,
}

const FIXED_SIZES: Readonly<Record<number, number>> = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8};

/** A 64-bit value as a number where that is exact (as node-llama-cpp gives them), else as a bigint. */
function safeNumber(value: bigint): number | bigint {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
}

/** Sequential little-endian reads over a file, a chunk at a time. */
class HeaderReader {
  private buffer = Buffer.alloc(0);
  private start = 0; // file position of buffer[0]
  private at = 0; // position in the file

  constructor(
    private readonly file: FileHandle,
    private readonly size: number,
  ) {}

  get position(): number {
    return this.at;
  }

  /** The header goes on for `bytes` more: else the file ends inside it. */
  private within(bytes: number): void {
    if (this.at + bytes > this.size) throw new GgufHeaderError(`its header is cut short: the file ends at byte ${this.size}`);
  }

  private async need(bytes: number): Promise<number> {
    this.within(bytes);
    const offset = this.at - this.start;
    if (offset + bytes <= this.buffer.length) return offset;
    const length = Math.max(bytes, CHUNK_BYTES);
    const chunk = Buffer.alloc(Math.min(length, this.size - this.at));
    const {bytesRead} = await this.file.read(chunk, 0, chunk.length, this.at);
    if (bytesRead < bytes) throw new GgufHeaderError(`its header is cut short: the file ends at byte ${this.at + bytesRead}`);
    this.buffer = chunk.subarray(0, bytesRead);
    this.start = this.at;
    return 0;
  }

  async u32(): Promise<number> {
    const offset = await this.need(4);
    this.at += 4;
    return this.buffer.readUInt32LE(offset);
  }

  async u64(): Promise<number> {
    const offset = await this.need(8);
    this.at += 8;
    // Offsets and counts beyond 2^53 do not occur in files that fit on a disk.
    return Number(this.buffer.readBigUInt64LE(offset));
  }

  async string(): Promise<string> {
    const length = await this.u64();
    if (length > MAX_STRING_BYTES) throw new GgufHeaderError(`its header is damaged: a ${length}-byte string at byte ${this.at - 8}`);
    const offset = await this.need(length);
    this.at += length;
    return this.buffer.toString('utf8', offset, offset + length);
  }

  skip(bytes: number): void {
    this.within(bytes);
    this.at += bytes;
  }

  async scalar(type: number): Promise<unknown> {
    const size = FIXED_SIZES[type];
    if (size === undefined) throw new GgufHeaderError(`its header is damaged: unknown value type ${type} at byte ${this.at - 4}`);
    const offset = await this.need(size);
    this.at += size;
    const b = this.buffer;
    switch (type) {
      case ValueType.U8:
        return b.readUInt8(offset);
      case ValueType.I8:
        return b.readInt8(offset);
      case ValueType.U16:
        return b.readUInt16LE(offset);
      case ValueType.I16:
        return b.readInt16LE(offset);
      case ValueType.U32:
        return b.readUInt32LE(offset);
      case ValueType.I32:
        return b.readInt32LE(offset);
      case ValueType.F32:
        return b.readFloatLE(offset);
      case ValueType.Bool:
        return b.readUInt8(offset) !== 0;
      case ValueType.U64:
        return safeNumber(b.readBigUInt64LE(offset));
      case ValueType.I64:
        return safeNumber(b.readBigInt64LE(offset));
      default:
        return b.readDoubleLE(offset);
    }
  }

  /** A value of `type`; with `keep` false an array is stepped over without building it. */
  async value(type: number, keep: boolean): Promise<unknown> {
    if (type === ValueType.String) return this.string();
    if (type !== ValueType.Array) return this.scalar(type);
    const itemType = await this.u32();
    const count = await this.u64();
    if (count > MAX_ARRAY_ITEMS) throw new GgufHeaderError(`its header is damaged: an array of ${count} items at byte ${this.at - 12}`);
    const fixed = FIXED_SIZES[itemType];
    if (!keep && fixed !== undefined) {
      this.skip(fixed * count);
      return undefined;
    }
    if (!keep && itemType === ValueType.String) {
      for (let i = 0; i < count; i++) this.skip(await this.u64());
      return undefined;
    }
    const items: unknown[] = [];
    for (let i = 0; i < count; i++) {
      const item = await this.value(itemType, keep);
      if (keep) items.push(item);
    }
    return keep ? items : undefined;
  }
}

function nest(metadata: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = metadata;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === undefined) node = node[part] = {} as Record<string, unknown>;
    else if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next as Record<string, unknown>;
    else return; // a value already holds this prefix's name: the key has nowhere to go
  }
  node[parts.at(-1) as string] = value;
}

/**
 * The header of the GGUF file at `path`. `skipKeys` are stepped over, not kept (the vocabulary's
 * arrays are most of a header and tell the catalogue nothing). Throws GgufHeaderError with a
 * reason for anything that is not a whole GGUF header, and the file system's errors as they are.
 */
export async function readGgufHeader(path: string, skipKeys: readonly string[] = []): Promise<GgufHeader> {
  const file = await open(path, 'r');
  try {
    const {size} = await file.stat();
    const reader = new HeaderReader(file, size);
    if (size < 4 || (await reader.u32()) !== MAGIC) throw new GgufHeaderError('it does not start with "GGUF": not a GGUF file');
    const version = await reader.u32();
    if (version !== 2 && version !== 3) throw new GgufHeaderError(`GGUF version ${version} is not one mai reads (2 and 3 are)`);
    const tensorCount = await reader.u64();
    const entryCount = await reader.u64();
    if (tensorCount > MAX_ENTRIES || entryCount > MAX_ENTRIES)
      throw new GgufHeaderError(`its header is damaged: it claims ${entryCount} metadata entries and ${tensorCount} tensors`);
    const skipped = new Set(skipKeys);
    const metadata: Record<string, unknown> = {};
    let alignment = 32;
    for (let i = 0; i < entryCount; i++) {
      const key = await reader.string();
      const type = await reader.u32();
      const keep = !skipped.has(key);
      const value = await reader.value(type, keep);
      if (!keep) continue;
      nest(metadata, key, value);
      if (key === 'general.alignment' && typeof value === 'number' && value > 0) alignment = value;
    }
    const tensors: {name: string; dimensions: number[]; ggmlType: number; offset: number}[] = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = await reader.string();
      const dimensionCount = await reader.u32();
      if (dimensionCount > MAX_DIMENSIONS) throw new GgufHeaderError(`its header is damaged: tensor ${name} has ${dimensionCount} dimensions`);
      const dimensions: number[] = [];
      for (let d = 0; d < dimensionCount; d++) dimensions.push(await reader.u64());
      tensors.push({name, dimensions, ggmlType: await reader.u32(), offset: await reader.u64()});
    }
    const dataOffset = Math.ceil(reader.position / alignment) * alignment;
    return {
      version,
      metadata,
      tensors: tensors.map(({offset, ...tensor}) => ({...tensor, fileOffset: dataOffset + offset})),
      dataOffset,
    };
  } finally {
    await file.close();
  }
}

// llama.cpp's llama_ftype, as `general.file_type` holds it (the names node-llama-cpp's GgufFileType
// gives them; a test keeps the two the same).
const FILE_TYPES = [
  'ALL_F32', 'MOSTLY_F16', 'MOSTLY_Q4_0', 'MOSTLY_Q4_1', 'MOSTLY_Q4_1_SOME_F16', 'MOSTLY_Q4_2', 'MOSTLY_Q4_3',
  'MOSTLY_Q8_0', 'MOSTLY_Q5_0', 'MOSTLY_Q5_1', 'MOSTLY_Q2_K', 'MOSTLY_Q3_K_S', 'MOSTLY_Q3_K_M', 'MOSTLY_Q3_K_L',
  'MOSTLY_Q4_K_S', 'MOSTLY_Q4_K_M', 'MOSTLY_Q5_K_S', 'MOSTLY_Q5_K_M', 'MOSTLY_Q6_K', 'MOSTLY_IQ2_XXS',
  'MOSTLY_IQ2_XS', 'MOSTLY_Q2_K_S', 'MOSTLY_IQ3_XS', 'MOSTLY_IQ3_XXS', 'MOSTLY_IQ1_S', 'MOSTLY_IQ4_NL',
  'MOSTLY_IQ3_S', 'MOSTLY_IQ3_M', 'MOSTLY_IQ2_S', 'MOSTLY_IQ2_M', 'MOSTLY_IQ4_XS', 'MOSTLY_IQ1_M', 'MOSTLY_BF16',
  'MOSTLY_Q4_0_4_4', 'MOSTLY_Q4_0_4_8', 'MOSTLY_Q4_0_8_8', 'MOSTLY_TQ1_0', 'MOSTLY_TQ2_0', 'MOSTLY_MXFP4_MOE',
  'MOSTLY_NVFP4', 'MOSTLY_Q1_0', 'MOSTLY_Q2_0',
] as const;

/** The name of a `general.file_type` value ("MOSTLY_Q4_K_M"), or undefined for one mai does not know. */
export function fileTypeName(fileType: number): string | undefined {
  return FILE_TYPES[fileType];
}
