import {describe, expect, it} from 'vitest';
import {parseMeminfo, readMemory} from '../../src/monitor/memory-reader.js';

// /proc/meminfo as captured on this machine (24 GiB, no swap), cut to the lines that matter and a few that do not.
const MEMINFO = `MemTotal:       24683548 kB
MemFree:        23946516 kB
MemAvailable:   24306440 kB
Buffers:          239764 kB
Cached:           283984 kB
SwapCached:            0 kB
Active(anon):       1512 kB
SwapTotal:             0 kB
SwapFree:              0 kB
HugePages_Total:       0
`;
const KIB = 1024;

describe('RAM from /proc/meminfo', () => {
  it('takes MemAvailable as available and the rest as used', () => {
    expect(parseMeminfo(MEMINFO)).toEqual({
      totalBytes: 24683548 * KIB,
      availableBytes: 24306440 * KIB,
      usedBytes: (24683548 - 24306440) * KIB,
      swapTotalBytes: 0,
      swapUsedBytes: 0,
    });
  });

  it('counts swap in use', () => {
    const withSwap = MEMINFO.replace('SwapTotal:             0 kB', 'SwapTotal:       2097148 kB').replace('SwapFree:              0 kB', 'SwapFree:        1048576 kB');
    expect(parseMeminfo(withSwap)).toMatchObject({swapTotalBytes: 2097148 * KIB, swapUsedBytes: (2097148 - 1048576) * KIB});
  });

  it('a kernel without MemAvailable (before 3.14): free + buffers + cached', () => {
    expect(parseMeminfo(MEMINFO.replace(/^MemAvailable:.*\n/m, ''))?.availableBytes).toBe((23946516 + 239764 + 283984) * KIB);
  });

  it('no MemTotal: nothing to go by', () => {
    expect(parseMeminfo('')).toBeNull();
    expect(parseMeminfo('MemFree: 100 kB\n')).toBeNull();
  });

  it("reads this machine's memory: total above available, available above zero", async () => {
    const memory = await readMemory();
    expect(memory.totalBytes).toBeGreaterThan(memory.availableBytes);
    expect(memory.availableBytes).toBeGreaterThan(0);
    expect(memory.usedBytes).toBe(memory.totalBytes - memory.availableBytes);
  });
});
