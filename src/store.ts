import {createStore, type StoreApi} from 'zustand/vanilla';
import {createBackendsSlice, type BackendsSlice} from './store/backends.js';
import {createChatSlice, type ChatSlice} from './store/chat.js';
import {createModelsSlice, type ModelsSlice} from './store/models.js';
import {createResourcesSlice, type ResourcesSlice} from './store/resources.js';
import {createUiSlice, type UiSlice} from './store/ui.js';
import {createViewSlice, type ViewSlice} from './store/view.js';

// The one store (DESIGN.md §2), composed of typed slices (src/store/), each with its actions beside
// its state and one writer: resources (the ResourceMonitor), models (the ModelManager), backends
// (Mai), chat (the ContextManager), ui (notices from anywhere; the screen's own state), view (the TUI:
// thinking folded, search, the message being edited).
// Components read single values with narrow selectors. Arrays and objects are replaced, never
// mutated, so a selector that returns one of them re-renders only when that value changed.

export type MaiState = ResourcesSlice & ModelsSlice & BackendsSlice & ChatSlice & UiSlice & ViewSlice;
/** What a selector reads: the whole state (its actions included). */
export type State = MaiState;
export type MaiStore = StoreApi<MaiState>;

export function createMaiStore(now: () => number = Date.now): MaiStore {
  return createStore<MaiState>()((...args) => ({
    ...createResourcesSlice(...args),
    ...createModelsSlice(...args),
    ...createBackendsSlice(...args),
    ...createChatSlice(...args),
    ...createUiSlice(now)(...args),
    ...createViewSlice(...args),
  }));
}

export * from './store/resources.js';
export {SWITCHES_KEPT} from './store/models.js';
export type {ModelEntry, ModelStatus, ModelsState, SwitchKind, SwitchRecord} from './store/models.js';
export type {BackendStatus} from './store/backends.js';
export type {ChatEntry, ChatState, ContextReport, StreamingReply} from './store/chat.js';
export {latestNotice} from './store/ui.js';
export type {Notice, NoticeLevel, UiState} from './store/ui.js';
export type {SearchState, ViewState} from './store/view.js';
