// The effective config: the bundled file, the user's file merged over it, then the environment.

import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {ConfigError, type ConfigProblem} from './config-error.js';
import {findings} from './locate-problems.js';
import {locateMerged, mergeData} from './merge.js';
import {parseConfigText} from './parse-file.js';
import {bundledConfigPath, expandPath, homeDir, resolvePaths} from './paths.js';
import type {Data} from './plain-data.js';
import {configSchema, lmstudioUrl, lmstudioUrlWhat, PARSE_ONCE} from './schema.js';
import type {Config, ConfigFile, LoadedConfig, MaiPaths} from './types.js';

export type LoadConfigOptions = {
  /** `--config PATH`: read instead of the user's config file, and it must exist. */
  readonly configPath?: string;
  /** The environment to take paths and overrides from (process.env by default). */
  readonly env?: NodeJS.ProcessEnv;
};

/** The file's text; undefined for an optional file that does not exist. */
async function readText(filePath: string, role: 'bundled' | 'given' | 'optional'): Promise<string | undefined> {
  try {
    return await readFile(filePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && role === 'optional') return undefined;
    const what = role === 'given' ? 'the config file given with --config' : role === 'bundled' ? "mai's bundled config" : 'the config file';
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new ConfigError([{source: filePath, message: `cannot read ${what}: ${why}`}]);
  }
}

/** model_dirs with `~` expanded and relative paths taken relative to the file that lists them. */
function withAbsoluteDirs(file: ConfigFile, home: string): Data {
  const dirs = file.data.model_dirs;
  if (!Array.isArray(dirs)) return file.data;
  const baseDir = path.dirname(path.resolve(file.path));
  return {...file.data, model_dirs: dirs.map((dir) => expandPath(String(dir), home, baseDir))};
}

/** MAI_MODELS_DIR (a path list) and the data dir appended to model_dirs; LMSTUDIO_URL over lmstudio.url. */
function applyEnvironment(config: Config, env: NodeJS.ProcessEnv, paths: MaiPaths, home: string): Config {
  const fromEnv = (env.MAI_MODELS_DIR ?? '')
    .split(path.delimiter)
    .filter((dir) => dir.trim() !== '')
    .map((dir) => expandPath(dir.trim(), home, process.cwd()));
  const modelDirs = [...new Set([...config.modelDirs, ...fromEnv, paths.modelsDir])];
  const url = env.LMSTUDIO_URL?.trim();
  if (!url) return {...config, modelDirs};
  const parsed = lmstudioUrl.safeParse(url);
  if (!parsed.success) {
    throw new ConfigError([{source: 'LMSTUDIO_URL (environment)', message: `expected ${lmstudioUrlWhat}, got ${JSON.stringify(url)}`}]);
  }
  return {...config, modelDirs, lmstudio: {...config.lmstudio, url: parsed.data}};
}

/**
 * The effective config: the bundled file, the user's file (`configPath`, else `paths.configFile`
 * when it exists) over it, then MAI_MODELS_DIR and the data dir appended to model_dirs and
 * LMSTUDIO_URL over lmstudio.url. Throws ConfigError (exit code 2) when anything is wrong.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const paths = resolvePaths(env);
  const home = homeDir(env, process.platform);
  const bundled = bundledConfigPath();
  const userPath = options.configPath === undefined ? paths.configFile : path.resolve(options.configPath);
  const texts: [string, string | undefined][] = [
    [bundled, await readText(bundled, 'bundled')],
    [userPath, await readText(userPath, options.configPath === undefined ? 'optional' : 'given')],
  ];

  // Both files are checked before giving up, so that one run reports the problems of each.
  const files: ConfigFile[] = [];
  const problems: ConfigProblem[] = [];
  for (const [filePath, text] of texts) {
    if (text === undefined) continue;
    try {
      files.push(parseConfigText(text, filePath));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const merged = files.map((file) => withAbsoluteDirs(file, home)).reduce(mergeData);
  const result = configSchema.safeParse(merged, PARSE_ONCE);
  if (!result.success) {
    throw new ConfigError(findings(result.error.issues, merged).map((finding) => locateMerged(files, merged, finding)));
  }
  return {config: applyEnvironment(result.data, env, paths, home), paths, sources: files.map((file) => file.path)};
}
