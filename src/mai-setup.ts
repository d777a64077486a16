import {loadConfig, modelConfigFor, type Config, type MaiPaths} from './config.js';
import {openEventLog, type EventLog} from './util/log.js';
import type {ModelBackend, ModelHandle} from './backends/backend.js';
import type {ModelSettings} from './manager/catalog.js';
import type {ReplayedConversation} from './conversation/conversation-events.js';
import {ConversationFile, findConversation} from './conversation/conversation-file.js';
import {EmbeddedBackend} from './backends/embedded/embedded-backend.js';
import type {ModelError} from './backends/model-error.js';
import {LMStudioAdapter} from './backends/lmstudio/lmstudio-adapter.js';
import type {ModelManagerOptions} from './manager/model-manager.js';
import type {ResourceSource} from './monitor/resource-monitor.js';
import {defaultThreadCount} from './backends/embedded/threads.js';
import {readPreferences} from './manager/preferences.js';
import {EstimateCorrections, estimatesFile} from './manager/estimate-corrections.js';
import type {MaiStore} from './store.js';
import {hostBackends, type HostSetup} from './host-backends.js';

// What Mai.create reads and builds before the Mai exists: the config, the event log, the default
// backends (embedded, and LM Studio when enabled) and one per configured host (host-backends.ts),
// the preferred model, a conversation to resume; and what the model manager takes from the config.

export type MaiOptions = {
  /** A config already loaded; otherwise it is loaded from `configPath` / the user's file. */
  readonly config?: Config;
  readonly paths?: MaiPaths;
  readonly configPath?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Backends to use instead of the default embedded one (tests, remote hosts). */
  readonly backends?: readonly ModelBackend[];
  readonly store?: MaiStore;
  readonly log?: EventLog;
  readonly resourceSource?: ResourceSource;
  /**
   * Pin this model (`--model`): used whenever it can run, never switched away from by mai itself;
   * else the model pinned by `mai switch`, if any.
   */
  readonly model?: string;
  /** False: mai never switches models by itself (`--no-auto-switch`); Ctrl+A turns it back on. */
  readonly autoSwitch?: boolean;
  /** A pinned model that cannot be used fails the request instead of falling back (`--strict`). */
  readonly strict?: boolean;
  /** Forge demo models when no model is found anywhere (default true). */
  readonly forgeDemoModels?: boolean;
  /** Keep an engine process started ahead of the next load, for instant switches (the TUI). */
  readonly keepSpareEngine?: boolean;
  /**
   * Continue a saved conversation: its ID (or the start of one), or true / "latest" for the most
   * recent. An ID that names none throws ConversationNotFoundError.
   */
  readonly resume?: string | true;
  /** Save the conversation under the state dir (default true). */
  readonly saveConversation?: boolean;
};

/** A saved conversation opened to be continued: its file, and what was read back from it. */
export type OpenedConversation = {readonly file: ConversationFile; readonly conversation: ReplayedConversation};

export type MaiSetup = {
  readonly config: Config;
  readonly paths: MaiPaths;
  readonly log: EventLog;
  readonly backends: readonly ModelBackend[];
  readonly preferredModel: string | null;
  readonly resumed: OpenedConversation | null;
  readonly corrections: EstimateCorrections;
  /** The config's other machines, by priority (none when `backends` was given). */
  readonly hosts: readonly HostSetup[];
  /** Said once per run: plain http to another machine, a key variable that is not set. */
  readonly warnings: readonly string[];
};

const GiB = 1024 ** 3;
/** A model mai loaded in LM Studio is unloaded by LM Studio after an hour unused, should mai be killed. */
const LMSTUDIO_IDLE_UNLOAD_SECONDS = 3600;

/**
 * Everything a Mai is built from. `onModelLost` hears when an engine of the default embedded
 * backend dies: the backend is built before the Mai that must hear it.
 */
export async function loadMaiSetup(options: MaiOptions, onModelLost: (handle: ModelHandle, error: ModelError) => void): Promise<MaiSetup> {
  const loaded =
    options.config && options.paths
      ? {config: options.config, paths: options.paths}
      : await loadConfig({...(options.configPath ? {configPath: options.configPath} : {}), ...(options.env ? {env: options.env} : {})});
  const {config, paths} = loaded;
  // Found before anything is opened: an unknown ID then leaves nothing behind to close.
  const resumed =
    options.resume === undefined
      ? null
      : await ConversationFile.open(paths.conversationsDir, await findConversation(paths.conversationsDir, options.resume === true ? undefined : options.resume));
  const log = options.log ?? openEventLog(paths.logFile);
  const remote = options.backends ? {backends: [], hosts: [], warnings: []} : await hostBackends(config, options.env ?? process.env, log);
  const backends = options.backends ?? [...defaultBackends(config, log, options.keepSpareEngine ?? false, onModelLost), ...remote.backends];
  const preferredModel = options.model ?? (await readPreferences(paths.stateDir)).preferredModel ?? null;
  const corrections = await EstimateCorrections.open(estimatesFile(paths.stateDir), log);
  return {config, paths, log, backends, preferredModel, resumed, corrections, hosts: remote.hosts, warnings: remote.warnings};
}

/** The embedded engine, and LM Studio when the config enables it; engine and SDK warnings go to the log. */
function defaultBackends(
  config: Config,
  log: EventLog,
  keepSpareEngine: boolean,
  onModelLost: (handle: ModelHandle, error: ModelError) => void,
): ModelBackend[] {
  return [
    new EmbeddedBackend({
      modelDirs: config.modelDirs,
      threads: config.engine.threads === 'auto' ? defaultThreadCount() : config.engine.threads,
      gpu: config.engine.gpu,
      keepSpareEngine,
      maxTokens: config.engine.maxTokens,
      temperature: config.engine.temperature,
      onLog: (model, level, message) => {
        if (level === 'error' || level === 'warn') log.warn('engine-log', {model, level, message});
      },
      onModelLost,
    }),
    ...(config.lmstudio.enabled
      ? [
          new LMStudioAdapter({
            url: config.lmstudio.url,
            maxTokens: config.engine.maxTokens,
            temperature: config.engine.temperature,
            idleUnloadSeconds: LMSTUDIO_IDLE_UNLOAD_SECONDS,
            onLog: (level, message) => {
              if (level !== 'debug') log.warn('lmstudio-log', {sdkLevel: level, message});
            },
          }),
        ]
      : []),
  ];
}

/** What the model manager takes from the config: per-model settings, the default context, the memory kept free, retries. */
export function modelManagerSettings(
  config: Config,
): Pick<ModelManagerOptions, 'settingsFor' | 'contextLength' | 'headroomBytes' | 'retries' | 'fallbackChains' | 'struggle'> {
  return {
    settingsFor: settingsLookup(config),
    contextLength: config.engine.contextLength,
    headroomBytes: config.policy.memoryHeadroomGb * GiB,
    retries: config.policy.retries,
    fallbackChains: config.fallbackChains,
    struggle: config.policy.struggle,
  };
}

function settingsLookup(config: Config): (key: string) => ModelSettings | undefined {
  return (key) => {
    const entry = modelConfigFor(config, key);
    if (!entry) return undefined;
    return {
      ...(entry.tier ? {tier: entry.tier} : {}),
      ...(entry.contextLength ? {contextLength: entry.contextLength} : {}),
      ...(entry.minFreeRamGb ? {minFreeRamBytes: entry.minFreeRamGb * GiB} : {}),
      ...(entry.backend ? {backend: entry.backend} : {}),
    };
  };
}
