import {memo} from 'react';
import {Text} from 'ink';
import type {GaugeStyle} from '../src/util/format.js';
import type {RowLevel} from '../src/monitor/gauge-rows.js';
import type {HostId, MaiStore} from '../src/store.js';
import {useGaugeRow} from './useGaugeRow.js';

export type Props = {
  readonly store: MaiStore;
  readonly host: HostId;
  /** A row id from gaugeRowIds ("cpu", "ram", "gpu:0"...). */
  readonly id: string;
  /** The text columns the row may take. */
  readonly columns: number;
  readonly style: GaugeStyle;
};

const LEVEL_COLORS: Readonly<Record<RowLevel, string>> = {ok: 'green', elevated: 'yellow', critical: 'red', none: 'blue'};
const MODELS_COLOR = 'magenta';

/** "CPU   ⣿⣿⡇⣀ 37% ⣀⣤⣶⣿": label and pressure mark, bar in the level's colour, figure, sparkline. */
export const GaugeRow = memo(function GaugeRow({store, host, id, columns, style}: Props) {
  const row = useGaugeRow(store, host, id, columns, style);
  const color = LEVEL_COLORS[row.level];
  return (
    <Text wrap="truncate-end">
      <Text color={row.level === 'ok' || row.level === 'none' ? undefined : color} bold={row.level === 'critical'}>
        {row.label}
      </Text>
      {row.modelBar ? <Text color={MODELS_COLOR}>{row.modelBar}</Text> : null}
      {row.usedBar ? <Text color={color}>{row.usedBar}</Text> : null}
      {row.trackBar ? <Text dimColor>{row.trackBar}</Text> : null}
      {row.value}
      {row.spark ? <Text color="cyan">{row.spark}</Text> : null}
      {row.legend ? <Text color={MODELS_COLOR}>{row.legend}</Text> : null}
      {row.note ? <Text dimColor>{row.note}</Text> : null}
    </Text>
  );
});
