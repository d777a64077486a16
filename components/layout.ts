// The frame's geometry from the terminal size (DESIGN.md §8): pure, so the App, the key handlers
// (a page of scrolling) and the tests agree on every size.

/** A Panel's borders and padding: 2 + 2 columns, the title line and the bottom border. */
export const PANEL_CHROME_COLUMNS = 4;
export const PANEL_CHROME_ROWS = 2;
/**
 * Below this width the right column (resources, models) folds into one summary line under the chat
 * and a key (keys.ts, `panels`) shows it over the chat.
 */
export const NARROW_BELOW_COLUMNS = 100;
/** Below either, the frame cannot hold its regions: a "terminal too small" message instead. */
export const MIN_COLUMNS = 60;
export const MIN_ROWS = 20;
export const COMPOSER_MAX_ROWS = 5;
/** CPU, RAM, its split (mai's models / the rest), VRAM: the gauge's rows without swap or GPUs. */
export const RESOURCE_LINES = 4;
/** "> " in front of the composer's first row (continuation rows are indented as much). */
export const PROMPT_COLUMNS = 2;

export type Layout = {
  /** The terminal is smaller than MIN_COLUMNS × MIN_ROWS: nothing else fits. */
  readonly tooSmall: boolean;
  /** Under NARROW_BELOW_COLUMNS: no right column (`sideWidth` 0), a summary line instead. */
  readonly narrow: boolean;
  /** 1 in the narrow layout: the summary line between the chat and the composer. */
  readonly summaryRows: number;
  /** The whole frame: the terminal's size, every row of it (see App.tsx). */
  readonly width: number;
  readonly height: number;
  readonly mainHeight: number;
  readonly chatWidth: number;
  /** 0 when the terminal is too narrow for the right column. */
  readonly sideWidth: number;
  /** The resources and models boxes, in the right column or (narrow) over the chat. */
  readonly resourcesHeight: number;
  /** 0 when there is no room for the models box. */
  readonly modelsHeight: number;
  readonly composerRows: number;
  /** The chat pane's text area. */
  readonly chatColumns: number;
  readonly chatRows: number;
};

/** About 30 columns, up to 34 on wide terminals; 0 in the narrow layout. */
export function sideWidthFor(columns: number): number {
  if (columns < NARROW_BELOW_COLUMNS) return 0;
  return Math.min(34, Math.max(26, Math.floor(columns * 0.3)));
}

/** The columns the composer wraps its text at: the frame minus chrome, prompt and the cursor cell. */
export function composerColumnsFor(columns: number): number {
  return Math.max(1, columns - PANEL_CHROME_COLUMNS - PROMPT_COLUMNS - 1);
}

/** `resourceRows`: the gauge's rows (more with swap and per GPU; see gaugeRowIds). */
export function computeLayout(columns: number, rows: number, composerRows: number, resourceRows = RESOURCE_LINES): Layout {
  const width = Math.max(20, columns);
  const height = Math.max(8, rows);
  const narrow = width < NARROW_BELOW_COLUMNS;
  const summaryRows = narrow ? 1 : 0;
  // Composer: its rows + top and bottom border; status bar: 1 row; the main area keeps at least 3.
  const composer = Math.max(1, Math.min(COMPOSER_MAX_ROWS, height - 6 - summaryRows, composerRows));
  const mainHeight = height - (composer + 2) - 1 - summaryRows;
  const sideWidth = sideWidthFor(width);
  const resourcesHeight = Math.min(mainHeight, resourceRows + PANEL_CHROME_ROWS);
  const rest = mainHeight - resourcesHeight;
  const modelsHeight = rest >= PANEL_CHROME_ROWS + 1 ? rest : 0;
  const chatWidth = width - sideWidth;
  return {
    tooSmall: columns < MIN_COLUMNS || rows < MIN_ROWS,
    narrow,
    summaryRows,
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
