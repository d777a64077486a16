import {readdirSync, readFileSync, readlinkSync} from 'node:fs';

// Which TCP sockets a process tree listens on (Linux /proc): the socket inodes of each process's
// open files matched against the LISTEN entries of /proc/net/tcp and tcp6. Empty elsewhere.

const LISTEN = '0A';

/** The pids of `pid` and all its descendants, alive now. */
export function processTree(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  return tree;
}

function listeningInodes(): Map<string, string> {
  const inodes = new Map<string, string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === LISTEN && fields[9]) inodes.set(fields[9], fields[1] ?? '');
    }
  }
  return inodes;
}

/** "pid: local address (hex)" for every listening TCP socket that a process of the tree holds. */
export function listeningSocketsOf(pid: number): string[] {
  const listening = listeningInodes();
  const found: string[] = [];
  for (const member of processTree(pid)) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${member}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${member}/fd/${fd}`))?.[1];
        if (inode && listening.has(inode)) found.push(`${member}: ${listening.get(inode)}`);
      } catch {
        // Closed meanwhile.
      }
    }
  }
  return found;
}
