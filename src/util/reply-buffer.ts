// Collects a streaming reply and publishes it at most every `intervalMs` (50 ms: 20 frames a
// second). Publishing per token would re-render the chat hundreds of times a second on fast models.
// 20 and not 30: each frame costs the UI process a React render, a layout and an Ink frame (P2
// measured 30 frames a second at 9.7 % of a core for a 50 tokens/s reply), and text arriving two or
// three words at a time, 20 times a second, reads as smoothly as one or two words 30 times. The
// first chunk of a reply is published at once: the wait never delays the first word.
export class ReplyBuffer {
  private text = '';
  private timer: NodeJS.Timeout | undefined;
  private lastPublishedAt = 0;

  constructor(
    private readonly publish: (text: string) => void,
    private readonly intervalMs = 50,
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
