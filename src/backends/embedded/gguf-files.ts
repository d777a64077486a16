import {opendir, stat} from 'node:fs/promises';
import path from 'node:path';
import type {ModelInfo, Tier} from '../../domain.js';
import {formatBytes} from '../../util/format.js';
import {errorMessage} from '../model-error.js';
import {fileTypeName, readGgufHeader, type GgufHeader} from './gguf-header.js';

// Discovery of GGUF files and what can be learnt from their headers without loading them.

const MAX_DEPTH = 6;
// Vision projectors and the later parts of split models are not models of their own.
const NOT_A_MODEL = /^mmproj|-0000[2-9]-of-\d+\.gguf$|-000[1-9]\d-of-\d+\.gguf$/i;
const SPLIT_SUFFIX = /-00001-of-\d+$/i;

export async function findGgufFiles(dirs: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  async function walk(dir: string, depth: number): Promise<void> {
    let handle;
    try {
      handle = await opendir(dir);
    } catch {
      return; // a configured folder that does not exist (yet) is normal
    }
    for await (const entry of handle) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && depth < MAX_DEPTH && !entry.name.startsWith('.')) await walk(full, depth + 1);
      else if ((entry.isFile() || entry.isSymbolicLink()) && /\.gguf$/i.test(entry.name) && !NOT_A_MODEL.test(entry.name))
        found.add(full);
    }
  }
  for (const dir of dirs) await walk(dir, 0);
  return [...found].sort();
}

export function modelKeyForPath(file: string): string {
  return path.basename(file).replace(/\.gguf$/i, '').replace(SPLIT_SUFFIX, '');
}

// [block size, bytes per block] of ggml tensor types (ggml.c's type traits), for checking that a
// file holds all of its tensor data: llama.cpp only says "failed to load" for a truncated file.
const GGML_TYPE_SIZES: Readonly<Record<number, readonly [number, number]>> = {
  0: [1, 4], 1: [1, 2], 2: [32, 18], 3: [32, 20], 6: [32, 22], 7: [32, 24], 8: [32, 34], 9: [32, 36],
  10: [256, 84], 11: [256, 110], 12: [256, 144], 13: [256, 176], 14: [256, 210], 15: [256, 292],
  16: [256, 66], 17: [256, 74], 18: [256, 98], 19: [256, 50], 20: [32, 18], 21: [256, 110],
  22: [256, 82], 23: [256, 136], 24: [1, 1], 25: [1, 2], 26: [1, 4], 27: [1, 8], 28: [1, 8],
  29: [256, 56], 30: [1, 2], 34: [256, 54], 35: [256, 66], 39: [32, 17],
};

/** How many numbers a tensor of these dimensions holds: its share of the model's parameters. */
function elementCount(dimensions: readonly number[]): number {
  return dimensions.reduce((product, d) => product * d, 1);
}

function tensorBytes(dimensions: readonly number[], ggmlType: number): number | null {
  const size = GGML_TYPE_SIZES[ggmlType];
  if (!size) return null;
  return Math.ceil(elementCount(dimensions) / size[0]) * size[1];
}

/**
 * What a user reads about a file cut short: its name and how much of it is there, in sizes they
 * know from `ls -h`, not byte offsets. The usual cause is a download or copy that did not finish.
 */
export function truncatedReason(file: string, sizeBytes: number, dataEnd: number): string {
  return `truncated: ${path.basename(file)} has ${formatBytes(sizeBytes)} of the ${formatBytes(dataEnd)} its tensors need (an unfinished download or copy?)`;
}

type Metadata = Record<string, unknown>;

function section(header: GgufHeader, name: string): Metadata {
  const value = header.metadata[name];
  return value && typeof value === 'object' ? (value as Metadata) : {};
}

function numberAt(source: Metadata, key: string): number | undefined {
  const value = source[key];
  return typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : undefined;
}

function stringAt(source: Metadata, key: string): string | undefined {
  const value = source[key];
  return typeof value === 'string' ? value : undefined;
}

// The vocabulary arrays are most of a header's size and tell the catalogue nothing.
const IGNORED_KEYS = ['tokenizer.ggml.tokens', 'tokenizer.ggml.scores', 'tokenizer.ggml.token_type', 'tokenizer.ggml.merges'];

const TIER_NAMES = new Set<string>(['small', 'medium', 'large']);

/** Reads a file's header and checks its data is all there; never throws for a bad file. */
export async function readModelInfo(file: string, backendId: string): Promise<ModelInfo> {
  const key = modelKeyForPath(file);
  const base = {key, backendId, displayName: key, path: file, demo: false, contextLength: 0};
  let sizeBytes = 0;
  try {
    sizeBytes = (await stat(file)).size;
    const header = await readGgufHeader(file, IGNORED_KEYS);
    const general = section(header, 'general');
    const mai = section(header, 'mai');
    const arch = stringAt(general, 'architecture') ?? 'unknown';
    const archMeta = section(header, arch);
    const attention = (archMeta.attention ?? {}) as Metadata;
    const parts = numberAt(section(header, 'split'), 'count') ?? 1;
    let params = 0;
    let dataEnd = 0;
    let knownSizes = true;
    for (const tensor of header.tensors) {
      params += elementCount(tensor.dimensions);
      const bytes = tensorBytes(tensor.dimensions, tensor.ggmlType);
      if (bytes === null) knownSizes = false;
      else dataEnd = Math.max(dataEnd, tensor.fileOffset + bytes);
    }
    // A split model's later parts hold the rest of its tensors (its first part is the one listed).
    const firstPart = /-00001-of-(\d+)\.gguf$/i.exec(file);
    for (let part = 2; firstPart && part <= parts; part++) {
      const partFile = `${file.slice(0, firstPart.index)}-${String(part).padStart(5, '0')}-of-${firstPart[1]}.gguf`;
      for (const tensor of (await readGgufHeader(partFile, IGNORED_KEYS)).tensors) params += elementCount(tensor.dimensions);
    }
    if (knownSizes && dataEnd > sizeBytes)
      return {...base, sizeBytes, arch, unusable: truncatedReason(file, sizeBytes, dataEnd)};
    const fileType = numberAt(general, 'file_type');
    const quantName = fileType === undefined ? undefined : fileTypeName(fileType);
    const tier = stringAt(mai, 'tier');
    const layers = numberAt(archMeta, 'block_count') ?? 0;
    const embeddingLength = numberAt(archMeta, 'embedding_length') ?? 0;
    const headCount = numberAt(attention, 'head_count') ?? 0;
    return {
      ...base,
      sizeBytes,
      displayName: stringAt(general, 'name') ?? key,
      arch,
      params,
      ...(quantName ? {quant: quantName.replace(/^(ALL|MOSTLY)_/, '')} : {}),
      contextLength: numberAt(archMeta, 'context_length') ?? 2048,
      shape: {
        layers,
        embeddingLength,
        headCount,
        headCountKv: numberAt(attention, 'head_count_kv') ?? headCount,
        weightBytes: sizeBytes - header.dataOffset,
      },
      demo: mai.demo === true,
      ...(tier && TIER_NAMES.has(tier) ? {tier: tier as Tier} : {}),
    };
  } catch (error) {
    return {...base, sizeBytes, unusable: `not a readable GGUF model: ${errorMessage(error)}`};
  }
}
