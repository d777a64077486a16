import {createServer} from 'node:net';
import path from 'node:path';

// What makes a HOME of mai's its own, for tests (sandbox.ts) and benchmarks alike (no vitest here):
// its own XDG dirs, its own models, and LM Studio at an address where nothing listens.

/**
 * A URL where nothing listens (a port the OS just handed out, then closed): LM Studio "not running",
 * so that no test or benchmark ever talks to a real LM Studio on the machine.
 */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as {port: number};
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `ws://127.0.0.1:${port}`;
}

/** The environment of a mai whose HOME is `home` and whose only models are in `modelDir`. */
export function isolatedEnv(home: string, modelDir: string, lmstudioUrl: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    MAI_MODELS_DIR: modelDir,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.local/share'),
    XDG_STATE_HOME: path.join(home, '.local/state'),
    LMSTUDIO_URL: lmstudioUrl,
  };
}
