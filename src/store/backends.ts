import type {StateCreator} from 'zustand/vanilla';
import type {BackendKind, ConnectionState} from '../domain.js';
import type {MaiState} from '../store.js';

// The backends slice: whether each backend in another program (LM Studio, a remote host) can be
// reached, for the models panel. Its one writer is Mai, following each backend's connection.

export type BackendStatus = {
  readonly id: string;
  readonly kind: BackendKind;
  readonly state: ConnectionState;
  readonly url: string;
  readonly version: string | null;
  readonly detail: string | null;
  /** The host the backend serves (`local` for the machine mai runs on). */
  readonly host?: string;
  readonly latencyMs?: number | null;
};

export type BackendsSlice = {
  readonly backends: Readonly<Record<string, BackendStatus>>;
  setBackendStatus(status: BackendStatus): void;
};

export const createBackendsSlice: StateCreator<MaiState, [], [], BackendsSlice> = (set) => ({
  backends: {},
  setBackendStatus: (status) => set((s) => ({backends: {...s.backends, [status.id]: status}})),
});
