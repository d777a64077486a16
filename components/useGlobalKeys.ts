import {useCallback} from 'react';
import {useStdout} from 'ink';
import type {MaiCommands} from '../src/commands.js';
import type {MaiStore} from '../src/store.js';
import {matches, type KeyHandler} from './keys.js';
import {scrollLimit} from './MessageLines.js';

/**
 * Ctrl+L: clear the screen and home the cursor, written through Ink's own stdout writer, which
 * erases its last frame, writes this and then writes the whole last frame again: a full redraw that
 * repairs whatever another program scribbled over the screen, without a React re-render.
 */
export const CLEAR_SCREEN = '\u001b[2J\u001b[H';

export type GlobalKeysOptions = {
  readonly store: MaiStore;
  readonly commands: MaiCommands;
  /** The chat pane's text area: a page of scrolling and how far up the chat can go. */
  readonly chatColumns: number;
  readonly chatRows: number;
  readonly onQuitPress: () => void;
};

/** The lowest layer of the key dispatcher: keys that mean the same wherever the user is. */
export function useGlobalKeys({store, commands, chatColumns, chatRows, onQuitPress}: GlobalKeysOptions): KeyHandler {
  const {write} = useStdout();
  return useCallback(
    (event) => {
      if (matches('quit', event)) {
        onQuitPress();
      } else if (matches('stop', event)) {
        commands.stop();
      } else if (matches('nextModel', event)) {
        commands.cycleModel(1);
      } else if (matches('prevModel', event)) {
        commands.cycleModel(-1);
      } else if (matches('autoSwitch', event)) {
        commands.toggleAutoSwitch();
      } else if (matches('scrollUp', event) || matches('scrollDown', event)) {
        const {chat, ui, view, scrollBy} = store.getState();
        // A page is what the scrolled pane shows (one row goes to its "newer below" line) less one
        // line kept from the previous page for context.
        const page = Math.max(1, chatRows - 2);
        // The limit is looked for only a page above where the chat is: a long chat is not re-measured.
        scrollBy(matches('scrollUp', event) ? page : -page, scrollLimit(chat.messages, chatColumns, chatRows, ui.scrollOffset + page, {thinkingShown: view.thinkingShown}));
      } else if (matches('help', event)) {
        const {ui, setHelpOpen} = store.getState();
        setHelpOpen(!ui.helpOpen);
      } else if (matches('redraw', event)) {
        write(CLEAR_SCREEN);
      } else {
        return false;
      }
      return true;
    },
    [store, commands, chatColumns, chatRows, onQuitPress, write],
  );
}
