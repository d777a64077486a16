import type {HostSetup} from './host-backends.js';
import {healthOf, LOCAL, type HostHealth, type HostPool} from './manager/policy/hosts.js';
import type {ConnectionState, Tier} from './domain.js';
import type {State} from './store.js';

// Where each host stands, from the store (DESIGN.md §9): for the policy (a HostPool) and for
// `mai hosts` / `mai status` (HostReport). Pure: the store's backends slice and the models slice
// hold every fact, Mai follows the connections that write them.

export type HostModelReport = {
  readonly key: string;
  readonly tier: Tier;
  /** The last reply's speed on this host, when mai has had one. */
  readonly tokensPerSecond: number | null;
};

export type HostReport = {
  readonly name: string;
  /** `local` is the machine mai runs on. */
  readonly kind: 'local' | HostSetup['kind'];
  /** The backend that serves the host (null for `local`, which has several). */
  readonly backendId: string | null;
  readonly url: string | null;
  readonly state: HostHealth;
  /** The connection as its backend reports it (null for `local`). */
  readonly connection: ConnectionState | null;
  readonly latencyMs: number | null;
  readonly priority: number | null;
  readonly maxTier: Tier | null;
  readonly tlsVerify: boolean | null;
  /** Whether a key is sent (never the key, nor where it is kept). */
  readonly keyed: boolean;
  readonly detail: string | null;
  readonly models: readonly HostModelReport[];
};

/** Speeds by `host/model`, as Mai measured them from replies. */
export type HostSpeeds = ReadonlyMap<string, number>;
export const speedKey = (host: string, model: string) => `${host}/${model}`;

function localUnderPressure(state: State): boolean {
  const pressure = state.resources[LOCAL]?.pressure;
  return pressure !== undefined && (pressure.ram !== 'ok' || pressure.vram !== 'ok');
}

/** What the policy knows of every host; undefined without hosts, so that local-only choices stay as they were. */
export function hostPool(state: State, hosts: readonly HostSetup[]): HostPool | undefined {
  if (hosts.length === 0) return undefined;
  const pool: Record<string, HostPool[string]> = {[LOCAL]: {health: 'up', underPressure: localUnderPressure(state)}};
  for (const host of hosts) {
    const status = state.backends[host.backendId];
    pool[host.name] = {
      health: healthOf(status?.state),
      priority: host.priority,
      latencyMs: status?.latencyMs ?? null,
      ...(host.maxTier ? {maxTier: host.maxTier} : {}),
    };
  }
  return pool;
}

/** Every model a host can run: those it runs first, and those it is a further source of. */
function modelsOn(state: State, host: string, speeds: HostSpeeds): HostModelReport[] {
  return state.models.entries
    .filter((entry) => (entry.sources?.length ? entry.sources.some((source) => (source.host ?? LOCAL) === host) : (entry.host ?? LOCAL) === host))
    .map((entry) => ({key: entry.key, tier: entry.tier, tokensPerSecond: speeds.get(speedKey(host, entry.key)) ?? null}));
}

/** `local` first, then the hosts by priority. */
export function hostReports(state: State, hosts: readonly HostSetup[], speeds: HostSpeeds): HostReport[] {
  const local: HostReport = {
    name: LOCAL,
    kind: 'local',
    backendId: null,
    url: null,
    state: 'up',
    connection: null,
    latencyMs: null,
    priority: null,
    maxTier: null,
    tlsVerify: null,
    keyed: false,
    detail: localUnderPressure(state) ? 'memory under pressure: models on other hosts go first' : null,
    models: modelsOn(state, LOCAL, speeds),
  };
  return [
    local,
    ...hosts.map((host): HostReport => {
      const status = state.backends[host.backendId];
      return {
        name: host.name,
        kind: host.kind,
        backendId: host.backendId,
        url: host.url,
        state: healthOf(status?.state),
        connection: status?.state ?? null,
        latencyMs: status?.latencyMs ?? null,
        priority: host.priority,
        maxTier: host.maxTier ?? null,
        tlsVerify: host.tlsVerify,
        keyed: host.keyed,
        detail: status?.detail ?? null,
        models: modelsOn(state, host.name, speeds),
      };
    }),
  ];
}
