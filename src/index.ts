// The library entry: `import {Mai} from 'mai'`.
export {Mai} from './mai.js';
export type {MaiOptions, MaiStatus, Reply, ReplyOptions, ResumedConversation} from './mai.js';
export {ConversationNotFoundError, listConversations, type ConversationInfo} from './conversation/conversation-file.js';
export type {ChatEntry, ContextReport} from './store.js';
export type {ChatMessage, ModelInfo, ResponseStats, Tier} from './domain.js';
export type {ModelBackend, ModelHandle} from './backends/backend.js';
export {ModelError, type ModelErrorKind} from './backends/model-error.js';
// One per LM Studio server: pass more of them in MaiOptions.backends to use several hosts.
export {LMStudioAdapter, type LMStudioAdapterOptions, type LMStudioStatus} from './backends/lmstudio/lmstudio-adapter.js';
export {ConfigError, loadConfig, type Config} from './config.js';
