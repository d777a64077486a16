import {EXIT_HANGUP, EXIT_INTERRUPTED, EXIT_TERMINATED} from './exit-codes.js';

// The signals that stop mai and the exit code each one ends it with: one map for every command
// (`mai chat`, `mai ask`, `mai status --watch`…), so they all end the same way.

export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

export const SIGNAL_EXIT_CODES: Readonly<Record<StopSignal, number>> = {
  SIGINT: EXIT_INTERRUPTED,
  SIGTERM: EXIT_TERMINATED,
  SIGHUP: EXIT_HANGUP,
};

const STOP_SIGNALS = Object.keys(SIGNAL_EXIT_CODES) as StopSignal[];

/** Calls `handler` on each stop signal, instead of Node's default (dying at once); returns the undo. */
export function onStopSignals(handler: (signal: StopSignal, exitCode: number) => void): () => void {
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = () => handler(signal, SIGNAL_EXIT_CODES[signal]);
    process.on(signal, listener);
    return () => process.off(signal, listener);
  });
  return () => listeners.forEach((off) => off());
}

/**
 * Ends the process by a hangup, as a hangup's default action would: for a terminal that is gone,
 * where exiting normally would have Node reset the terminal's mode on the way out, which fails an
 * assertion in Node (ResetStdio) and aborts the process.
 */
export function endByHangup(): void {
  for (const signal of STOP_SIGNALS) process.removeAllListeners(signal);
  process.kill(process.pid, 'SIGHUP');
}
