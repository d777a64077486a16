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

/** The command lines of every process below `rootPid` (children, theirs, and so on), from `ps`. */
export function descendantCommands(rootPid: number): string[] {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,args='], {encoding: 'utf8'})
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(([, pid, ppid, args]) => ({pid: Number(pid), ppid: Number(ppid), args: args ?? ''}));
  const below = new Set([rootPid]);
  // ps lists parents before most children but not always (pids wrap): repeat until nothing is added.
  for (let size = 0; size !== below.size; ) {
    size = below.size;
    for (const row of rows) if (below.has(row.ppid)) below.add(row.pid);
  }
  return rows.filter((row) => row.pid !== rootPid && below.has(row.pid)).map((row) => row.args);
}
