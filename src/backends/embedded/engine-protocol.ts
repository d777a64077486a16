import type {ChatMessage, ResponseStats} from '../../domain.js';

// The typed messages between the embedded backend (parent) and an engine host (child, one loaded
// model each) over Node's IPC channel. Both sides import this file; nothing else crosses.

export type GpuChoice = 'auto' | false | 'cuda' | 'vulkan' | 'metal';

/** How the engine runs: sent first, so a host can start the engine before it knows the model. */
export type EngineSettings = {
  readonly threads: number;
  readonly gpu: GpuChoice;
};

export type LoadRequest = {
  readonly type: 'load';
  readonly path: string;
  readonly contextSize: number;
  /** Demo models use ChatML; others let node-llama-cpp resolve the file's own template. */
  readonly chatTemplate: 'chatml' | 'auto';
};

export type ParentMessage =
  | ({readonly type: 'init'} & EngineSettings)
  | LoadRequest
  | {
      readonly type: 'respond';
      readonly id: number;
      readonly messages: readonly ChatMessage[];
      readonly maxTokens: number;
      readonly temperature: number;
      /** Answer on a context of its own, leaving the conversation's cache as it is (summaries). */
      readonly isolated?: boolean;
      /** Go on from this start of the reply (written by another model before a switch). */
      readonly continueFrom?: string;
    }
  | {readonly type: 'abort'; readonly id: number}
  /** Tokens of each text, in one round trip (the context manager re-counts whole conversations). */
  | {readonly type: 'count'; readonly id: number; readonly texts: readonly string[]}
  /** Tokens of the whole prompt as the model's chat template renders it, the reply's header included. */
  | {readonly type: 'count-prompt'; readonly id: number; readonly messages: readonly ChatMessage[]}
  | {readonly type: 'ping'; readonly id: number}
  | {readonly type: 'unload'};

export type LoadedInfo = {
  readonly contextLength: number;
  /** Which GPU backend the engine ended up on (false: CPU only). */
  readonly gpu: string | false;
  readonly gpuLayers: number;
};

/**
 * What a loaded model costs the engine, measured in the host once the model is really resident
 * (after a one-token warm-up: see engine-host.ts). The estimate learns from it (src/manager/).
 */
export type EngineMemory = {
  /** The host's resident memory with the engine started and no model: the empty engine. */
  readonly baselineBytes: number;
  /** The host's resident memory with the model loaded and warmed up. */
  readonly residentBytes: number;
  /** VRAM the load took (device-wide used, after less before); 0 without a GPU. */
  readonly vramBytes: number;
};

export type HostMessage =
  /** The engine is started (node-llama-cpp imported, its binding loaded): a load is quick now. */
  | {readonly type: 'ready'}
  | {readonly type: 'init-failed'; readonly message: string}
  | {readonly type: 'progress'; readonly fraction: number}
  | ({readonly type: 'loaded'} & LoadedInfo)
  /** Follows 'loaded' once the warm-up ran (before any reply queued after it). */
  | ({readonly type: 'measured'} & EngineMemory)
  | {readonly type: 'load-failed'; readonly message: string}
  | {readonly type: 'chunk'; readonly id: number; readonly text: string}
  | {readonly type: 'done'; readonly id: number; readonly text: string; readonly stats: ResponseStats}
  | {readonly type: 'failed'; readonly id: number; readonly message: string}
  | {readonly type: 'counted'; readonly id: number; readonly tokens: readonly number[]}
  | {readonly type: 'pong'; readonly id: number; readonly rssBytes: number}
  | {readonly type: 'log'; readonly level: string; readonly message: string};
