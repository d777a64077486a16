// Collects a streaming reply and publishes it at most every `intervalMs` (33 ms: about 30 frames a
// second). Publishing per token would re-render the chat hundreds of times a second on fast models.
export class ReplyBuffer {
  private text = '';
  private timer: NodeJS.Timeout | undefined;
  private lastPublishedAt = 0;

  constructor(
    private readonly publish: (text: string) => void,
    private readonly intervalMs = 33,
  ) {}

  get value(): string {
    return this.text;
  }

  append(chunk: string): void {
    this.text += chunk;
    if (this.timer) return;
    const wait = Math.max(0, this.lastPublishedAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Publishes what is pending now (at the end of a reply). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastPublishedAt = Date.now();
    this.publish(this.text);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
