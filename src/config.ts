// The model catalogue and policy (DESIGN.md §5): the bundled config/models.yaml, then the user's
// file merged over it, both validated so that every problem reaches the user as FILE:LINE:COL
// (`mai config --check`, exit code 2), plus the directories mai keeps its files in.
//
// The work is split by job under src/config/; this module is the public API the rest of mai imports.

export type {
  ComplexityThresholds,
  Config,
  ConfigFile,
  ContextConfig,
  EngineConfig,
  GpuSetting,
  HostConfig,
  LoadedConfig,
  MaiPaths,
  ModelConfig,
  PolicyConfig,
  PressureThresholds,
  StruggleLimits,
} from './config/types.js';
export {ConfigError, formatProblem, type ConfigProblem} from './config/config-error.js';
export {bundledConfigPath, resolvePaths} from './config/paths.js';
export {parseConfigText} from './config/parse-file.js';
export {loadConfig, type LoadConfigOptions} from './config/load.js';
export {modelConfigFor} from './config/model-key.js';
