import {Box} from 'ink';
import {useStore} from 'zustand';
import type {MaiCommands} from '../src/commands.js';
import {gaugeRowIds} from '../src/monitor/gauge-rows.js';
import {LOCAL_HOST, type MaiStore} from '../src/store.js';
import {ChatPane} from './ChatPane.js';
import {Composer} from './Composer.js';
import {composerRowCount} from './composer-layout.js';
import {HelpOverlay} from './HelpOverlay.js';
import {COMPOSER_MAX_ROWS, composerColumnsFor, computeLayout} from './layout.js';
import {ModelPanel} from './ModelPanel.js';
import {Picker} from './Picker.js';
import {ResourceGauge} from './ResourceGauge.js';
import {StatusBar} from './StatusBar.js';
import {useComposerKeys} from './useComposerKeys.js';
import {useComposerState} from './useComposerState.js';
import {useGlobalKeys} from './useGlobalKeys.js';
import {useHelpOverlayKeys} from './useHelpOverlayKeys.js';
import {useKeyConfig} from './useKeyConfig.js';
import {useKeyDispatcher} from './useKeyDispatcher.js';
import {usePickerKeys} from './usePickerKeys.js';
import {usePickerState} from './usePickerState.js';
import {useQuitConfirm} from './useQuitConfirm.js';
import {useTerminalSize} from './useTerminalSize.js';
import {SearchBar} from './chat/SearchBar.js';
import {useChatKeys} from './chat/useChatKeys.js';
import {useSearchKeys} from './chat/useSearchKeys.js';

export type Props = {
  readonly store: MaiStore;
  readonly commands: MaiCommands;
  /** Block characters instead of braille in the gauges. */
  readonly ascii?: boolean;
};

export const QUIT_HINT = 'press Ctrl+C again to quit';

/**
 * The full-screen frame (DESIGN.md §8): chat and, on terminals of 70 columns or more, resources and
 * models on the right; the composer and the status bar below. It owns the one key dispatcher
 * (overlay > picker > composer > global) and the composer's state, whose height it lays out.
 *
 * The frame is one row shorter than the terminal: Ink 6 clears the terminal and rewrites every line
 * on each frame whose output is as tall as the terminal (node_modules/ink/build/ink.js,
 * `isFullscreen` and the `lastOutputHeight >= rows` branch); one row less keeps its line-diffing
 * path, so a streamed token rewrites a few lines, not the screen.
 */
export function App({store, commands, ascii = false}: Props) {
  useKeyConfig(store);
  const {columns, rows} = useTerminalSize();
  const helpOpen = useStore(store, (s) => s.ui.helpOpen);
  const searching = useStore(store, (s) => s.view.search !== null);
  const composer = useComposerState();
  const picker = usePickerState(store, commands);
  const resourceRows = useStore(store, (s) => gaugeRowIds(s.resources[LOCAL_HOST]).split(',').length);
  const layout = computeLayout(columns, rows, composerRowCount(composer.state, composerColumnsFor(columns), COMPOSER_MAX_ROWS), resourceRows);
  const quit = useQuitConfirm(store, commands);

  const overlayKeys = useHelpOverlayKeys(store);
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
  useKeyDispatcher([overlayKeys, pickerKeys, searchKeys, chatKeys, composerKeys, globalKeys]);

  return (
    <Box flexDirection="column" width={layout.width} height={layout.height}>
      <Box flexDirection="row" height={layout.mainHeight} flexShrink={0}>
        {helpOpen ? (
          <HelpOverlay width={layout.width} height={layout.mainHeight} />
        ) : picker.state.kind !== null ? (
          <Picker store={store} state={picker.state} width={layout.width} height={layout.mainHeight} />
        ) : (
          <>
            <ChatPane store={store} width={layout.chatWidth} height={layout.mainHeight} />
            {layout.sideWidth > 0 ? (
              <Box flexDirection="column" width={layout.sideWidth} flexShrink={0}>
                <ResourceGauge store={store} width={layout.sideWidth} height={layout.resourcesHeight} ascii={ascii} />
                {layout.modelsHeight > 0 ? (
                  <ModelPanel store={store} width={layout.sideWidth} height={layout.modelsHeight} />
                ) : null}
              </Box>
            ) : null}
          </>
        )}
      </Box>
      <Composer store={store} state={composer.state} width={layout.width} rows={layout.composerRows} />
      {searching && !quit.armed ? (
        <SearchBar store={store} width={layout.width} chatColumns={layout.chatColumns} />
      ) : (
        <StatusBar store={store} width={layout.width} hint={quit.armed ? QUIT_HINT : null} />
      )}
    </Box>
  );
}
