import {Mai, type MaiOptions} from '../mai.js';
import {note} from './output.js';
import {onStopSignals, type StopSignal, SIGNAL_EXIT_CODES} from './stop-signals.js';

// One CLI run with a Mai: SIGINT, SIGTERM and SIGHUP cancel the work, mai shuts down cleanly
// (engines stopped, log flushed), and the exit code says how it ended.

export type Session = {
  readonly mai: Mai;
  /** Aborted when the user interrupts (Ctrl+C) or the process is told to stop. */
  readonly signal: AbortSignal;
};

export async function withMai(options: MaiOptions, run: (session: Session) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  let interruptedBy: StopSignal | null = null;
  const removeHandlers = onStopSignals((signal, exitCode) => {
    // A second Ctrl+C while shutting down means "now": engines die with their parent anyway.
    if (interruptedBy) process.exit(exitCode);
    interruptedBy = signal;
    controller.abort();
  });
  let mai: Mai;
  try {
    mai = await Mai.create(options);
  } catch (error) {
    removeHandlers();
    throw error;
  }
  // Once per run, before any result: plain http to another machine, a key variable that is not set.
  for (const warning of mai.warnings) note(`mai: ${warning}`);
  try {
    const code = await run({mai, signal: controller.signal});
    return interruptedBy ? SIGNAL_EXIT_CODES[interruptedBy] : code;
  } catch (error) {
    if (interruptedBy) return SIGNAL_EXIT_CODES[interruptedBy];
    throw error;
  } finally {
    await mai.shutdown();
    removeHandlers();
  }
}
