// The one way a test waits for something that happens in its own time (a reply streaming in from a
// real engine, a child process exiting, a frame reaching the terminal): poll a condition until it
// holds. The timeout is only a bound for a broken run, never a timing assertion; a test that waits
// for something to NOT happen has no use for this.

export type WaitForOptions = {
  /** What is awaited, in words, for the failure message (default: the condition's source). */
  readonly what?: string;
  /** Gives up after this long; generous, because the machine is shared and slow. */
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** The state to show when it gives up (the screen, a log), read at that moment. */
  readonly detail?: () => string;
};

/** Resolves once `condition` returns true; rejects, naming what was awaited, after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, options: WaitForOptions = {}): Promise<void> {
  const {timeoutMs = 20_000, intervalMs = 20} = options;
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      const what = options.what ?? condition.toString();
      const detail = options.detail ? `\n${options.detail()}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise<void>((resolve) => setTimeout(resolve, intervalMs));
  }
}
