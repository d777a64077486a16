import {formatBytes, formatPercent} from '../util/format.js';
import type {ResourceStatus} from '../monitor/resource-status.js';

// The human form of the resource figures, shared by `mai status` and `mai status --watch`: one
// line per resource, the same order as the TUI's gauge.

const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

export function resourceBlock(resources: ResourceStatus): string[] {
  const {cpu, memory, gpus, pressure} = resources;
  const lines: string[] = [];
  const cores = cpu && cpu.perCorePct.length > 1 ? ` (cores ${cpu.perCorePct.map((pct) => formatPercent(pct)).join(' ')})` : '';
  lines.push(`cpu        ${cpu ? `${formatPercent(cpu.totalPct)}${cores}` : '…'}`);
  if (memory) {
    lines.push(`memory     ${gib(memory.availableBytes)} available of ${gib(memory.totalBytes)}`);
    lines.push(`swap       ${memory.swapTotalBytes > 0 ? `${gib(memory.swapUsedBytes)} used of ${gib(memory.swapTotalBytes)}` : 'none'}`);
  }
  if (gpus.length === 0) lines.push('gpu        no GPU');
  for (const gpu of gpus) {
    const label = `gpu ${gpu.index}`.padEnd(11);
    const busy = gpu.utilizationPct === null ? '' : `, ${formatPercent(gpu.utilizationPct)} busy`;
    if (gpu.sharedMemory) lines.push(`${label}${gpu.name}: memory shared with RAM${busy}`);
    else if (gpu.vramTotalBytes === null || gpu.vramUsedBytes === null) lines.push(`${label}${gpu.name}: memory not reported${busy}`);
    else lines.push(`${label}${gpu.name}: ${gib(gpu.vramUsedBytes)} of ${gib(gpu.vramTotalBytes)} VRAM used${busy}`);
  }
  lines.push(`pressure   cpu ${pressure.cpu} · ram ${pressure.ram} · vram ${gpus.length === 0 ? '-' : pressure.vram}`);
  const models = Object.entries(resources.modelRssBytes);
  lines.push(`mai        ${formatBytes(resources.maiRssBytes)} resident${models.length > 0 ? `; models ${models.map(([key, bytes]) => `${key} ${formatBytes(bytes)}`).join(', ')}` : ''}`);
  return lines;
}
