import {createInterface} from 'node:readline';
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import os from 'node:os';
import v8 from 'node:v8';
import {runInNewContext} from 'node:vm';

// A real memory hog: a process that allocates and touches memory on command and frees it, so the
// resource monitor sees real pressure (the kernel's MemAvailable drops) without any imitation.
//
// By hand (README, development notes), after `npm run build`:
//   node dist/test/support/memory-hog.js 4          hold 4 GiB until Enter or Ctrl+C
//   node dist/test/support/memory-hog.js --free 10  take RAM until only 10 % of it is available
// From tests (spawnMemoryHog below): JSON lines on stdin ("alloc BYTES", "free") and on stdout.

const CHUNK = 64 * 1024 ** 2;
const GiB = 1024 ** 3;

// Chunks of 64 MiB are above glibc's largest mmap threshold (32 MiB), so each is its own mapping
// and goes back to the system as soon as it is collected.
v8.setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
let held: Buffer[] = [];

function allocate(bytes: number): void {
  let left = bytes;
  while (left > 0) {
    const size = Math.min(CHUNK, left);
    // allocUnsafeSlow: no zero-filled copy-on-write pages; fill() touches every page, so it is resident.
    const chunk = Buffer.allocUnsafeSlow(size);
    chunk.fill(0x5a);
    held.push(chunk);
    left -= size;
  }
}

// V8 sweeps dead ArrayBuffers' memory on a background thread after a full GC; a second GC a moment
// later makes sure it has gone back to the system before the hog says so.
async function free(): Promise<void> {
  held = [];
  collect();
  await new Promise((resolve) => setTimeout(resolve, 50));
  collect();
}

const rss = () => process.memoryUsage.rss();

function availableBytes(): number {
  try {
    const match = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return os.freemem();
}

function reply(event: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify({...event, rss: rss()}) + '\n');
}

function runCommands(): void {
  const lines = createInterface({input: process.stdin});
  lines.on('line', (line) => {
    const [command, argument] = line.trim().split(/\s+/);
    if (command === 'alloc') {
      allocate(Number(argument));
      reply({event: 'allocated', bytes: held.reduce((sum, b) => sum + b.length, 0)});
    } else if (command === 'free') {
      void free().then(() => reply({event: 'freed'}));
    }
  });
  lines.on('close', () => process.exit(0));
  reply({event: 'ready'});
}

function runByHand(args: readonly string[]): void {
  const freeAt = args.indexOf('--free');
  const bytes =
    freeAt >= 0
      ? Math.max(0, availableBytes() - (Number(args[freeAt + 1]) / 100) * os.totalmem())
      : Number(args[0]) * GiB;
  if (!Number.isFinite(bytes) || bytes < 0 || (freeAt >= 0 && !Number.isFinite(Number(args[freeAt + 1])))) {
    process.stderr.write('usage: memory-hog GiB | memory-hog --free PERCENT_OF_RAM_LEFT_AVAILABLE\n');
    process.exit(2);
  }
  process.stderr.write(`allocating ${(bytes / GiB).toFixed(1)} GiB…\n`);
  allocate(bytes);
  process.stderr.write(
    `holding ${(bytes / GiB).toFixed(1)} GiB (RSS ${(rss() / GiB).toFixed(1)} GiB, ${(availableBytes() / GiB).toFixed(1)} GiB still available). ` +
      'Enter frees it and exits; so does Ctrl+C.\n',
  );
  // Held until Enter, Ctrl+C or a kill; started in the background (stdin at its end) it holds on.
  setInterval(() => undefined, 1 << 30);
  process.stdin.once('data', () => process.exit(0));
  process.stdin.on('error', () => undefined);
  process.on('SIGINT', () => process.exit(0));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.length === 0) runCommands();
  else runByHand(args);
}
