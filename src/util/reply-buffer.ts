// Collects a streaming reply and publishes it at most every `intervalMs` (50 ms: 20 frames a
// second at most). Publishing per token would re-render the chat hundreds of times a second on fast
// models. 20 and not 30: each frame costs the UI process a React render, a layout and an Ink frame
// (P2 measured 30 frames a second at 9.7 % of a core for a 50 tokens/s reply), and text arriving
// two or three words at a time, 20 times a second, reads as smoothly as one or two words 30 times.
// The first chunk of a reply is published at once: the wait never delays the first word.
//
// A frame is drawn when a chunk arrives and the interval has passed since the last one, not by a
// timer of its own: a timer per frame was a second wake-up of the UI process for each frame (20
// more a second at 50 tokens/s, each ~0.15 ms of CPU on a 2-core machine, a fifth of what the
// stream cost without drawing anything). The timer only publishes what a stream that pauses has
// left pending, `graceMs` after the interval.
export class ReplyBuffer {
  private text = '';
  private timer: NodeJS.Timeout | undefined;
  private lastPublishedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly publish: (text: string) => void,
    private readonly intervalMs = 50,
    private readonly graceMs = 25,
  ) {}

  get value(): string {
    return this.text;
  }

  append(chunk: string): void {
    this.text += chunk;
    const now = Date.now();
    if (now - this.lastPublishedAt >= this.intervalMs) {
      this.flush();
      return;
    }
    this.timer ??= setTimeout(() => this.flush(), this.lastPublishedAt + this.intervalMs + this.graceMs - now);
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
