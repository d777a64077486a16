import {spawn, type ChildProcess} from 'node:child_process';
import {accessSync, constants, statSync} from 'node:fs';
import path from 'node:path';
import {createInterface} from 'node:readline';
import {nvidiaSmiArgs, parseNvidiaSmiLine, type NvidiaGpuReading} from './nvidia-smi.js';

// One long-running `nvidia-smi ... -lms N` process, read line by line, for as long as mai samples:
// never a process per sample. nvidia-smi costs tens of milliseconds to start (it opens the driver);
// left running it only prints a line per GPU per interval.
//
// It never outlives mai: stop() kills it, an exit handler kills it when mai exits without stopping
// it, and if mai is killed outright its pipe closes and nvidia-smi dies of SIGPIPE at its next line
// (libuv resets signal dispositions in children, so SIGPIPE's default action applies).

export type NvidiaReaderState =
  /** Started, no reading yet. */
  | 'starting'
  /** Readings are coming in. */
  | 'running'
  /** No nvidia-smi here, or it exited before its first reading (no driver, no GPU): "no GPU". */
  | 'absent'
  /** It kept exiting after it had worked; readings are given up. */
  | 'failed'
  | 'stopped';

export type NvidiaReaderOptions = {
  /** The command (a name looked up in PATH, or a path); `nvidia-smi` by default. */
  readonly command?: string;
  readonly intervalMs: number;
  /** Told of restarts and failures (the event log); a missing nvidia-smi is not news. */
  readonly onProblem?: (message: string) => void;
};

// A reader that dies after having worked (driver reload, killed by someone) is restarted after a
// pause, at most this many times in a row without a reading in between.
const RESTART_DELAY_MS = 2000;
const MAX_RESTARTS = 3;

/** Whether `command` names an executable file: a path as it is, a bare name in a PATH directory. */
export function onPath(command: string, searchPath = process.env.PATH ?? ''): boolean {
  const executable = (file: string) => {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes('/')) return executable(command);
  return searchPath.split(path.delimiter).some((dir) => dir !== '' && executable(path.join(dir, command)));
}

export class NvidiaSmiReader {
  private child: ChildProcess | null = null;
  private readonly latest = new Map<number, NvidiaGpuReading>();
  private everRead = false;
  private restarts = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private lastError = '';
  private settledListeners: (() => void)[] = [];
  state: NvidiaReaderState = 'stopped';

  constructor(private readonly options: NvidiaReaderOptions) {}

  /** The process id of the running reader (benchmarks and tests look at it). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.state !== 'stopped') return;
    // Most machines have no nvidia-smi: looking for it costs a few stat calls, a failed spawn a
    // fork and an exec (34 ms of the chat's start on a 2-core machine). Windows resolves commands
    // with PATHEXT and its own rules: there the spawn finds out.
    if (process.platform !== 'win32' && !onPath(this.options.command ?? 'nvidia-smi')) {
      this.state = 'absent';
      this.notifySettled();
      return;
    }
    process.once('exit', this.killOnExit);
    this.spawnReader();
  }

  /** Resolves once the reader knows whether there is an NVIDIA GPU (or after `timeoutMs`, if given). */
  settled(timeoutMs?: number): Promise<void> {
    if (this.state !== 'starting') return Promise.resolve();
    return new Promise((resolve) => {
      const listeners = this.settledListeners;
      const timer = timeoutMs === undefined ? undefined : setTimeout(done, timeoutMs);
      timer?.unref();
      function done() {
        clearTimeout(timer);
        const index = listeners.indexOf(done);
        if (index >= 0) listeners.splice(index, 1);
        resolve();
      }
      listeners.push(done);
    });
  }

  /** The latest reading of each GPU, by index. */
  readings(): NvidiaGpuReading[] {
    return [...this.latest.values()].sort((a, b) => a.index - b.index);
  }

  stop(): void {
    this.state = 'stopped';
    clearTimeout(this.restartTimer);
    process.off('exit', this.killOnExit);
    this.child?.kill();
    this.child = null;
    this.latest.clear();
    this.notifySettled();
  }

  private readonly killOnExit = () => {
    this.child?.kill();
  };

  private notifySettled(): void {
    for (const listener of this.settledListeners.splice(0)) listener();
  }

  private spawnReader(): void {
    this.state = this.everRead ? 'running' : 'starting';
    const child = spawn(this.options.command ?? 'nvidia-smi', nvidiaSmiArgs(this.options.intervalMs), {
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    this.child = child;
    // The reader must never keep mai alive: mai's own shutdown stops it.
    child.unref();
    const lines = createInterface({input: child.stdout!, crlfDelay: Infinity});
    lines.on('line', (line) => {
      const reading = parseNvidiaSmiLine(line);
      if (!reading || this.child !== child) return;
      this.latest.set(reading.index, reading);
      this.restarts = 0;
      if (!this.everRead) {
        this.everRead = true;
        this.state = 'running';
        this.notifySettled();
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      this.lastError = (this.lastError + text).slice(-500);
    });
    for (const stream of [child.stdout, child.stderr]) (stream as unknown as {unref?: () => void}).unref?.();
    child.on('error', (error: NodeJS.ErrnoException) => {
      // ENOENT: not installed. Anything else (EACCES...) is as good as absent for a gauge.
      if (this.child !== child) return;
      this.child = null;
      this.giveUp(error.code === 'ENOENT' ? null : error.message);
    });
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = null;
      this.latest.clear();
      const why = `nvidia-smi exited (${signal ?? `code ${code}`})${this.lastError ? `: ${this.lastError.trim().split('\n').at(-1)}` : ''}`;
      if (!this.everRead) return this.giveUp(why);
      if (this.restarts >= MAX_RESTARTS) {
        this.state = 'failed';
        this.options.onProblem?.(`${why}; GPU readings stopped`);
        return;
      }
      this.restarts += 1;
      this.options.onProblem?.(`${why}; restarting`);
      this.restartTimer = setTimeout(() => {
        if (this.state !== 'stopped') this.spawnReader();
      }, RESTART_DELAY_MS);
      this.restartTimer.unref();
    });
  }

  private giveUp(problem: string | null): void {
    if (this.state === 'stopped') return;
    this.state = this.everRead ? 'failed' : 'absent';
    if (problem) this.options.onProblem?.(problem);
    process.off('exit', this.killOnExit);
    this.notifySettled();
  }
}
