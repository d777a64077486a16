import {Text} from 'ink';
import {bar, sparkline, type GaugeStyle} from '../src/format.js';

export type Props = {
  readonly label: string;
  /** 0-1 for the bar; null before the first sample (the line shows "…"). */
  readonly share: number | null;
  /** The figure after the bar ("37%", "12.1/24.0 GiB"). */
  readonly value: string;
  /** Samples, oldest first, for the sparkline. */
  readonly history: readonly number[];
  /** The sample value of a full sparkline cell (100 for percentages, 1 for fractions). */
  readonly historyMax: number;
  /** The text columns the line may take. */
  readonly columns: number;
  readonly style: GaugeStyle;
};

export const LABEL_COLUMNS = 5; // "CPU  ", "RAM  ", "VRAM "

/** "CPU  ⣿⣿⡇⣀ 37% ⣀⣤⣶⣿": what is left after the label and the figure goes to the bar and sparkline. */
export function GaugeLine({label, share, value, history, historyMax, columns, style}: Props) {
  if (share === null) {
    return (
      <Text>
        {label.padEnd(LABEL_COLUMNS)}
        <Text dimColor>…</Text>
      </Text>
    );
  }
  const room = Math.max(0, columns - LABEL_COLUMNS - value.length - 2);
  // Too narrow for both: the bar alone. Otherwise the bar gets about 45 %, at most 8 cells.
  const barCells = room < 6 ? room : Math.min(8, Math.floor(room * 0.45));
  const sparkCells = room - barCells;
  return (
    <Text wrap="truncate-end">
      {label.padEnd(LABEL_COLUMNS)}
      <Text color={levelColor(share)}>{bar(share, barCells, style)}</Text>
      {` ${value}`}
      {sparkCells > 0 ? <Text color="cyan">{` ${sparkline(history, sparkCells, style, historyMax)}`}</Text> : null}
    </Text>
  );
}

// Fixed thresholds for the bar's colour. The monitor's pressure levels (DESIGN.md §4) are not in
// the store's HostResources yet; once they are, the colour should follow them instead.
function levelColor(share: number): string {
  if (share >= 0.9) return 'red';
  if (share >= 0.7) return 'yellow';
  return 'green';
}
