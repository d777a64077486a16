import type {StateCreator} from 'zustand/vanilla';
import type {ResponseStats, Role} from '../domain.js';
import type {MaiState} from '../store.js';

// The chat slice: the UI's view of the conversation. Its one writer is the ContextManager, which
// holds the conversation itself (and its file); the live tail alone subscribes to streaming text.

export type ChatEntry = {
  readonly id: string;
  readonly role: Role;
  readonly text: string;
  readonly at: number;
  /** The model that wrote an assistant message. */
  readonly model?: string;
  /** Cut off by Esc, Ctrl+C, a crash or a failure; the text so far is kept. */
  readonly interrupted?: boolean;
  readonly stats?: ResponseStats;
  /** The switch of model this reply followed or went through ("A → B: why"): a divider above it. */
  readonly switchedBefore?: string;
};

/** How the conversation was fitted into the current model's context: the status bar says it. */
export type ContextReport = {
  readonly model: string;
  readonly contextLength: number;
  /** Tokens of the last prompt built (exact when the backend can count a whole prompt). */
  readonly promptTokens: number;
  readonly messages: number;
  /** Messages sent in full, summarized, and left out. */
  readonly kept: number;
  readonly summarized: number;
  readonly dropped: number;
  /** The last message alone was longer than the window and was cut, with a marker. */
  readonly truncated: boolean;
  /** A summary of older turns is being written in the background. */
  readonly summarizing: boolean;
};

export type StreamingReply = {readonly id: string; readonly model: string; readonly text: string};

export type ChatState = {
  readonly messages: readonly ChatEntry[];
  readonly streaming: StreamingReply | null;
  readonly busy: boolean;
  readonly context: ContextReport | null;
};

export type ChatSlice = {
  readonly chat: ChatState;
  addMessage(entry: ChatEntry): void;
  startStreaming(reply: StreamingReply): void;
  setStreamingText(text: string): void;
  /** Moves the streaming reply into the messages, as it ended. */
  finishStreaming(entry: ChatEntry | null): void;
  setBusy(busy: boolean): void;
  replaceMessages(messages: readonly ChatEntry[]): void;
  setContextReport(report: ContextReport | null): void;
};

export const createChatSlice: StateCreator<MaiState, [], [], ChatSlice> = (set) => ({
  chat: {messages: [], streaming: null, busy: false, context: null},
  addMessage: (entry) => set((s) => ({chat: {...s.chat, messages: [...s.chat.messages, entry]}})),
  startStreaming: (reply) => set((s) => ({chat: {...s.chat, streaming: reply}})),
  setStreamingText: (text) => set((s) => (s.chat.streaming ? {chat: {...s.chat, streaming: {...s.chat.streaming, text}}} : s)),
  finishStreaming: (entry) =>
    set((s) => ({chat: {...s.chat, streaming: null, messages: entry ? [...s.chat.messages, entry] : s.chat.messages}})),
  setBusy: (busy) => set((s) => ({chat: {...s.chat, busy}})),
  replaceMessages: (messages) => set((s) => ({chat: {...s.chat, messages}})),
  setContextReport: (context) => set((s) => ({chat: {...s.chat, context}})),
});
