import {Box, Text} from 'ink';
import TextInput from 'ink-text-input';
import {useStore} from 'zustand';
import type {MaiStore} from '../src/store.js';
import {fitToWidth} from '../src/util/format.js';
import {splitAtCursor} from './composer-layout.js';
import {activeBindings} from './keys.js';
import {PANEL_CHROME_COLUMNS, PANEL_CHROME_ROWS} from './layout.js';
import {modelWindow} from './model-line.js';
import {Panel} from './Panel.js';
import {pickerRows} from './picker-items.js';
import type {PickerState} from './picker-reducer.js';

export type Props = {
  readonly store: MaiStore;
  readonly state: PickerState;
  /** Outer size, borders included: it covers the chat and the right column. */
  readonly width: number;
  readonly height: number;
};

/** The filter line and the hint line take two of the box's rows. */
const FIXED_ROWS = 2;
const TITLES = {model: 'pick a model', conversation: 'resume a conversation'} as const;
/** The filter's TextInputs never change it themselves: the key layer does. */
const ignore = (): void => undefined;

/**
 * The model picker (Ctrl+O) and the conversation picker (Ctrl+R): a filter field and the rows it
 * leaves, the selected one marked. Rows come from picker-items.ts, as the key layer computes them.
 *
 * The filter field is drawn with ink-text-input's TextInput, unfocused (`focus={false}`), its value
 * and cursor driven by mai's key dispatcher (usePickerKeys.ts, picker-reducer.ts). Focused,
 * TextInput reads keys itself through Ink's useInput, which listens to the same raw input as mai's
 * dispatcher: every key would be handled twice (typed into the filter and acted on by the
 * dispatcher), and useInput takes a read holding several keys as one input, the very loss mai's
 * parser exists to prevent. Ink has no public way to give one component a stdin of its own (its
 * StdinContext is not exported). And ink-text-input 6 keeps its cursor in its own state, moved only
 * by its useInput, so it cannot draw a cursor placed from outside. So the field is three pieces: a
 * TextInput with the text before the cursor (and the placeholder while the filter is empty), the
 * cursor cell as the composer draws it (the character under it inverted, a space past the end),
 * and a second TextInput with the rest. Unfocused, a TextInput draws its value as it is, so the
 * rest shows faithfully in one; it is given no placeholder, which it would show whenever the
 * cursor is at the end.
 */
export function Picker({store, state, width, height}: Props) {
  const models = useStore(store, (s) => s.models);
  const rows = pickerRows(state.kind, state.query, models, state.conversations);
  const kind = state.kind ?? 'model';
  const columns = width - PANEL_CHROME_COLUMNS;
  const room = Math.max(1, height - PANEL_CHROME_ROWS - FIXED_ROWS);
  const selected = Math.min(state.selected, Math.max(0, rows.length - 1));
  const {start, end} = modelWindow(rows.length, selected, room);
  const loading = kind === 'conversation' && state.conversations === null;
  const bindings = activeBindings();
  const {before, under, after} = splitAtCursor(state.query, {start: 0, end: state.query.length}, state.cursor);
  const empty = loading ? 'reading the saved conversations…' : state.query === '' ? (kind === 'model' ? 'no models yet' : 'no saved conversations yet') : 'nothing matches';
  return (
    <Panel title={TITLES[kind]} width={width} height={height}>
      <Box flexShrink={0}>
        <Text color="cyan">{'> '}</Text>
        <TextInput value={before} onChange={ignore} focus={false} placeholder={state.query === '' ? 'type to filter' : ''} />
        <Text inverse>{under}</Text>
        <TextInput value={after} onChange={ignore} focus={false} />
      </Box>
      <Box flexDirection="column" flexGrow={1} overflow="hidden">
        {rows.length === 0 ? <Text dimColor>{empty}</Text> : null}
        {rows.slice(start, end).map((row, i) => {
          const isSelected = start + i === selected;
          const details = row.details.filter((detail) => detail !== '').join(' · ');
          const titleWidth = Math.max(8, Math.min(40, Math.floor(columns / 2)));
          return (
            <Text key={row.id} wrap="truncate-end" inverse={isSelected} dimColor={row.dim && !isSelected}>
              <Text color={row.current ? 'green' : undefined}>{row.current ? '● ' : isSelected ? '› ' : '  '}</Text>
              <Text bold={isSelected}>{fitToWidth(row.title, titleWidth)}</Text>
              {`  ${details}`}
            </Text>
          );
        })}
        {rows.length > end - start ? <Text dimColor>{`  +${rows.length - (end - start)} more`}</Text> : null}
      </Box>
      <Text dimColor wrap="truncate-end">
        {`${bindings.cursorUp.keys} ${bindings.cursorDown.keys} select · ${bindings.send.keys} ${kind === 'model' ? 'switch (pins it)' : 'resume'} · ${bindings.stop.keys} close`}
      </Text>
    </Panel>
  );
}
