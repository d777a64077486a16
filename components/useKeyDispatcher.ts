import {useEffect, useLayoutEffect, useRef} from 'react';
import {useStdin} from 'ink';
import type {KeyEvent} from './input/key-event.js';
import {createKeyParser} from './input/parse-keys.js';
import {joinUnbracketedPaste} from './input/unbracketed-paste.js';
import type {KeyHandler} from './keys.js';

/**
 * How long a lone ESC waits for the rest of an escape sequence before it is the Esc key. A sequence
 * the tty or a link cut in two arrives within a few ms; 50 ms is under what a person notices
 * (vim's ttimeoutlen is 100 ms) and long enough for an ssh link's gap between two packets.
 */
export const ESCAPE_WAIT_MS = 50;

/**
 * The app's one source of keys (STYLE.md 6): Ink's raw input, through mai's key parser, to
 * `layers`, asked in order, highest priority first (the App passes overlay, composer, global),
 * until one returns true. Every key of a read counts: 100 Ctrl+N in one read are 100 keys.
 *
 * Not Ink's useInput, which hands a read of several keys over as one input. Ink 6.8's App reads
 * stdin itself (it must, to keep Ctrl+C and focus working) and emits what it read on the stdin
 * context's `internal_eventEmitter` as 'input' events; it only splits a read before each ESC, so
 * concatenated the events are the raw stream, which the parser reassembles. Nothing else in mai
 * listens to stdin, so no key is handled twice. Raw mode is asked for here as useInput would.
 *
 * The listener is attached once; the layers (which change as their state changes) are read from a
 * ref, so no key can arrive between a detach and a re-attach and be lost.
 */
export function useKeyDispatcher(layers: readonly KeyHandler[]): void {
  const latest = useRef(layers);
  useLayoutEffect(() => {
    latest.current = layers;
  });
  const {internal_eventEmitter: emitter, setRawMode, isRawModeSupported} = useStdin();

  useEffect(() => {
    if (!isRawModeSupported) return;
    setRawMode(true);
    return () => setRawMode(false);
  }, [isRawModeSupported, setRawMode]);

  useEffect(() => {
    const parser = createKeyParser();
    let escapeTimer: ReturnType<typeof setTimeout> | undefined;
    const deliver = (events: readonly KeyEvent[]) => {
      for (const event of events) {
        for (const handler of latest.current) {
          if (handler(event)) break;
        }
      }
    };
    const onInput = (chunk: string) => {
      clearTimeout(escapeTimer);
      deliver(joinUnbracketedPaste(parser.feed(chunk)));
      if (parser.holding()) escapeTimer = setTimeout(() => deliver(parser.flush()), ESCAPE_WAIT_MS);
    };
    emitter.on('input', onInput);
    return () => {
      clearTimeout(escapeTimer);
      emitter.off('input', onInput);
    };
  }, [emitter]);
}
