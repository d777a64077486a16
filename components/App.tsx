import {Profiler, useMemo, type ProfilerOnRenderCallback, type ReactNode} from 'react';
import {Box} from 'ink';
import {useStore} from 'zustand';
import type {MaiCommands} from '../src/commands.js';
import {gaugeRowIds} from '../src/monitor/gauge-rows.js';
import {LOCAL_HOST, type MaiStore} from '../src/store.js';
import {ChatPane} from './ChatPane.js';
import {Composer} from './Composer.js';
import {composerRowCount} from './composer-layout.js';
import {HelpOverlay} from './HelpOverlay.js';
import {keyFor} from './keys.js';
import {COMPOSER_MAX_ROWS, composerColumnsFor, computeLayout} from './layout.js';
import {ModelPanel} from './ModelPanel.js';
import {PanelsSummary} from './PanelsSummary.js';
import {Picker} from './Picker.js';
import {ResourceGauge} from './ResourceGauge.js';
import {StatusBar} from './StatusBar.js';
import {TooSmall} from './TooSmall.js';
import {useComposerKeys} from './useComposerKeys.js';
import {useComposerState} from './useComposerState.js';
import {useGlobalKeys} from './useGlobalKeys.js';
import {useHelpOverlayKeys} from './useHelpOverlayKeys.js';
import {useKeyConfig} from './useKeyConfig.js';
import {useKeyDispatcher} from './useKeyDispatcher.js';
import {usePanelsOverlay} from './usePanelsOverlay.js';
import {usePickerKeys} from './usePickerKeys.js';
import {usePickerState} from './usePickerState.js';
import {useQuitConfirm} from './useQuitConfirm.js';
import {useTerminalSize} from './useTerminalSize.js';
import {SearchBar} from './chat/SearchBar.js';
import {useChatKeys} from './chat/useChatKeys.js';
import {useReturnedEdit} from './chat/useReturnedEdit.js';
import {useSearchKeys} from './chat/useSearchKeys.js';

export type Props = {
  readonly store: MaiStore;
  readonly commands: MaiCommands;
  /** Block characters instead of braille in the gauges. */
  readonly ascii?: boolean;
  /**
   * For tests and benchmarks: called with "chat" or "composer" whenever that region renders (a
   * React Profiler; React calls it in its development and profiling builds only).
   */
  readonly onRegionRender?: ProfilerOnRenderCallback;
};

function profiled(id: string, onRender: ProfilerOnRenderCallback | undefined, node: ReactNode): ReactNode {
  return onRender ? (
    <Profiler id={id} onRender={onRender}>
      {node}
    </Profiler>
  ) : (
    node
  );
}

/** Read when drawn: the config's `keys:` may have moved quit to another key. */
export function quitHint(): string {
  return `press ${keyFor('quit')} again to quit`;
}

/**
 * The full-screen frame (DESIGN.md §8): chat and, on terminals of 100 columns or more, resources and
 * models on the right; narrower, one summary line of them under the chat (F2 shows them over it);
 * the composer and the status bar (or the search field) below; under 60×20 only a "too small"
 * message. It owns the one key dispatcher (overlays > picker > search > chat > composer > global)
 * and the composer's state, whose height it lays out.
 *
 * The frame takes every row of the terminal. (Ink's own redraw clears the terminal and rewrites
 * every line for a frame as tall as the terminal, node_modules/ink/build/ink.js `isFullscreen`;
 * in the debug mode mai runs it in, Ink only hands each frame to the screen writer, which rewrites
 * the rows that changed, so a full-height frame costs no clear.)
 */
export function App({store, commands, ascii = false, onRegionRender}: Props) {
  useKeyConfig(store);
  const {columns, rows} = useTerminalSize();
  const helpOpen = useStore(store, (s) => s.ui.helpOpen);
  const searching = useStore(store, (s) => s.view.search !== null);
  const composer = useComposerState();
  useReturnedEdit(store, composer);
  const picker = usePickerState(store, commands);
  const resourceRows = useStore(store, (s) => gaugeRowIds(s.resources[LOCAL_HOST]).split(',').length);
  const layout = computeLayout(columns, rows, composerRowCount(composer.state, composerColumnsFor(columns), COMPOSER_MAX_ROWS), resourceRows);
  const quit = useQuitConfirm(store, commands);
  const panels = usePanelsOverlay(layout.narrow);

  const overlayKeys = useHelpOverlayKeys(store, {width: layout.width, height: layout.mainHeight});
  const pickerKeys = usePickerKeys(picker, store, commands);
  const composerKeys = useComposerKeys(composer, store, commands);
  const globalKeys = useGlobalKeys({
    store,
    commands,
    chatColumns: layout.chatColumns,
    chatRows: layout.chatRows,
    onQuitPress: quit.press,
  });
  const chatArea = {store, chatColumns: layout.chatColumns, chatRows: layout.chatRows};
  const searchKeys = useSearchKeys(chatArea);
  const chatKeys = useChatKeys({...chatArea, commands, composer});
  useKeyDispatcher([overlayKeys, panels.keys, pickerKeys, searchKeys, chatKeys, composerKeys, globalKeys]);
  // The same element while the pane's size stays: a keystroke re-renders the App (the composer's
  // state lives here) and React skips the whole chat pane without even comparing its props.
  const chatPane = useMemo(
    () => profiled('chat', onRegionRender, <ChatPane store={store} width={layout.chatWidth} height={layout.mainHeight} />),
    [onRegionRender, store, layout.chatWidth, layout.mainHeight],
  );

  if (layout.tooSmall) return <TooSmall columns={columns} rows={rows} />;
  const sidePanels = (width: number) => (
    <Box flexDirection="column" width={width} flexShrink={0}>
      <ResourceGauge store={store} width={width} height={layout.resourcesHeight} ascii={ascii} />
      {layout.modelsHeight > 0 ? <ModelPanel store={store} width={width} height={layout.modelsHeight} /> : null}
    </Box>
  );
  return (
    <Box flexDirection="column" width={layout.width} height={layout.height}>
      <Box flexDirection="row" height={layout.mainHeight} flexShrink={0}>
        {helpOpen ? (
          <HelpOverlay store={store} width={layout.width} height={layout.mainHeight} />
        ) : picker.state.kind !== null ? (
          <Picker store={store} state={picker.state} width={layout.width} height={layout.mainHeight} />
        ) : panels.open ? (
          sidePanels(layout.width)
        ) : (
          <>
            {chatPane}
            {layout.sideWidth > 0 ? sidePanels(layout.sideWidth) : null}
          </>
        )}
      </Box>
      {layout.narrow ? <PanelsSummary store={store} width={layout.width} overlayOpen={panels.open} /> : null}
      {profiled('composer', onRegionRender, <Composer store={store} state={composer.state} width={layout.width} rows={layout.composerRows} />)}
      {searching && !quit.armed ? (
        <SearchBar store={store} width={layout.width} chatColumns={layout.chatColumns} />
      ) : (
        <StatusBar store={store} width={layout.width} hint={quit.armed ? quitHint() : null} />
      )}
    </Box>
  );
}
