import os from 'node:os';

// llama.cpp's CPU threads spin while they wait for each other, so more threads than free cores is
// ruinous: node-llama-cpp's default (max(4, cores)) made a tiny model 3 tok/s instead of 1,300+ on
// 2 cores (shared notes, node-llama-cpp facts). Decoding is bound by memory bandwidth, so past the
// physical cores nothing is gained; one core is left to the UI and the rest of the machine.
export function defaultThreadCount(logicalCores = os.availableParallelism()): number {
  if (logicalCores <= 2) return 1;
  // SMT machines report two logical cores per physical one.
  return Math.max(2, Math.min(8, Math.floor(logicalCores / 2)));
}
