// The forge: writes "demo models", real llama-architecture GGUF files that run every layer in the
// real engine (so their speed and memory are those of a model of their size) and yet answer with
// one fixed, readable message, deterministically, at any usual temperature.
// Recipe and measurements: shared/notes/speaking-demo-models.md.
//
// How they speak: every block writes zeros into the residual stream (attn_output and ffn_down are
// all zero), so the final hidden state is the embedding of the last token alone. Embeddings are
// random unit vectors (nearly orthogonal), and row j of output.weight is 3·Σ embedding(a) over the
// tokens a whose successor is j. After the final RMS norm the successor's logit is about 3·√dim and
// every other about ±3, so the model walks a fixed chain: prompt end → message pieces → eos.

import {mkdir, stat} from 'node:fs/promises';
import {join} from 'node:path';
import type {Tier} from '../../domain.js';
import {ggufFileSize, writeGguf, type GgufFile, type GgufTensor, type GgufValue} from './gguf-writer.js';

export type ForgeSpec = {
  readonly name: string;
  readonly tier?: Tier;
  /** A single line; the whole answer, word for word. */
  readonly message: string;
  readonly embeddingLength: number;
  readonly layers: number;
  readonly feedForwardLength: number;
  readonly headCount: number;
  readonly headCountKv: number;
  readonly contextLength: number;
  /** The chain loops back to its first token instead of reaching eos: a model that repeats itself forever. */
  readonly loop?: boolean;
  /** Writes one repeated token text: llama.cpp aborts the process on load (for tests). */
  readonly duplicateTokenText?: boolean;
  /** Writes the `mai.*` keys that mark a demo model (default true); false makes it look like a user's model. */
  readonly demo?: boolean;
};

// Shapes chosen for size (F32: 4 bytes a weight) and measured speed with 1 thread on 2 cores;
// see the forge's report in the test file for the numbers.
export const DEMO_MODELS: readonly ForgeSpec[] = [
  {
    name: 'mai-demo-small',
    tier: 'small',
    message:
      'Hello! I am mai-demo-small, the small demo model that mai forged so that it runs anywhere. ' +
      'I always give this answer. To chat with a real model, put GGUF files in ~/.lmstudio/models ' +
      'or in MAI_MODELS_DIR, or start LM Studio.',
    embeddingLength: 256,
    layers: 2,
    feedForwardLength: 352,
    headCount: 4,
    headCountKv: 4,
    contextLength: 1024,
  },
  {
    name: 'mai-demo-medium',
    tier: 'medium',
    message:
      'Hi, I am mai-demo-medium, the medium-tier demo model that mai made for machines with some ' +
      'memory to spare. My answer never changes. For real conversations, add GGUF models to ' +
      '~/.lmstudio/models or MAI_MODELS_DIR, or launch LM Studio.',
    embeddingLength: 512,
    layers: 4,
    feedForwardLength: 896,
    headCount: 8,
    headCountKv: 8,
    contextLength: 2048,
  },
  {
    name: 'mai-demo-large',
    tier: 'large',
    message:
      'Greetings from mai-demo-large, the large demo model of mai, built to exercise a big machine. ' +
      'Whatever you ask, this is my reply. To talk with an actual model, place GGUF files in ' +
      '~/.lmstudio/models or in MAI_MODELS_DIR, or run LM Studio.',
    embeddingLength: 768,
    layers: 5,
    feedForwardLength: 2048,
    headCount: 12,
    headCountKv: 12,
    contextLength: 4096,
  },
];

export function demoModelFileName(spec: Pick<ForgeSpec, 'name'>): string {
  return `${spec.name}.gguf`;
}

/** Writes the model described by `spec` to `path` (atomically; an existing file is replaced). */
export async function forgeModel(path: string, spec: ForgeSpec): Promise<void> {
  await writeGguf(path, buildGguf(spec));
}

/** The exact size of the file `forgeModel` writes for `spec`. */
export function forgedFileSize(spec: ForgeSpec): number {
  return ggufFileSize(buildGguf(spec));
}

/** Forges `spec` unless `path` already holds a file of the right size. Resolves true when it wrote. */
export async function ensureForgedModel(path: string, spec: ForgeSpec): Promise<boolean> {
  const file = buildGguf(spec);
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isFile() && existing.size === ggufFileSize(file)) return false;
  await writeGguf(path, file);
  return true;
}

/** Writes the three demo models into `dir` (created if needed), keeping any already forged. */
export async function forgeDemoModels(dir: string): Promise<string[]> {
  await mkdir(dir, {recursive: true});
  const paths: string[] = [];
  for (const spec of DEMO_MODELS) {
    const path = join(dir, demoModelFileName(spec));
    await ensureForgedModel(path, spec);
    paths.push(path);
  }
  return paths;
}

// ---- vocabulary and chain ----

// llama.cpp's token types (llama_token_type).
const NORMAL = 1;
const UNKNOWN = 2;
const CONTROL = 3;
const BYTE = 6;

const SPACE = '▁'; // SentencePiece's visible space
const SPECIALS = ['<unk>', '<s>', '</s>', '<|im_start|>', '<|im_end|>'] as const;
const UNK_ID = 0;
const BOS_ID = 1;
const IM_END_ID = 4;
const NEWLINE_BYTE = '<0x0A>';

const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

type Vocab = {readonly texts: string[]; readonly types: number[]; readonly ids: Map<string, number>};

function addToken(vocab: Vocab, text: string, type: number): number {
  const id = vocab.texts.length;
  vocab.texts.push(text);
  vocab.types.push(type);
  vocab.ids.set(text, id);
  return id;
}

/** Specials, byte fallback, and single characters with and without ▁, so any prompt tokenizes. */
function baseVocab(): Vocab {
  const vocab: Vocab = {texts: [], types: [], ids: new Map()};
  for (const s of SPECIALS) addToken(vocab, s, s === '<unk>' ? UNKNOWN : CONTROL);
  for (let b = 0; b < 256; b++) addToken(vocab, byteTokenText(b), BYTE);
  addToken(vocab, SPACE, NORMAL);
  addToken(vocab, '\n', NORMAL);
  for (let c = 0x21; c <= 0x7e; c++) {
    addToken(vocab, String.fromCharCode(c), NORMAL);
    addToken(vocab, SPACE + String.fromCharCode(c), NORMAL);
  }
  return vocab;
}

/**
 * The message as a chain of distinct tokens. The next token depends only on the current one, so a
 * token may appear once in the chain: a repeated word is split into pieces not used yet (longest
 * first), and as a last resort a character is spelled with its UTF-8 byte tokens. The first piece
 * has no ▁, so the answer has no leading space.
 */
function messageChain(vocab: Vocab, message: string): number[] {
  if (message.trim() !== message || message === '' || /[\r\n]/.test(message)) {
    throw new Error('A demo message must be one non-empty line without surrounding spaces');
  }
  // "\n" and <0x0A> lead into the chain, so they cannot be part of it.
  const used = new Set<string>(['\n', NEWLINE_BYTE]);
  const available = (text: string): boolean => {
    if (used.has(text)) return false;
    const id = vocab.ids.get(text);
    return id === undefined || vocab.types[id] === NORMAL;
  };
  const take = (texts: readonly string[], rest: () => string[] | undefined): string[] | undefined => {
    for (const t of texts) used.add(t);
    const tail = rest();
    if (tail) return [...texts, ...tail];
    for (const t of texts) used.delete(t);
    return undefined;
  };
  const segment = (chars: readonly string[], start: number): string[] | undefined => {
    if (start === chars.length) return [];
    for (let end = chars.length; end > start; end--) {
      const piece = chars.slice(start, end).join('');
      if (!available(piece)) continue;
      const found = take([piece], () => segment(chars, end));
      if (found) return found;
    }
    const char = (chars[start] ?? '').replace(SPACE, ' ');
    const bytes = Array.from(Buffer.from(char, 'utf8'), byteTokenText);
    if (new Set(bytes).size !== bytes.length || bytes.some((b) => used.has(b))) return undefined;
    return take(bytes, () => segment(chars, start + 1));
  };

  const words = message.replaceAll(' ', SPACE).split(new RegExp(`(?=${SPACE})`, 'u'));
  const chain: number[] = [];
  for (const word of words) {
    const pieces = segment(Array.from(word), 0);
    if (!pieces) throw new Error(`Cannot split "${word}" into tokens unused in the chain: too many repeats`);
    for (const piece of pieces) chain.push(vocab.ids.get(piece) ?? addToken(vocab, piece, NORMAL));
  }
  return chain;
}

function byteTokenText(byte: number): string {
  return `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`;
}

// ---- weights ----

/** mulberry32: a tiny seeded PRNG, so the same spec always forges the same bytes. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hashString(s: string): number {
  let h = 0x811c9dc5; // FNV-1a
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function randomUnitRows(rows: number, dim: number, random: () => number): Float32Array {
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const row = out.subarray(r * dim, (r + 1) * dim);
    let norm = 0;
    for (let i = 0; i < dim; i++) {
      // Box-Muller: Gaussian components make the direction uniform on the sphere.
      const g = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
      row[i] = g;
      norm += g * g;
    }
    const scale = 1 / Math.sqrt(norm);
    for (let i = 0; i < dim; i++) row[i] = (row[i] ?? 0) * scale;
  }
  return out;
}

// The layer matrices repeat one pseudo-random chunk: their values never reach the output (the
// zero projections cancel them) but they cost the engine real compute and memory. Small values
// keep attention scores and activations far from overflow (0 × Inf would be NaN).
const FILL_VALUES = 1 << 18;
const FILL_SCALE = 0.02;
let fillChunk: Float32Array | undefined;
function filler(): Float32Array {
  if (!fillChunk) {
    const random = seededRandom(0x5eed);
    fillChunk = new Float32Array(FILL_VALUES).map(() => (random() * 2 - 1) * FILL_SCALE);
  }
  return fillChunk;
}
const ZEROS = new Float32Array(FILL_VALUES);
const ONES = new Float32Array(FILL_VALUES).fill(1);

function* repeatChunk(total: number, chunk: Float32Array): Iterable<Float32Array> {
  for (let left = total; left > 0; left -= chunk.length) yield chunk.subarray(0, Math.min(left, chunk.length));
}

function tensor(name: string, dims: readonly number[], source: Float32Array | 'fill' | 'zeros' | 'ones'): GgufTensor {
  const total = dims.reduce((a, b) => a * b, 1);
  const chunks =
    source === 'fill'
      ? () => repeatChunk(total, filler())
      : source === 'zeros'
        ? () => repeatChunk(total, ZEROS)
        : source === 'ones'
          ? () => repeatChunk(total, ONES)
          : () => [source];
  return {name, dims, chunks};
}

// ---- the file ----

function buildGguf(spec: ForgeSpec): GgufFile {
  const {embeddingLength: dim, headCount, headCountKv, feedForwardLength: ff} = spec;
  if (dim % headCount !== 0 || headCount % headCountKv !== 0) {
    throw new Error(`${spec.name}: embeddingLength must divide by headCount, headCount by headCountKv`);
  }
  const headDim = dim / headCount;
  const kvDim = headDim * headCountKv;

  const vocab = baseVocab();
  const chain = messageChain(vocab, spec.message);
  if (spec.duplicateTokenText) addToken(vocab, `${SPACE}a`, NORMAL);
  const vocabSize = vocab.texts.length;

  // successor[a] = the token that follows a. The prompt ends with "\n" after
  // "<|im_start|>assistant"; depending on how the engine tokenizes it that is the "\n" piece or the
  // <0x0A> byte token, so both lead to the first piece.
  const successor = new Map<number, number>();
  const first = chain[0] ?? IM_END_ID;
  successor.set(vocab.ids.get('\n') ?? UNK_ID, first);
  successor.set(vocab.ids.get(NEWLINE_BYTE) ?? UNK_ID, first);
  chain.forEach((token, i) => successor.set(token, chain[i + 1] ?? (spec.loop ? first : IM_END_ID)));

  const random = seededRandom(hashString(`${spec.name}\0${spec.message}\0${dim}`));
  const embeddings = randomUnitRows(vocabSize, dim, random);
  const output = new Float32Array(vocabSize * dim);
  for (const [from, to] of successor) {
    for (let i = 0; i < dim; i++) output[to * dim + i] = (output[to * dim + i] ?? 0) + 3 * (embeddings[from * dim + i] ?? 0);
  }

  const tensors: GgufTensor[] = [
    tensor('token_embd.weight', [dim, vocabSize], embeddings),
    tensor('output_norm.weight', [dim], 'ones'),
    tensor('output.weight', [dim, vocabSize], output),
  ];
  for (let l = 0; l < spec.layers; l++) {
    tensors.push(
      tensor(`blk.${l}.attn_norm.weight`, [dim], 'ones'),
      tensor(`blk.${l}.attn_q.weight`, [dim, dim], 'fill'),
      tensor(`blk.${l}.attn_k.weight`, [dim, kvDim], 'fill'),
      tensor(`blk.${l}.attn_v.weight`, [dim, kvDim], 'fill'),
      tensor(`blk.${l}.attn_output.weight`, [dim, dim], 'zeros'),
      tensor(`blk.${l}.ffn_norm.weight`, [dim], 'ones'),
      tensor(`blk.${l}.ffn_gate.weight`, [dim, ff], 'fill'),
      tensor(`blk.${l}.ffn_up.weight`, [dim, ff], 'fill'),
      tensor(`blk.${l}.ffn_down.weight`, [ff, dim], 'zeros'),
    );
  }

  // Longer pieces score higher, so the tokenizer's merges prefer them (as SentencePiece scores do).
  const scores = vocab.texts.map((text, id) => (vocab.types[id] === NORMAL ? Array.from(text).length : 0));
  const u32 = (value: number): GgufValue => ({type: 'uint32', value});
  const metadata: Array<readonly [string, GgufValue]> = [
    ['general.architecture', {type: 'string', value: 'llama'}],
    ['general.name', {type: 'string', value: spec.name}],
    ['general.file_type', u32(0)], // all F32
  ];
  if (spec.demo ?? true) {
    metadata.push(['mai.demo', {type: 'bool', value: true}]);
    if (spec.tier) metadata.push(['mai.tier', {type: 'string', value: spec.tier}]);
    metadata.push(['mai.message', {type: 'string', value: spec.message}]);
  }
  metadata.push(
    ['llama.context_length', u32(spec.contextLength)],
    ['llama.embedding_length', u32(dim)],
    ['llama.block_count', u32(spec.layers)],
    ['llama.feed_forward_length', u32(ff)],
    ['llama.attention.head_count', u32(headCount)],
    ['llama.attention.head_count_kv', u32(headCountKv)],
    ['llama.rope.dimension_count', u32(headDim)],
    ['llama.rope.freq_base', {type: 'float32', value: 10000}],
    ['llama.attention.layer_norm_rms_epsilon', {type: 'float32', value: 1e-5}],
    ['llama.vocab_size', u32(vocabSize)],
    ['tokenizer.ggml.model', {type: 'string', value: 'llama'}],
    ['tokenizer.ggml.tokens', {type: 'string[]', value: vocab.texts}],
    ['tokenizer.ggml.scores', {type: 'float32[]', value: scores}],
    ['tokenizer.ggml.token_type', {type: 'int32[]', value: vocab.types}],
    ['tokenizer.ggml.bos_token_id', u32(BOS_ID)],
    ['tokenizer.ggml.eos_token_id', u32(IM_END_ID)],
    ['tokenizer.ggml.unknown_token_id', u32(UNK_ID)],
    ['tokenizer.ggml.add_bos_token', {type: 'bool', value: true}],
    ['tokenizer.ggml.add_eos_token', {type: 'bool', value: false}],
    ['tokenizer.chat_template', {type: 'string', value: CHATML_TEMPLATE}],
  );
  return {metadata, tensors};
}
