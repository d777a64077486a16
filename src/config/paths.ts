// The directories mai keeps its files in, `~` expansion, and where the bundled config lives.

import {existsSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import type {MaiPaths} from './types.js';

export function homeDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  // os.homedir() returns HOME as it is, also when it is set but empty: mai would then write its
  // files relative to the current directory. The account's home from the password file is safe.
  return (platform === 'win32' ? env.USERPROFILE : env.HOME) || os.homedir() || os.userInfo().homedir;
}

/**
 * The XDG layout (also on macOS, as terminal tools there do: ~/.config/mai, ~/.local/share/mai,
 * ~/.local/state/mai), and env-paths 4's layout on Windows; computed from `env` instead of the
 * process: env-paths reads process.env and the home dir once, when it is imported.
 */
export function resolvePaths(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): MaiPaths {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const home = homeDir(env, platform);
  let configDir: string, dataDir: string, stateDir: string;
  if (platform === 'win32') {
    const roaming = env.APPDATA || p.join(home, 'AppData', 'Roaming');
    const local = env.LOCALAPPDATA || p.join(home, 'AppData', 'Local');
    configDir = p.join(roaming, 'mai', 'Config');
    dataDir = p.join(local, 'mai', 'Data');
    stateDir = p.join(local, 'mai', 'Log');
  } else {
    // The XDG spec says a relative value is invalid and must be ignored (env-paths would use it).
    const xdg = (name: string, fallback: string[]) => {
      const value = env[name];
      return value && p.isAbsolute(value) ? value : p.join(home, ...fallback);
    };
    configDir = p.join(xdg('XDG_CONFIG_HOME', ['.config']), 'mai');
    dataDir = p.join(xdg('XDG_DATA_HOME', ['.local', 'share']), 'mai');
    stateDir = p.join(xdg('XDG_STATE_HOME', ['.local', 'state']), 'mai');
  }
  return {
    configDir,
    configFile: p.join(configDir, 'models.yaml'),
    dataDir,
    stateDir,
    modelsDir: p.join(dataDir, 'models'),
    conversationsDir: p.join(stateDir, 'conversations'),
    logFile: p.join(stateDir, 'events.jsonl'),
  };
}

/** `~` and `~/…` become the home dir; a relative path is taken relative to `baseDir`. */
export function expandPath(text: string, home: string, baseDir: string): string {
  const expanded = text === '~' ? home : /^~[/\\]/.test(text) ? path.join(home, text.slice(2)) : text;
  return path.resolve(baseDir, expanded);
}

/** config/models.yaml at the repository root, from src/config/paths.ts or from dist/src/config/paths.js. */
export function bundledConfigPath(): string {
  const candidates = ['../../config/models.yaml', '../../../config/models.yaml'].map((relative) =>
    fileURLToPath(new URL(relative, import.meta.url)),
  );
  return candidates.find((candidate) => existsSync(candidate)) ?? (candidates[0] as string);
}
