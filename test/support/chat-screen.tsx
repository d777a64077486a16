import {render} from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import {App} from '../../components/App.js';
import type {Mai} from '../../src/mai.js';
import {resize} from './ink-keys.js';

// The whole TUI on a real Mai, as the end-to-end tests look at it: rendered in a terminal of a
// fixed size, and read back as plain text.

export type ChatScreen = ReturnType<typeof render> & {readonly frame: () => string};

/** Renders the app on `mai` in 120×40 and starts mai; `frame()` is the screen without colours. */
export function renderChat(mai: Mai): ChatScreen {
  const instance = render(<App store={mai.store} commands={mai} />);
  resize(instance.stdout, {columns: 120, rows: 40});
  mai.start();
  const frame = () => stripAnsi(instance.lastFrame() ?? '');
  return {...instance, frame};
}

/** The reply's words, in the order they appear on screen (the chat pane wraps lines). */
export function words(text: string | undefined): RegExp {
  if (!text) throw new Error('a speaking test model has a message');
  return new RegExp(text.split(' ').map((word) => word.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('[\\s│]+'));
}
