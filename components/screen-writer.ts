import {Writable} from 'node:stream';

// Puts Ink's frames on the alternate screen, rewriting only the rows that changed.
//
// Ink 6.8 has two ways to redraw: the standard one erases and rewrites every row of the frame on
// each render (a streaming reply sent ~150 KB for 30 updates of a 120x40 screen), and the
// incremental one, which diffs rows but moves the cursor up one row too few when the frame ends
// with its newline, so the picture slides down a row per frame (seen in tmux; log-update.js,
// `cursorUp(previousVisible - 1)`). mai owns the whole alternate screen, so it can do better than
// either: Ink runs in debug mode, where each render writes the plain frame and nothing else, and
// this writer sends each changed row to its absolute position, inside a synchronized update so
// the terminal shows a frame whole or not at all. The same 30 updates cost ~15 KB.

const SYNC_START = '\x1b[?2026h';
const SYNC_END = '\x1b[?2026l';
const CLEAR_SCREEN = /\x1b\[2J/;

/** What to write to turn the screen showing `previous` rows into one showing `next`. */
export function frameDiff(previous: readonly string[], next: readonly string[]): string {
  let out = '';
  for (let row = 0; row < next.length; row++) {
    // Each row starts from plain attributes: a style left open by a previous write cannot leak in.
    if (next[row] !== previous[row]) out += `\x1b[${row + 1};1H\x1b[0m${next[row]}\x1b[0m\x1b[K`;
  }
  if (next.length < previous.length) out += `\x1b[${next.length + 1};1H\x1b[0m\x1b[J`;
  return out;
}

/**
 * A frame's rows as the screen holds them. Ink ends a frame with a newline: the empty "row" after
 * it is no row of the screen, and drawn (a whole redraw after a resize) its position past the last
 * row lands on the last row, whose erase blanked the status bar until it next changed. A frame
 * taller than the terminal (rendered just before a resize reached Ink) is cut at its height.
 */
export function screenRows(frame: string, terminalRows: number | undefined): string[] {
  const rows = frame.split('\n');
  if (rows.length > 1 && rows.at(-1) === '') rows.pop();
  return terminalRows && terminalRows > 0 ? rows.slice(0, terminalRows) : rows;
}

export class ScreenWriter extends Writable {
  private shown: string[] = [];
  private clearFirst = false;
  private pending: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private lastFlushAt = 0;
  private frameDrawn: () => void = () => {};
  /** Resolves once the first frame is on the terminal (or the writer is detached before one). */
  readonly firstFrame = new Promise<void>((resolve) => (this.frameDrawn = resolve));

  /**
   * `terminal` is the real stdout; frames reaching this writer faster than every `intervalMs`
   * are coalesced (only the newest is drawn). 4 ms, not a 60 Hz frame (16 ms): a key typed just
   * after the last frame waited out the rest of that frame before its echo showed (P1's whole
   * 16 ms above the terminal's own latency); streaming is paced by the ReplyBuffer (50 ms) and the
   * monitor by its interval, so what is coalesced here is the few renders of one burst of input.
   */
  constructor(
    private readonly terminal: NodeJS.WriteStream,
    private readonly intervalMs = 4,
  ) {
    super({decodeStrings: false});
    terminal.on('resize', this.onResize);
  }

  // Ink reads the size and listens for resizes on the stream it writes to.
  get columns(): number {
    return this.terminal.columns;
  }

  get rows(): number {
    return this.terminal.rows;
  }

  get isTTY(): boolean {
    return true;
  }

  private readonly onResize = () => {
    this.invalidate();
    // The terminal may have reflowed or kept rows the next frame does not cover (a shorter "too
    // small" frame left the old status row on screen): that frame is drawn on a cleared screen.
    this.clearFirst = true;
    this.emit('resize');
  };

  /** Forgets what is on screen: the next frame is drawn whole (after a resize or Ctrl+L). */
  invalidate(): void {
    this.shown = [];
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    let frame = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const clear = CLEAR_SCREEN.exec(frame);
    if (clear) {
      // Ctrl+L: whatever came before the clear is gone; redraw everything after it.
      frame = frame.slice(clear.index + clear[0].length);
      this.terminal.write('\x1b[H\x1b[2J');
      this.invalidate();
    }
    this.pending = frame;
    const wait = this.lastFlushAt + this.intervalMs - Date.now();
    if (wait <= 0) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), wait);
    done();
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending === null) return;
    const next = screenRows(this.pending, this.terminal.rows);
    this.pending = null;
    this.lastFlushAt = Date.now();
    const diff = (this.clearFirst ? '\x1b[H\x1b[2J' : '') + frameDiff(this.shown, next);
    this.clearFirst = false;
    this.shown = next;
    if (diff) this.terminal.write(SYNC_START + diff + SYNC_END);
    this.frameDrawn();
  }

  override _final(done: (error?: Error | null) => void): void {
    this.flush();
    this.terminal.off('resize', this.onResize);
    done();
  }

  /** Stops listening to the terminal; drawn frames stay. */
  detach(): void {
    this.flush();
    this.frameDrawn();
    this.terminal.off('resize', this.onResize);
  }
}
