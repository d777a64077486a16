import {useCallback, useSyncExternalStore} from 'react';
import {useStdout} from 'ink';

export type TerminalSize = {readonly columns: number; readonly rows: number};

/** Fallbacks for a stdout that is not a terminal (a pipe, a test's fake stream). */
const DEFAULT_COLUMNS = 80;
const DEFAULT_ROWS = 24;

/** The terminal's size, re-read on every 'resize' of Ink's stdout. */
export function useTerminalSize(): TerminalSize {
  const {stdout} = useStdout();
  const subscribe = useCallback(
    (onChange: () => void) => {
      stdout.on('resize', onChange);
      return () => {
        stdout.off('resize', onChange);
      };
    },
    [stdout],
  );
  // Two numbers, not one object: a snapshot must be stable between changes.
  const columns = useSyncExternalStore(subscribe, () => stdout.columns || DEFAULT_COLUMNS);
  const rows = useSyncExternalStore(subscribe, () => stdout.rows || DEFAULT_ROWS);
  return {columns, rows};
}
