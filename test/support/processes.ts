import {execFileSync} from 'node:child_process';

/** Whether a process with this pid is alive. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resident memory of a process in bytes (ps, so it works on Linux and macOS); 0 when it is gone. */
export function residentBytes(pid: number): number {
  try {
    return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], {encoding: 'utf8'}).trim()) * 1024;
  } catch {
    return 0;
  }
}
