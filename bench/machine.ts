import {readFileSync} from 'node:fs';
import os from 'node:os';

// What a results file says about where it was measured: the figures only mean something beside it.

export type MachineInfo = {
  host: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  node: string;
  nodeLlamaCpp: string;
  loadAverage: number[];
};

export function machineInfo(): MachineInfo {
  // The package exports no ./package.json; dist/bench/ is two folders below the repository.
  const engine = JSON.parse(readFileSync(new URL('../../node_modules/node-llama-cpp/package.json', import.meta.url), 'utf8')) as {version: string};
  return {
    host: os.hostname(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
    nodeLlamaCpp: engine.version,
    loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}
