import {sanitizeForTerminal} from '../util/sanitize.js';

// The CSV stream of `nvidia-smi --query-gpu=... --format=csv,noheader,nounits -lms N`: one line per
// GPU per interval, fields separated by ", ", no quoting, memory in MiB and utilization in percent
// (nvidia-smi --help-query-gpu). A field the GPU does not report reads "[N/A]" or "[Not Supported]".

export const NVIDIA_QUERY_FIELDS = ['index', 'name', 'memory.used', 'memory.total', 'utilization.gpu'] as const;

/** The arguments of the one long-running reader: a line per GPU every `intervalMs`. */
export function nvidiaSmiArgs(intervalMs: number): string[] {
  return [`--query-gpu=${NVIDIA_QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits', `-lms`, String(Math.max(1, Math.round(intervalMs)))];
}

export type NvidiaGpuReading = {
  readonly index: number;
  /** Safe to print: escape sequences and control characters removed. */
  readonly name: string;
  readonly vramUsedBytes: number | null;
  readonly vramTotalBytes: number | null;
  readonly utilizationPct: number | null;
};

const MiB = 1024 ** 2;

function numberOrNull(field: string | undefined): number | null {
  const text = (field ?? '').trim();
  if (text === '' || text.startsWith('[')) return null;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

/**
 * One line of the stream, or null for a line that is not a GPU reading (blank, an error message
 * such as "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver").
 */
export function parseNvidiaSmiLine(line: string): NvidiaGpuReading | null {
  const fields = line.replace(/\r$/, '').split(', ');
  if (fields.length < NVIDIA_QUERY_FIELDS.length) return null;
  const index = Number((fields[0] ?? '').trim());
  if (!Number.isInteger(index) || index < 0 || (fields[0] ?? '').trim() === '') return null;
  // The name is everything between the index and the three numbers: it may itself hold ", ".
  const tail = fields.slice(-3);
  const name = sanitizeForTerminal(fields.slice(1, -3).join(', ')).replace(/\s+/g, ' ').trim();
  const used = numberOrNull(tail[0]);
  const total = numberOrNull(tail[1]);
  // A line whose numbers are all unreadable is not a reading but text that happens to hold commas.
  if (used === null && total === null && numberOrNull(tail[2]) === null && !tail.every((f) => f.trim().startsWith('['))) return null;
  const utilization = numberOrNull(tail[2]);
  return {
    index,
    name: name || `GPU ${index}`,
    vramUsedBytes: used === null ? null : used * MiB,
    vramTotalBytes: total === null ? null : total * MiB,
    utilizationPct: utilization === null ? null : Math.min(100, utilization),
  };
}
