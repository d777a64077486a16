import {memo} from 'react';
import {Box, Text} from 'ink';
import {useStore} from 'zustand';
import type {MaiStore, PressureLevel} from '../src/store.js';
import {KEY_BINDINGS} from './keys.js';
import {selectModelName, selectResourceFigures, selectWorstPressure} from './panels-summary.js';

export type Props = {
  readonly store: MaiStore;
  readonly width: number;
  /** The overlay is open: the hint says how to close it. */
  readonly overlayOpen: boolean;
};

const PRESSURE_COLOR: Readonly<Record<PressureLevel, string | undefined>> = {ok: undefined, elevated: 'yellow', critical: 'red'};

/**
 * The narrow layout's stand-in for the right column: "model qwen-7b · CPU 37% · RAM 12.0/24.0G ·
 * pressure ok · F2 panels", on one line. Each part selects a string, so a sample re-renders it only
 * when a figure changes.
 */
export const PanelsSummary = memo(function PanelsSummary({store, width, overlayOpen}: Props) {
  const model = useStore(store, selectModelName);
  const figures = useStore(store, selectResourceFigures);
  const pressure = useStore(store, selectWorstPressure);
  return (
    <Box width={width} height={1} paddingX={1} flexShrink={0}>
      <Text wrap="truncate-end">
        <Text dimColor>model </Text>
        <Text bold>{model}</Text>
        <Text dimColor> · </Text>
        {figures}
        <Text dimColor> · pressure </Text>
        <Text color={PRESSURE_COLOR[pressure]}>{pressure}</Text>
        <Text dimColor>{` · ${KEY_BINDINGS.panels.keys} ${overlayOpen ? 'chat' : 'panels'}`}</Text>
      </Text>
    </Box>
  );
});
