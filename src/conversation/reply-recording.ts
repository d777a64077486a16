import type {ChatEntry} from '../store.js';
import type {ResponseStats} from '../domain.js';
import type {ConversationEvent} from './conversation-events.js';
import type {ConversationRecorder} from './conversation-recorder.js';
import {ReplyBuffer} from '../util/reply-buffer.js';

// One reply on its way to the conversation's file and the screen: started, its text as it streams
// (to the file so that a crash keeps what was written; to the screen through `display`, which
// batches it), then completed, whole or cut off. A turn done again (regenerate, an edited message)
// holds its lines back until its first words: one that fails before them leaves the file as it was.

// Reply text reaches the file at most this often while it streams (and at its end): what a crash costs.
const DELTA_INTERVAL_MS = 200;
/** How long after the interval a paused stream's pending text waits for the timer. */
const DELTA_GRACE_MS = 50;

/** One reply being written: its text goes to the file as it streams, then once whole. */
export class ReplyRecording {
  /**
   * The text as it goes to the file, paced as the screen's is: the first words at once (a crash
   * right after them keeps them), then a delta when a chunk arrives after the interval.
   */
  private readonly toFile = new ReplyBuffer((text) => this.writeDelta(text), DELTA_INTERVAL_MS, DELTA_GRACE_MS);
  private written = 0;
  private finished = false;
  /** Lines not written yet: they go to the file with the reply's first words. */
  private held: ConversationEvent[] | null;

  /**
   * `held`: the lines of a turn done again (its rewind, the edited message), written only once the
   * reply has words, and never if it ends without any; null writes `started` at once.
   */
  constructor(
    readonly id: string,
    private model: string,
    private readonly startedAt: number,
    private readonly recorder: ConversationRecorder,
    private readonly onFinish: (entry: ChatEntry | null) => void,
    private readonly display: ReplyBuffer,
    held: readonly ConversationEvent[] | null = null,
  ) {
    this.held = held === null ? null : [...held];
    if (held === null) recorder.write({type: 'started', id, model, at: startedAt});
  }

  /** Writes the held lines and `started` (the model as it is now: a fallback may have changed it). */
  private writeHeld(): void {
    if (this.held === null) return;
    for (const line of this.held) this.recorder.write(line);
    this.held = null;
    this.recorder.write({type: 'started', id: this.id, model: this.model, at: this.startedAt});
  }

  /** What the reply has written so far. */
  get textSoFar(): string {
    return this.toFile.value;
  }

  /** The model writing it (a fallback can change it mid-reply). */
  get modelKey(): string {
    return this.model;
  }

  /** The reply goes on on `model` (after a fallback): the text so far stays. */
  continueOn(model: string): void {
    this.model = model;
  }

  append(chunk: string): void {
    if (this.finished) return;
    this.display.append(chunk);
    // An empty chunk is not the first words: those still go at once when they come.
    if (chunk !== '') this.toFile.append(chunk);
  }

  /** Writes the text not written yet, now (no-op once the reply has finished). */
  writePending(): void {
    if (!this.finished) this.toFile.flush();
  }

  private writeDelta(text: string): void {
    if (this.written === text.length) return;
    this.writeHeld();
    this.recorder.write({type: 'delta', id: this.id, text: text.slice(this.written)});
    this.written = text.length;
  }

  /**
   * The reply ended: whole, or cut off (Esc, Ctrl+C, a failure) with what was written kept and
   * marked. A reply that wrote nothing leaves no message.
   */
  finish(result: {readonly text: string; readonly model: string; readonly stats?: ResponseStats; readonly interrupted: boolean}): ChatEntry | null {
    if (this.finished) return null;
    this.finished = true;
    this.toFile.dispose();
    this.display.dispose();
    this.model = result.model;
    const at = Date.now();
    if (result.text === '' && this.held !== null) {
      // A turn done again that never wrote a word: nothing of it reaches the file.
      this.onFinish(null);
      return null;
    }
    this.writeHeld();
    this.recorder.write({
      type: 'completed',
      id: this.id,
      model: this.model,
      text: result.text,
      at,
      interrupted: result.interrupted,
      ...(result.stats ? {stats: result.stats} : {}),
    });
    const entry: ChatEntry | null =
      result.text === ''
        ? null
        : {
            id: this.id,
            role: 'assistant',
            text: result.text,
            at,
            model: this.model,
            ...(result.stats ? {stats: result.stats} : {}),
            ...(result.interrupted ? {interrupted: true} : {}),
          };
    this.onFinish(entry);
    return entry;
  }
}
