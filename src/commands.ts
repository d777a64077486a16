// What the TUI may ask of mai. Components dispatch these and read the store; they never reach a
// backend (DESIGN.md §2). Mai implements it.
/** A saved conversation as a picker lists it. */
export type SavedConversation = {
  readonly id: string;
  /** When it was last written to (ms since the epoch). */
  readonly updatedAt: number;
  readonly messages: number;
  /** The first line of its first message (raw: sanitize before showing). */
  readonly firstLine: string;
  /** The conversation the chat shows now (listed, marked; resuming it changes nothing). */
  readonly onScreen?: boolean;
};

export interface MaiCommands {
  /** Sends a user message; the reply streams into the store. Ignored while a reply is streaming. */
  send(text: string): void;
  // Optional so that a partial implementation (a bench or a test that drives a component alone)
  // need not grow with every feature; Mai implements both, and the TUI says so when one is missing.
  /** Writes the last reply again on the current model, replacing it. Ignored while a reply is streaming. */
  regenerate?(): void;
  /** Replaces the user message `id` (and its reply) with `text`, and sends that. */
  resend?(id: string, text: string): void;
  /** Stops the reply being generated, keeping what was written so far. */
  stop(): void;
  /** Switches to the next (+1) or previous (-1) usable model, keeping the conversation. */
  cycleModel(direction: 1 | -1): void;
  /** Turns automatic switching off or on (on also unpins a pinned model). */
  toggleAutoSwitch(): void;
  /** Switches to `key` and pins it, like Ctrl+N (the model picker); failures become notices. */
  pickModel(key: string): void;
  /** The saved conversations, the most recent first (the conversation picker). */
  listConversations(): Promise<readonly SavedConversation[]>;
  /** Continues the saved conversation `id` in place: the chat shows it, and it is saved to its own file. */
  resumeConversation(id: string): void;
  /** Shuts mai down (unloads what it loaded, flushes) and ends the process's UI. */
  quit(): void;
}
