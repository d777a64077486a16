import {readdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import type {Systeminformation} from 'systeminformation';
import {sanitizeForTerminal} from '../util/sanitize.js';
import type {GpuSample} from '../store.js';

// GPUs as systeminformation's graphics() reports them, for machines where nvidia-smi is not there:
// Apple Silicon (unified memory), AMD and Intel. It spawns lspci or system_profiler on each call,
// so it is read at start and then rarely (see gpu-monitor.ts).

export type GraphicsController = Pick<
  Systeminformation.GraphicsControllerData,
  'vendor' | 'model' | 'vram' | 'vramDynamic' | 'memoryTotal' | 'memoryUsed' | 'utilizationGpu' | 'name'
>;

// Display adapters that run no models: virtual machines' (Cirrus, VMware, virtio, QXL, Hyper-V)
// and servers' management controllers (ASPEED, Matrox). Only these vendors make GPUs a model can use.
const COMPUTE_VENDORS = /nvidia|amd|advanced micro|\bati\b|intel|apple|qualcomm/i;

const MiB = 1024 ** 2;

function positive(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

function nonNegative(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/**
 * The GPUs among `controllers`. On Apple Silicon and for integrated GPUs (dynamic VRAM) the GPU
 * shares the machine's RAM: no VRAM figures of its own.
 */
export function gpusFromGraphics(controllers: readonly GraphicsController[], platform: NodeJS.Platform, arch: string): GpuSample[] {
  const appleSilicon = platform === 'darwin' && arch === 'arm64';
  const gpus: GpuSample[] = [];
  for (const controller of controllers) {
    const vendor = controller.vendor ?? '';
    const label = [vendor, controller.model ?? '', controller.name ?? ''].join(' ');
    if (!COMPUTE_VENDORS.test(label)) continue;
    const shared = controller.vramDynamic || (appleSilicon && /apple/i.test(label));
    const model = controller.model || controller.name || vendor;
    const withVendor = model.toLowerCase().includes(vendor.toLowerCase()) ? model : `${vendor} ${model}`;
    const name = sanitizeForTerminal(withVendor).replace(/\s+/g, ' ').trim() || `GPU ${gpus.length}`;
    const total = shared ? null : positive(controller.memoryTotal) ?? positive(controller.vram);
    const used = shared || total === null ? null : nonNegative(controller.memoryUsed);
    gpus.push({
      index: gpus.length,
      name,
      vramTotalBytes: total === null ? null : total * MiB,
      vramUsedBytes: used === null ? null : used * MiB,
      utilizationPct: nonNegative(controller.utilizationGpu),
      sharedMemory: shared,
    });
  }
  return gpus;
}

// PCI vendor IDs of the GPU makers above (NVIDIA, AMD, Intel, Qualcomm), as sysfs writes them.
const COMPUTE_PCI_VENDORS = new Set(['0x10de', '0x1002', '0x8086', '0x5143']);

/**
 * Whether Linux has a display driver bound to a GPU that could run a model: any of
 * /sys/class/drm/card<N>/device/vendor is one of those vendors. Without one, graphics() would only
 * find a virtual machine's adapter or nothing, after running lspci: mai skips it (and loading
 * systeminformation, 430 KB of code) and shows "no GPU".
 */
export async function linuxHasComputeGpu(drm = '/sys/class/drm'): Promise<boolean> {
  const cards = (await readdir(drm).catch(() => [])).filter((name) => /^card\d+$/.test(name));
  const vendors = await Promise.all(cards.map((card) => readFile(path.join(drm, card, 'device', 'vendor'), 'utf8').catch(() => '')));
  return vendors.some((vendor) => COMPUTE_PCI_VENDORS.has(vendor.trim().toLowerCase()));
}
