import type {ModelBackend, ModelHandle} from './backends/backend.js';
import {resourceStatus, type ResourceStatus} from './monitor/resource-status.js';
import {LOCAL_HOST, type State, type SwitchRecord} from './store.js';
import type {HostReport} from './host-status.js';

// What `mai status` reports (Mai.getStatus): the current and loaded models, the last switch, the
// resources and each backend, assembled from the store and the backends.

export type LoadedModelStatus = {
  readonly key: string;
  readonly backend: string;
  readonly contextLength: number;
  readonly pid?: number;
  readonly residentBytes: number;
};

/** A backend in `mai status`; one in another program (LM Studio) adds where it is, its state and version. */
export type BackendReport = {
  readonly id: string;
  readonly kind: string;
  readonly available: boolean;
  readonly state?: string;
  readonly url?: string;
  readonly version?: string | null;
  readonly detail?: string | null;
};

export type MaiStatus = {
  readonly currentModel: string | null;
  readonly loaded: readonly LoadedModelStatus[];
  readonly lastSwitch: SwitchRecord | null;
  readonly resources: ResourceStatus;
  readonly backends: readonly BackendReport[];
  readonly models: number;
  /** `local` and every configured host, with state, latency and models (never a key). */
  readonly hosts?: readonly HostReport[];
};

/** Asks every backend whether it can be used now; one that fails to answer is not available. */
export function backendReports(backends: readonly ModelBackend[]): Promise<BackendReport[]> {
  return Promise.all(
    backends.map(async (backend): Promise<BackendReport> => {
      const available = await backend.available().catch(() => false);
      if (!backend.connection) return {id: backend.id, kind: backend.kind, available};
      const {state, url, version, detail} = backend.connection.status();
      return {id: backend.id, kind: backend.kind, available, state, url, version, detail};
    }),
  );
}

/** The report from a store snapshot, the loaded models with what each holds in memory, and the backends. */
export function maiStatus(
  state: State,
  loaded: readonly ModelHandle[],
  memory: Readonly<Record<string, number>>,
  backends: readonly BackendReport[],
): MaiStatus {
  return {
    currentModel: state.models.currentKey,
    loaded: loaded.map((handle) => ({
      key: handle.key,
      backend: handle.backendId,
      contextLength: handle.contextLength,
      ...(handle.pid === undefined ? {} : {pid: handle.pid}),
      residentBytes: memory[handle.key] ?? 0,
    })),
    lastSwitch: state.models.lastSwitch,
    resources: resourceStatus(state.resources[LOCAL_HOST], process.memoryUsage.rss()),
    backends,
    models: state.models.entries.length,
  };
}
