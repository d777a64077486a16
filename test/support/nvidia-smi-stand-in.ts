import {appendFileSync, chmodSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

// A stand-in for `nvidia-smi` on machines without an NVIDIA GPU (this one, and CI): a real process
// that takes the same arguments and prints the same stream, in the format nvidia-smi documents
// (`nvidia-smi --help-query-gpu`: --format=csv,noheader,nounits gives one line per GPU, fields
// joined by ", ", MiB and %, "[N/A]" for a value the GPU does not report). It was written from that
// documentation, not captured from a real GPU.
//
// Environment:
//   STAND_IN_GPUS      JSON list of {name, usedMiB, totalMiB, utilization} (strings allowed: "[N/A]")
//   STAND_IN_PID_LOG   a file to which each start appends its pid (tests count the starts)
//   STAND_IN_FAIL      "driver": print the driver error and exit 9, as nvidia-smi does without a driver

type Gpu = {readonly name: string; readonly usedMiB: number | string; readonly totalMiB: number | string; readonly utilization: number | string};

function run(): void {
  if (process.env.STAND_IN_PID_LOG) appendFileSync(process.env.STAND_IN_PID_LOG, `${process.pid}\n`);
  if (process.env.STAND_IN_FAIL === 'driver') {
    process.stdout.write(
      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n",
    );
    process.exit(9);
  }
  const args = process.argv.slice(2);
  const query = args.find((arg) => arg.startsWith('--query-gpu='));
  const format = args.find((arg) => arg.startsWith('--format='));
  const loopAt = args.indexOf('-lms');
  if (query !== '--query-gpu=index,name,memory.used,memory.total,utilization.gpu' || format !== '--format=csv,noheader,nounits') {
    process.stderr.write(`stand-in nvidia-smi: unexpected arguments ${args.join(' ')}\n`);
    process.exit(2);
  }
  const gpus = JSON.parse(process.env.STAND_IN_GPUS ?? '[]') as Gpu[];
  // A reader gone (mai exited) closes the pipe: the real nvidia-smi dies of SIGPIPE; Node sees EPIPE.
  process.stdout.on('error', () => process.exit(0));
  let tick = 0;
  const print = () => {
    tick += 1;
    const lines = gpus.map((gpu, index) => {
      // Memory use moves a little between readings, as it does on a real GPU.
      const used = typeof gpu.usedMiB === 'number' ? gpu.usedMiB + (tick % 3) : gpu.usedMiB;
      return `${index}, ${gpu.name}, ${used}, ${gpu.totalMiB}, ${gpu.utilization}\n`;
    });
    process.stdout.write(lines.join(''));
  };
  print();
  if (loopAt < 0) return;
  setInterval(print, Number(args[loopAt + 1]));
}

/** Writes an executable `nvidia-smi` into `dir` that runs this stand-in (put `dir` first in PATH). */
export function installNvidiaSmiStandIn(dir: string): string {
  // Called from the tests' sources; the stand-in runs as built into dist/ by global-setup.
  const script = fileURLToPath(new URL('../../dist/test/support/nvidia-smi-stand-in.js', import.meta.url));
  const target = path.join(dir, 'nvidia-smi');
  writeFileSync(target, `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`);
  chmodSync(target, 0o755);
  return target;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) run();
