import type {Config, HostConfig} from './config.js';
import type {ModelBackend} from './backends/backend.js';
import {LMStudioAdapter} from './backends/lmstudio/lmstudio-adapter.js';
import {isLoopback} from './backends/lmstudio/lmstudio-probe.js';
import type {EventLog} from './util/log.js';

// The backends of the config's `hosts:` (DESIGN.md §9): one instance per host, never shared, each a
// pool of its own. Another LM Studio is one more LMStudioAdapter on the host's URL; any other
// server speaks the OpenAI-compatible API. A host's key is read from the variable the config names,
// here and nowhere else, and handed to its backend only.

/** A host as the rest of mai knows it: never its key. */
export type HostSetup = {
  readonly name: string;
  readonly kind: HostConfig['kind'];
  readonly url: string;
  readonly backendId: string;
  readonly priority: number;
  readonly maxTier?: HostConfig['limits']['maxTier'];
  readonly tlsVerify: boolean;
  /** Whether a key is sent (its variable was set); the key itself stays in the backend. */
  readonly keyed: boolean;
};

export type HostBackends = {
  readonly backends: readonly ModelBackend[];
  readonly hosts: readonly HostSetup[];
  /** One line each, for stderr in the CLI and a notice in the TUI, once per run. */
  readonly warnings: readonly string[];
};

/** Plain http:// or ws:// to another machine: the conversation crosses the network readable by anyone on the way. */
export function unencryptedWarning(host: Pick<HostConfig, 'name' | 'url'>): string | null {
  if (!/^(http|ws):/i.test(host.url) || isLoopback(host.url)) return null;
  return `${host.name}: ${host.url} is not encrypted: your conversation crosses the network readable by anyone on the way (use https:// where the host offers it)`;
}

/** Higher priority first; equal priorities keep the order of the file. */
function byPriority(hosts: readonly HostConfig[]): HostConfig[] {
  return hosts.map((host, index) => ({host, index})).sort((a, b) => b.host.priority - a.host.priority || a.index - b.index).map(({host}) => host);
}

export async function hostBackends(config: Config, env: NodeJS.ProcessEnv, log: EventLog): Promise<HostBackends> {
  // The OpenAI client (160 KB of code) loads only for a config that has such a host.
  const {OpenAIBackend} = config.hosts.some((host) => host.kind === 'openai') ? await import('./backends/openai/openai-backend.js') : {OpenAIBackend: undefined};
  const warnings: string[] = [];
  const backends: ModelBackend[] = [];
  const hosts: HostSetup[] = [];
  for (const host of byPriority(config.hosts)) {
    const unencrypted = unencryptedWarning(host);
    if (unencrypted) warnings.push(unencrypted);
    const key = host.apiKeyEnv ? env[host.apiKeyEnv]?.trim() : undefined;
    if (host.apiKeyEnv && !key) warnings.push(`${host.name}: ${host.apiKeyEnv} is not set; asking ${host.name} without a key`);
    const backendId = `${host.kind}:${host.name}`;
    if (host.kind === 'lmstudio') {
      // @lmstudio/sdk 1.5.0 takes no key and no TLS options of ours: say so rather than ignore the setting.
      if (host.apiKeyEnv) warnings.push(`${host.name}: LM Studio takes no key; api_key_env is not used`);
      if (!host.tlsVerify) warnings.push(`${host.name}: tls_verify: false is not supported for LM Studio hosts; certificates are verified`);
      backends.push(
        new LMStudioAdapter({
          id: backendId,
          host: host.name,
          url: host.url,
          maxTokens: config.engine.maxTokens,
          temperature: config.engine.temperature,
          // A model mai loaded on another machine is given back there after an hour unused, should mai be killed.
          idleUnloadSeconds: 3600,
          onLog: (level, message) => {
            if (level !== 'debug') log.warn('lmstudio-log', {host: host.name, sdkLevel: level, message});
          },
        }),
      );
    } else if (OpenAIBackend) {
      backends.push(
        new OpenAIBackend({
          id: backendId,
          host: host.name,
          baseURL: host.url,
          ...(key ? {apiKey: key} : {}),
          ...(host.apiKeyEnv ? {apiKeyVar: host.apiKeyEnv} : {}),
          tlsVerify: host.tlsVerify,
          log,
          maxTokens: config.engine.maxTokens,
          temperature: config.engine.temperature,
        }),
      );
    }
    hosts.push({
      name: host.name,
      kind: host.kind,
      url: host.url,
      backendId,
      priority: host.priority,
      ...(host.limits.maxTier ? {maxTier: host.limits.maxTier} : {}),
      tlsVerify: host.tlsVerify,
      keyed: Boolean(key),
    });
  }
  return {backends, hosts, warnings};
}
