import {render} from 'ink';
import {CpuMeter} from '../src/monitor/cpu-meter.js';
import {readMemory} from '../src/monitor/memory-reader.js';
import {formatGiBPair, formatPercent, sparkline} from '../src/util/format.js';
import {NaiveChat} from './naive-ink-chat.js';

// The idle baseline of P4 (bench/start-up.ts): the naive Ink chat of P2 with the figures mai's
// gauges show, read the same way once a second (mai's own /proc readers, so the two differ only in
// how they draw): CPU and RAM, each with its sparkline. Run in a terminal, with Ink as the bundled
// `mai` has it (`node --import scripts/ink-patch-hooks.js`, as P2's children).

const HISTORY = 120;
const SPARK_CELLS = 12;

const cpu = new CpuMeter();
const cpuHistory: number[] = [];
const ramHistory: number[] = [];

async function figuresLine(): Promise<string> {
  const [load, memory] = await Promise.all([cpu.read(), readMemory()]);
  cpuHistory.push(load.totalPct);
  ramHistory.push((memory.usedBytes / memory.totalBytes) * 100);
  for (const history of [cpuHistory, ramHistory]) if (history.length > HISTORY) history.shift();
  const cpuText = `CPU ${formatPercent(load.totalPct)} ${sparkline(cpuHistory, SPARK_CELLS, 'braille')}`;
  const ramText = `RAM ${formatGiBPair(memory.usedBytes, memory.totalBytes)} ${sparkline(ramHistory, SPARK_CELLS, 'braille')}`;
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
