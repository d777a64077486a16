// The frame's geometry from the terminal size (DESIGN.md §8): pure, so the App, the key handlers
// (a page of scrolling) and the tests agree on every size.

/** A Panel's borders and padding: 2 + 2 columns, the title line and the bottom border. */
export const PANEL_CHROME_COLUMNS = 4;
export const PANEL_CHROME_ROWS = 2;
/** Below this width the right column (resources, models) is hidden and the chat takes it all. */
export const SIDE_MIN_TERMINAL_COLUMNS = 70;
export const COMPOSER_MAX_ROWS = 5;
/** CPU, RAM, its split (mai's models / the rest), VRAM: the gauge's rows without swap or GPUs. */
export const RESOURCE_LINES = 4;
/** "> " in front of the composer's first row (continuation rows are indented as much). */
export const PROMPT_COLUMNS = 2;

export type Layout = {
  /** The whole frame: the terminal's width, one row less than its height (see App.tsx). */
  readonly width: number;
  readonly height: number;
  readonly mainHeight: number;
  readonly chatWidth: number;
  /** 0 when the terminal is too narrow for the right column. */
  readonly sideWidth: number;
  readonly resourcesHeight: number;
  /** 0 when there is no room for the models box. */
  readonly modelsHeight: number;
  readonly composerRows: number;
  /** The chat pane's text area. */
  readonly chatColumns: number;
  readonly chatRows: number;
};

/** About 30 columns; narrower terminals shrink it (to 26), wide ones grow it a little (to 34). */
export function sideWidthFor(columns: number): number {
  if (columns < SIDE_MIN_TERMINAL_COLUMNS) return 0;
  return Math.min(34, Math.max(26, Math.floor(columns * 0.3)));
}

/** The columns the composer wraps its text at: the frame minus chrome, prompt and the cursor cell. */
export function composerColumnsFor(columns: number): number {
  return Math.max(1, columns - PANEL_CHROME_COLUMNS - PROMPT_COLUMNS - 1);
}

/** `resourceRows`: the gauge's rows (more with swap and per GPU; see gaugeRowIds). */
export function computeLayout(columns: number, rows: number, composerRows: number, resourceRows = RESOURCE_LINES): Layout {
  const width = Math.max(20, columns);
  const height = Math.max(8, rows - 1);
  // Composer: its rows + top and bottom border; status bar: 1 row; the main area keeps at least 3.
  const composer = Math.max(1, Math.min(COMPOSER_MAX_ROWS, height - 6, composerRows));
  const mainHeight = height - (composer + 2) - 1;
  const sideWidth = sideWidthFor(width);
  const resourcesHeight = Math.min(mainHeight, resourceRows + PANEL_CHROME_ROWS);
  const rest = mainHeight - resourcesHeight;
  const modelsHeight = rest >= PANEL_CHROME_ROWS + 1 ? rest : 0;
  const chatWidth = width - sideWidth;
  return {
    width,
    height,
    mainHeight,
    chatWidth,
    sideWidth,
    resourcesHeight,
    modelsHeight,
    composerRows: composer,
    chatColumns: Math.max(1, chatWidth - PANEL_CHROME_COLUMNS),
    chatRows: Math.max(1, mainHeight - PANEL_CHROME_ROWS),
  };
}
