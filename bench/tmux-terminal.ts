import {execFileSync, spawn, type ChildProcessWithoutNullStreams} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {readFileSync} from 'node:fs';

// A program in a real terminal for the benchmarks: a tmux pane of a fixed size on a private tmux
// server, watched through a control-mode client. tmux reports every byte the program writes as a
// `%output` line the moment it reads it, so "the key's frame is on the terminal" is timed without
// polling the screen, and the same loop timed with `cat` in the pane is the terminal's own cost.

export type TmuxOptions = {
  readonly columns: number;
  readonly rows: number;
  /** A shell command line, run in the pane. */
  readonly command: string;
  readonly env?: NodeJS.ProcessEnv;
};

export class TmuxTerminal {
  private readonly control: ChildProcessWithoutNullStreams;
  private partial = '';
  /** Everything the program wrote since `resetOutput` (control-mode escapes decoded). */
  private output = '';
  private waiter: (() => void) | null = null;
  private attached: () => void = () => {};
  /** Resolves once the control client is attached (tmux sent it its first line). */
  readonly ready = new Promise<void>((resolve) => (this.attached = resolve));

  /** When the pane was asked to run the command (performance.now()). */
  startedAt = 0;

  private constructor(
    private readonly socket: string,
    env: NodeJS.ProcessEnv,
  ) {
    this.control = spawn('tmux', ['-L', socket, '-C', 'attach', '-t', 'bench'], {env});
    this.control.stdout.setEncoding('utf8');
    this.control.stdout.on('data', (data: string) => this.onControl(data));
  }

  /**
   * Starts `command` in a new pane once the control client is attached, so that none of its output
   * is missed (a program started with the session could print before tmux had a client to report
   * it to: a run of P3's baseline then waited out its timeout). `startedAt` is when the pane was
   * asked to run the command.
   */
  static async open({columns, rows, command, env = process.env}: TmuxOptions): Promise<TmuxTerminal> {
    const socket = `mai-bench-${randomBytes(4).toString('hex')}`;
    // -f /dev/null: no user config; window-size manual: the control client must not resize it.
    execFileSync(
      'tmux',
      ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', 'bench', '-x', String(columns), '-y', String(rows), 'exec sleep 600', ';', 'set', '-g', 'window-size', 'manual'],
      {env},
    );
    const terminal = new TmuxTerminal(socket, env);
    await terminal.ready;
    terminal.startedAt = performance.now();
    execFileSync('tmux', ['-L', socket, 'respawn-pane', '-k', '-t', 'bench', command], {env});
    return terminal;
  }

  private onControl(data: string): void {
    this.attached();
    this.partial += data;
    const lines = this.partial.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('%output ')) continue;
      const text = line.slice(line.indexOf(' ', 8) + 1);
      // Control mode writes bytes below 32 and the backslash as \ooo.
      this.output += text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
    }
    this.waiter?.();
  }

  /** Forgets the output so far: the next `waitForOutput` looks only at what comes after. */
  resetOutput(): void {
    this.output = '';
  }

  /** Resolves (with the time it resolved) once the output since the last reset satisfies `done`. */
  waitForOutput(done: (output: string) => boolean, timeoutMs = 20_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`no such output within ${timeoutMs} ms; screen:\n${this.screen()}`));
      }, timeoutMs);
      const check = () => {
        if (!done(this.output)) return;
        const at = performance.now();
        clearTimeout(timer);
        this.waiter = null;
        resolve(at);
      };
      this.waiter = check;
      check();
    });
  }

  /** Polls the screen (every 50 ms) until `done` holds: for states, not for timing. */
  async waitForScreen(done: (screen: string) => boolean, timeoutMs = 60_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!done(this.screen())) {
      if (performance.now() > deadline) throw new Error(`no such screen within ${timeoutMs} ms:\n${this.screen()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Types `text` literally (as one write to the pane), returning when it was sent. */
  type(text: string): number {
    const at = performance.now();
    this.control.stdin.write(`send-keys -t bench -l ${JSON.stringify(text)}\n`);
    return at;
  }

  /** Sends tmux key names (`C-u`, `Enter`). */
  keys(...names: readonly string[]): number {
    const at = performance.now();
    this.control.stdin.write(`send-keys -t bench ${names.join(' ')}\n`);
    return at;
  }

  /** The screen as plain text. */
  screen(): string {
    return execFileSync('tmux', ['-L', this.socket, 'capture-pane', '-p', '-t', 'bench'], {encoding: 'utf8'});
  }

  /** The process id of the program in the pane (the shell's `exec`ed command). */
  panePid(): number {
    return Number(execFileSync('tmux', ['-L', this.socket, 'display-message', '-p', '-t', 'bench', '#{pane_pid}'], {encoding: 'utf8'}).trim());
  }

  close(): void {
    this.control.kill();
    try {
      execFileSync('tmux', ['-L', this.socket, 'kill-server'], {stdio: 'ignore'});
    } catch {
      // Already gone with its last pane.
    }
  }
}

/** User + system CPU seconds of a process so far (/proc/PID/stat, Linux; 100 clock ticks a second). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Waits until the process used under `pct` % of a core over a whole `windowMs` (its start-up's
 * background work is over), or `timeoutMs` passed.
 */
export async function waitForQuiet(pid: number, pct = 5, windowMs = 1000, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const before = cpuSeconds(pid);
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    if (((cpuSeconds(pid) - before) * 1000 * 100) / windowMs < pct) return;
  }
}

/** Output without its escape sequences (CSI and OSC): the text a frame puts on the screen. */
export function plainText(output: string): string {
  return output.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07/g, '');
}

/** The p-th percentile (0-100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}
