import type {MemorySample} from '../store.js';
import {readProcFile} from './proc-file.js';

// RAM and swap figures. On Linux straight from /proc/meminfo, which is what systeminformation's
// mem() reads there too: loading systeminformation for it put 430 KB of code and about 3 MB of
// resident memory into the chat. Elsewhere (macOS runs vm_stat) systeminformation does it.

const KIB = 1024;
const FIELDS = /^(MemTotal|MemFree|MemAvailable|Buffers|Cached|SwapTotal|SwapFree):\s+(\d+)/gm;

/**
 * Parses /proc/meminfo (proc(5)): "Name:   value kB" lines. "Available" is MemAvailable, what can
 * be allocated without swapping (kernels before 3.14 lack it: free + buffers + cached then). Null
 * without a MemTotal.
 */
export function parseMeminfo(text: string): MemorySample | null {
  const kib = new Map<string, number>();
  // Only the lines used (7 of about 50): this runs every second.
  for (const match of text.matchAll(FIELDS)) kib.set(match[1] as string, Number(match[2]) * KIB);
  const total = kib.get('MemTotal');
  if (!total) return null;
  const available = Math.min(total, kib.get('MemAvailable') ?? (kib.get('MemFree') ?? 0) + (kib.get('Buffers') ?? 0) + (kib.get('Cached') ?? 0));
  const swapTotal = kib.get('SwapTotal') ?? 0;
  return {
    totalBytes: total,
    availableBytes: available,
    usedBytes: total - available,
    swapTotalBytes: swapTotal,
    swapUsedBytes: Math.max(0, swapTotal - (kib.get('SwapFree') ?? swapTotal)),
  };
}

/** RAM as the kernel counts it: "available" is what can be allocated without swapping, not "free". */
export async function readMemory(): Promise<MemorySample> {
  if (process.platform === 'linux') {
    const parsed = parseMeminfo(readProcFile('/proc/meminfo'));
    if (parsed) return parsed;
  }
  // Loaded on the first sample, after the chat's first frame: systeminformation is 430 KB of code.
  const {default: si} = await import('systeminformation');
  const mem = await si.mem();
  return {
    totalBytes: mem.total,
    availableBytes: mem.available,
    usedBytes: mem.total - mem.available,
    swapTotalBytes: mem.swaptotal,
    swapUsedBytes: mem.swapused,
  };
}
