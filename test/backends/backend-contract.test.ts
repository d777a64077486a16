import {describe} from 'vitest';
import {EmbeddedBackend} from '../../src/backends/embedded/embedded-backend.js';
import {LMStudioAdapter} from '../../src/backends/lmstudio/lmstudio-adapter.js';
import {OpenAIBackend} from '../../src/backends/openai/openai-backend.js';
import {registerBackendContract, type ContractSubject} from '../support/backend-contract.js';
import {expectNoCommunicationWarnings, startLMStudio} from '../support/lmstudio.js';
import {startOpenAIServer} from '../support/openai-server.js';
import {createSandbox} from '../support/sandbox.js';

// The ModelBackend contract, the same scenarios on every backend mai has: the embedded engine on
// forged GGUF files, the LM Studio adapter (the real SDK) talking to the LM Studio emulator, and the
// OpenAI-compatible backend (the official openai client) talking to the OpenAI test server.

const embedded: ContractSubject = {
  name: 'embedded backend',
  start: async (models) => {
    const sandbox = await createSandbox(models);
    const backend = new EmbeddedBackend({modelDirs: [sandbox.modelDir], threads: 1, gpu: false, maxTokens: 256, temperature: 0.7});
    return {
      backend,
      stop: async () => {
        await backend.dispose();
        await sandbox.cleanup();
      },
    };
  },
};

// Timeouts that only a broken connection can reach (none is a timing assertion).
const SLOW = {callMs: 30_000, loadIdleMs: 30_000, firstFragmentMs: 30_000, fragmentIdleMs: 30_000, cancelGraceMs: 10_000, probeMs: 5_000};

const lmStudio: ContractSubject = {
  name: 'LM Studio adapter',
  start: async (models) => {
    const lmstudio = await startLMStudio(models);
    const backend = new LMStudioAdapter({
      url: lmstudio.emulator.url,
      maxTokens: 256,
      temperature: 0.7,
      timeouts: SLOW,
      reconnectMs: {initial: 50, max: 200},
    });
    return {
      backend,
      afterScenario: () => expectNoCommunicationWarnings(lmstudio.emulator),
      stop: async () => {
        await backend.dispose();
        await lmstudio.close();
      },
    };
  },
};

const openAI: ContractSubject = {
  name: 'OpenAI-compatible backend',
  ownsLoads: false,
  start: async (models) => {
    // Loaded at start, as llama-server does: a lazy load would count against the first token's wait.
    const server = await startOpenAIServer({models, preload: true});
    const backend = new OpenAIBackend({
      id: 'openai:contract',
      host: 'contract',
      baseURL: server.url,
      maxTokens: 256,
      temperature: 0.7,
      timeouts: {connectMs: 30_000, firstTokenMs: 30_000, betweenChunksMs: 30_000},
    });
    return {
      backend,
      stop: async () => {
        await backend.dispose();
        await server.close();
      },
    };
  },
};

describe.each([embedded, lmStudio, openAI])('ModelBackend contract: $name', (subject) => registerBackendContract(subject));
