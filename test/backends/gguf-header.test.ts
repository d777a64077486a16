import {truncate, writeFile, copyFile, mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {GgufFileType, readGgufFileInfo} from 'node-llama-cpp';
import {afterAll, beforeAll, describe, expect, inject, it} from 'vitest';
import {fileTypeName, readGgufHeader} from '../../src/backends/embedded/gguf-header.js';
import {readModelInfo} from '../../src/backends/embedded/gguf-files.js';
import {TEST_MODEL_KEYS, testModelPath} from '../support/models.js';

// mai reads GGUF headers itself (the chat's UI process never imports node-llama-cpp); node-llama-cpp's
// own reader is the reference it must agree with, on every forged model.

const modelDir = inject('modelDir');
const SKIPPED = ['tokenizer.ggml.tokens', 'tokenizer.ggml.scores', 'tokenizer.ggml.token_type', 'tokenizer.ggml.merges'];
const GGUF_MODELS = TEST_MODEL_KEYS.filter((key) => key !== 'garbage');

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'mai-gguf-'));
});
afterAll(async () => {
  await rm(scratch, {recursive: true, force: true});
});

describe('readGgufHeader', () => {
  it.each(GGUF_MODELS)('reads %s as node-llama-cpp does: metadata, tensors and where the data starts', async (key) => {
    const file = testModelPath(modelDir, key);
    const mine = await readGgufHeader(file, SKIPPED);
    const theirs = await readGgufFileInfo(file, {logWarnings: false, ignoreKeys: SKIPPED});
    expect(mine.version).toBe(theirs.version);
    expect(mine.metadata).toEqual(JSON.parse(JSON.stringify(theirs.metadata)));
    expect(mine.dataOffset).toBe(theirs.infoEndOffset);
    const tensors = theirs.fullTensorInfo ?? theirs.tensorInfo ?? [];
    expect(mine.tensors).toEqual(
      tensors.map((tensor) => ({name: tensor.name, dimensions: tensor.dimensions.map(Number), ggmlType: tensor.ggmlType, fileOffset: Number(tensor.fileOffset)})),
    );
  });

  it('keeps the vocabulary when it is not skipped', async () => {
    const file = testModelPath(modelDir, 'tiny');
    const mine = await readGgufHeader(file);
    const theirs = await readGgufFileInfo(file, {logWarnings: false});
    expect((mine.metadata.tokenizer as {ggml: {tokens: string[]}}).ggml.tokens).toEqual(theirs.metadata.tokenizer.ggml.tokens);
  });

  it('names every file type as node-llama-cpp does', () => {
    for (const [name, value] of Object.entries(GgufFileType)) {
      if (typeof value === 'number') expect(fileTypeName(value)).toBe(name);
    }
  });

  it('says why a file is not a whole GGUF header', async () => {
    const notGguf = path.join(scratch, 'notes.gguf');
    await writeFile(notGguf, 'these are my notes, not a model\n');
    await expect(readGgufHeader(notGguf)).rejects.toThrow('it does not start with "GGUF": not a GGUF file');
    const cut = path.join(scratch, 'cut.gguf');
    await copyFile(testModelPath(modelDir, 'tiny'), cut);
    await truncate(cut, 200);
    await expect(readGgufHeader(cut)).rejects.toThrow('its header is cut short: the file ends at byte 200');
    const empty = path.join(scratch, 'empty.gguf');
    await writeFile(empty, '');
    await expect(readGgufHeader(empty)).rejects.toThrow('not a GGUF file');
  });

  it('reports a file cut inside its header as not readable, and one cut in its data as truncated', async () => {
    const cut = path.join(scratch, 'cut-header.gguf');
    await copyFile(testModelPath(modelDir, 'tiny'), cut);
    await truncate(cut, 200);
    expect((await readModelInfo(cut, 'embedded')).unusable).toBe('not a readable GGUF model: its header is cut short: the file ends at byte 200');
    expect((await readModelInfo(testModelPath(modelDir, 'truncated'), 'embedded')).unusable).toMatch(/^truncated: test-truncated.gguf has .* of the .* its tensors need/);
  });
});
