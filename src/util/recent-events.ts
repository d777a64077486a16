import {open} from 'node:fs/promises';

// The newest events of one kind from the JSONL event log, for `mai status` ("the last five
// switches"): only the file's tail is read, so a log of any size costs the same.

const TAIL_BYTES = 256 * 1024;

export async function recentEvents(file: string, event: string, count: number): Promise<Record<string, unknown>[]> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return [];
  }
  try {
    const {size} = await handle.stat();
    const start = Math.max(0, size - TAIL_BYTES);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    const lines = buffer.toString('utf8').split('\n');
    // A tail cut in the middle of a line starts with a piece of one: it is skipped.
    if (start > 0) lines.shift();
    const found: Record<string, unknown>[] = [];
    for (const line of lines) {
      if (!line.includes(`"event":"${event}"`)) continue;
      try {
        const parsed = JSON.parse(line) as unknown;
        if (parsed && typeof parsed === 'object' && (parsed as {event?: unknown}).event === event) found.push(parsed as Record<string, unknown>);
      } catch {
        // A torn line (a process killed while writing): not an event.
      }
    }
    return found.slice(-count);
  } finally {
    await handle.close();
  }
}
