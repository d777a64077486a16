// What the TUI may ask of mai. Components dispatch these and read the store; they never reach a
// backend (DESIGN.md §2). Mai implements it.
export interface MaiCommands {
  /** Sends a user message; the reply streams into the store. Ignored while a reply is streaming. */
  send(text: string): void;
  /** Stops the reply being generated, keeping what was written so far. */
  stop(): void;
  /** Switches to the next (+1) or previous (-1) usable model, keeping the conversation. */
  cycleModel(direction: 1 | -1): void;
  /** Turns automatic switching off or on (on also unpins a pinned model). */
  toggleAutoSwitch(): void;
  /** Shuts mai down (unloads what it loaded, flushes) and ends the process's UI. */
  quit(): void;
}
