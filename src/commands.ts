// What the TUI may ask of mai. Components dispatch these and read the store; they never reach a
// backend (DESIGN.md §2). Mai implements it.
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
  /** Shuts mai down (unloads what it loaded, flushes) and ends the process's UI. */
  quit(): void;
}
