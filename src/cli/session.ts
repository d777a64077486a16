import {Mai, type MaiOptions} from '../mai.js';
import {EXIT_INTERRUPTED} from './exit-codes.js';

// One CLI run with a Mai: SIGINT, SIGTERM and SIGHUP cancel the work, mai shuts down cleanly
// (engines stopped, log flushed), and the exit code says how it ended.

const SIGNAL_EXIT_CODES: Readonly<Record<string, number>> = {SIGINT: EXIT_INTERRUPTED, SIGTERM: 143, SIGHUP: 129};

export type Session = {
  readonly mai: Mai;
  /** Aborted when the user interrupts (Ctrl+C) or the process is told to stop. */
  readonly signal: AbortSignal;
};

export async function withMai(options: MaiOptions, run: (session: Session) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  let interruptedBy: string | null = null;
  const onSignal = (name: string) => {
    // A second Ctrl+C while shutting down means "now": engines die with their parent anyway.
    if (interruptedBy) process.exit(SIGNAL_EXIT_CODES[name] ?? EXIT_INTERRUPTED);
    interruptedBy = name;
    controller.abort();
  };
  const handlers = Object.keys(SIGNAL_EXIT_CODES).map((name) => {
    const handler = () => onSignal(name);
    process.on(name, handler);
    return () => process.off(name, handler);
  });
  let mai: Mai;
  try {
    mai = await Mai.create(options);
  } catch (error) {
    for (const remove of handlers) remove();
    throw error;
  }
  try {
    const code = await run({mai, signal: controller.signal});
    return interruptedBy ? (SIGNAL_EXIT_CODES[interruptedBy] ?? EXIT_INTERRUPTED) : code;
  } catch (error) {
    if (interruptedBy) return SIGNAL_EXIT_CODES[interruptedBy] ?? EXIT_INTERRUPTED;
    throw error;
  } finally {
    await mai.shutdown();
    for (const remove of handlers) remove();
  }
}
