import {render} from 'ink';
import {CpuMeter} from '../src/monitor/cpu-meter.js';
import {readMemory} from '../src/monitor/memory-reader.js';
import {RingBuffer} from '../src/monitor/ring-buffer.js';
import {HISTORY_LENGTH} from '../src/store.js';
import {formatGiBPair, formatPercent, sparkline} from '../src/util/format.js';
import {NaiveChat} from './naive-ink-chat.js';

// The idle baseline of P4 (bench/start-up.ts): the naive Ink chat of P2 with the figures mai's
// gauges show, read the same way once a second (mai's own /proc readers, so the two differ only in
// how they draw): CPU and RAM, each with its sparkline. Run in a terminal, with Ink as the bundled
// `mai` has it (`node --import scripts/ink-patch-hooks.js`, as P2's children).

const SPARK_CELLS = 12;

const cpu = new CpuMeter();
// As long a history as the monitor keeps for mai's sparklines.
const cpuHistory = new RingBuffer(HISTORY_LENGTH);
const ramHistory = new RingBuffer(HISTORY_LENGTH);

async function figuresLine(): Promise<string> {
  const [load, memory] = await Promise.all([cpu.read(), readMemory()]);
  cpuHistory.push(load.totalPct);
  ramHistory.push((memory.usedBytes / memory.totalBytes) * 100);
  const cpuText = `CPU ${formatPercent(load.totalPct)} ${sparkline(cpuHistory.toArray(), SPARK_CELLS, 'braille')}`;
  const ramText = `RAM ${formatGiBPair(memory.usedBytes, memory.totalBytes)} ${sparkline(ramHistory.toArray(), SPARK_CELLS, 'braille')}`;
  return `${cpuText}   ${ramText}`;
}

const figures = (listener: (line: string) => void) => {
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    void figuresLine().then((line) => {
      listener(line);
      timer = setTimeout(tick, 1000);
    });
  };
  tick();
  return () => clearTimeout(timer);
};

render(<NaiveChat history={[]} tokens={() => () => {}} figures={figures} />, {exitOnCtrlC: true, patchConsole: false});
