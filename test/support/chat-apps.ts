import {cleanup} from 'ink-testing-library';
import {afterEach} from 'vitest';
import {Mai, type MaiOptions} from '../../src/mai.js';
import {renderChat, type ChatScreen} from './chat-screen.js';
import {createSandbox, type Sandbox} from './sandbox.js';

// The end-to-end TUI tests' one way to start the chat: a sandbox with forged models, a real Mai on
// it, the App rendered (chat-screen.tsx); everything shut down and removed after each test.

export type ChatApp = ChatScreen & {readonly mai: Mai; readonly sandbox: Sandbox};

export type ChatApps = {
  /** Starts the chat on `models`; `prepare` writes files into the sandbox before Mai reads it. */
  start(
    models: Parameters<typeof createSandbox>[0],
    options?: {readonly prepare?: (sandbox: Sandbox) => Promise<void>; readonly mai?: Partial<MaiOptions>},
  ): Promise<ChatApp>;
  /** The current test's sandbox, once started. */
  sandbox(): Sandbox | undefined;
};

/** Call once at the top of a test file: registers the clean-up after each test. */
export function chatApps(): ChatApps {
  let sandbox: Sandbox | undefined;
  const mais: Mai[] = [];
  afterEach(async () => {
    cleanup();
    await Promise.all(mais.splice(0).map((mai) => mai.shutdown()));
    await sandbox?.cleanup();
    sandbox = undefined;
  });
  return {
    async start(models, options = {}) {
      sandbox ??= await createSandbox(models);
      await options.prepare?.(sandbox);
      const mai = await Mai.create({env: sandbox.env, forgeDemoModels: false, ...options.mai});
      mais.push(mai);
      return {...renderChat(mai), mai, sandbox};
    },
    sandbox: () => sandbox,
  };
}
