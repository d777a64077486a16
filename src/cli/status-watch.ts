import type {Mai} from '../mai.js';
import {resourceStatus} from '../monitor/resource-status.js';
import {jsonForTerminal, sanitizeForTerminal} from '../util/sanitize.js';
import {LOCAL_HOST} from '../store.js';
import {EXIT_OK} from './exit-codes.js';
import {resourceBlock} from './resource-block.js';

// `mai status --watch`: the resource figures live, sample by sample, until Ctrl+C. On a terminal
// one block is redrawn in place; otherwise (a pipe, a file) each sample is appended: a block of
// lines, or with --json one JSON document per line.

// Back to the first line of the block drawn before (CSI n F), then each line cleared to its end.
const up = (lines: number) => (lines > 0 ? `\x1b[${lines}F` : '');
const CLEAR_LINE_END = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

export async function watchStatus(mai: Mai, signal: AbortSignal, options: {readonly json?: boolean}): Promise<number> {
  const out = process.stdout;
  const inPlace = out.isTTY && !options.json;
  const intervalS = (mai.config.policy.sampleIntervalMs / 1000).toFixed(1);
  let drawnLines = 0;

  const draw = (): boolean => {
    const host = mai.store.getState().resources[LOCAL_HOST];
    if (!host || host.sampledAt === 0) return true;
    const status = resourceStatus(host, host.maiRssBytes);
    if (options.json) return out.write(jsonForTerminal({at: new Date(host.sampledAt).toISOString(), ...status}) + '\n');
    const time = new Date(host.sampledAt).toLocaleTimeString();
    const lines = [`mai status · ${time} · every ${intervalS} s · Ctrl+C stops`, ...resourceBlock(status)].map(sanitizeForTerminal);
    if (!inPlace) return out.write(lines.join('\n') + '\n\n');
    const text = up(drawnLines) + lines.map((line) => line + CLEAR_LINE_END).join('\n') + '\n' + CLEAR_BELOW;
    drawnLines = lines.length;
    return out.write(text);
  };

  return new Promise<number>((resolve) => {
    let lastSample = 0;
    // A reader that went away (`mai status --watch --json | head -3`) ends the watch quietly.
    const onError = () => finish();
    const unsubscribe = mai.store.subscribe((state) => {
      const sampledAt = state.resources[LOCAL_HOST]?.sampledAt ?? 0;
      if (sampledAt === lastSample) return;
      lastSample = sampledAt;
      draw();
    });
    // The monitor's timers never hold a process open (unref'd, so a forgotten monitor cannot hang
    // mai's exit); the watch is what holds this one open, until Ctrl+C.
    const keepAlive = setInterval(() => undefined, 2 ** 30);
    function finish() {
      clearInterval(keepAlive);
      unsubscribe();
      out.off('error', onError);
      signal.removeEventListener('abort', finish);
      if (inPlace) out.write(SHOW_CURSOR);
      resolve(EXIT_OK);
    }
    out.on('error', onError);
    signal.addEventListener('abort', finish, {once: true});
    if (signal.aborted) return finish();
    if (inPlace) out.write(HIDE_CURSOR);
    mai.monitorResources();
  });
}
