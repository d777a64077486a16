import {errorMessage} from '../backends/model-error.js';
import type {ConversationEvent} from './conversation-events.js';
import {ConversationFile} from './conversation-file.js';

// The context manager's writer: creates the conversation's file with its first message (opening the
// chat and quitting leaves no empty file behind), holds events that come before it (the first model
// load), and turns a disk that refuses to write into one warning, never a failed chat.

export type RecorderOptions = {
  /** Where a new conversation's file goes; null: nothing is saved. */
  readonly dir: string | null;
  /** A resumed conversation's file, appended to. */
  readonly file?: ConversationFile;
  readonly now: () => number;
  /** Called once, the first time saving fails. */
  readonly onFailure: (message: string) => void;
};

export class ConversationRecorder {
  private file: ConversationFile | null;
  private creating: Promise<ConversationFile | null> | null = null;
  private readonly waiting: ConversationEvent[] = [];
  private failed = false;

  constructor(private readonly options: RecorderOptions) {
    this.file = options.file ?? null;
  }

  get id(): string | null {
    return this.file?.id ?? null;
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.options.onFailure(`the conversation is not being saved: ${errorMessage(error)}`);
  }

  /** Opens the file if there is none yet (on the first message) and writes what waited for it. */
  async start(): Promise<void> {
    if (this.file || this.failed || this.options.dir === null) return;
    const dir = this.options.dir;
    this.creating ??= ConversationFile.create(dir, this.options.now()).catch((error: unknown) => {
      this.fail(error);
      return null;
    });
    this.file = await this.creating;
    for (const event of this.waiting.splice(0)) this.write(event);
  }

  /** Writes an event now, or keeps it until the file exists. */
  write(event: ConversationEvent): void {
    if (this.failed) return;
    if (!this.file) {
      if (this.options.dir !== null) this.waiting.push(event);
      return;
    }
    try {
      this.file.append(event);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Resolves when what was written is on disk; never rejects (a failure is reported once). */
  async flush(): Promise<void> {
    try {
      await this.file?.flush();
    } catch (error) {
      this.fail(error);
    }
  }

  async close(): Promise<void> {
    await this.creating;
    await this.file?.close().catch((error: unknown) => this.fail(error));
  }
}
