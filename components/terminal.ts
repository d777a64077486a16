import {createContext, useContext, useMemo} from 'react';
import {useStdout} from 'ink';

// The terminal itself, beside the frames Ink draws: bytes that are not a picture (the clipboard's
// OSC 52) and leaving the screen for another program (an editor) and coming back. runTui provides
// the real one; without it (ink-testing-library, a bench) bytes go to Ink's stdout as they are and
// nothing needs leaving.

export type Terminal = {
  /** Writes control bytes straight to the terminal, between two frames. */
  write(data: string): void;
  /** Gives the terminal to `run` (main screen, cooked mode, no mouse), then takes it back and redraws. */
  suspend<T>(run: () => T): T;
};

export const TerminalContext = createContext<Terminal | null>(null);

export function useTerminal(): Terminal {
  const provided = useContext(TerminalContext);
  const {stdout} = useStdout();
  return useMemo(() => provided ?? {write: (data) => void stdout.write(data), suspend: (run) => run()}, [provided, stdout]);
}
