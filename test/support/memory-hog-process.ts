import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process';
import {createInterface} from 'node:readline';
import {fileURLToPath} from 'node:url';

// Drives test/support/memory-hog.ts (built into dist/ by global-setup) as a child process.

const HOG = fileURLToPath(new URL('../../dist/test/support/memory-hog.js', import.meta.url));

type Reply = {readonly event: string; readonly rss: number; readonly bytes?: number};

export class MemoryHog {
  private readonly replies: Reply[] = [];
  private waiting: ((reply: Reply) => void) | null = null;
  readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({input: child.stdout}).on('line', (line) => {
      const reply = JSON.parse(line) as Reply;
      if (this.waiting) {
        const resolve = this.waiting;
        this.waiting = null;
        resolve(reply);
      } else this.replies.push(reply);
    });
    this.exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  }

  static async start(): Promise<MemoryHog> {
    const hog = new MemoryHog(spawn(process.execPath, [HOG], {stdio: ['pipe', 'pipe', 'pipe']}));
    await hog.next('ready');
    return hog;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Allocates and touches `bytes` more; resolves when they are resident. */
  async alloc(bytes: number): Promise<Reply> {
    this.child.stdin.write(`alloc ${Math.round(bytes)}\n`);
    return this.next('allocated');
  }

  async free(): Promise<Reply> {
    this.child.stdin.write('free\n');
    return this.next('freed');
  }

  async exit(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }

  private async next(event: string): Promise<Reply> {
    const reply = this.replies.shift() ?? (await new Promise<Reply>((resolve) => (this.waiting = resolve)));
    if (reply.event !== event) throw new Error(`memory hog said ${reply.event}, expected ${event}`);
    return reply;
  }
}
