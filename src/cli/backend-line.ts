import type {BackendReport, HostReport} from '../mai.js';

// One backend in `mai status`'s human output.

/** "lmstudio: LM Studio 0.3.99, connected at ws://…" or "…: not running at ws://… (start it with `lms server start`)". */
export function backendLine(backend: BackendReport): string {
  if (backend.state === undefined) return `${backend.id} (${backend.kind}): ${backend.available ? 'available' : 'not running'}`;
  const name = backend.kind === 'lmstudio' ? 'LM Studio' : backend.kind;
  const where = backend.url ? ` at ${backend.url}` : '';
  if (backend.state === 'connected') return `${backend.id}: ${name}${backend.version ? ` ${backend.version}` : ''}, connected${where}`;
  if (backend.state === 'not-running') return `${backend.id}: ${name} not running${where} (start it with \`lms server start\`, or set LMSTUDIO_URL)`;
  return `${backend.id}: ${name} ${backend.state}${where}${backend.detail ? ` (${backend.detail})` : ''}`;
}

/** "gpu-box: connected, 4.2 ms, 3 models at http://10.0.0.5:8080" or "gpu-box: reconnecting at …". */
export function hostLine(host: HostReport): string {
  const where = host.url ? ` at ${host.url}` : '';
  if (host.state !== 'up') return `${host.name}: ${host.state}${where}${host.detail ? ` (${host.detail})` : ''}`;
  const latency = host.latencyMs === null ? '' : `, ${host.latencyMs < 10 ? host.latencyMs.toFixed(1) : Math.round(host.latencyMs)} ms`;
  const count = host.models.length;
  return `${host.name}: connected${latency}, ${count} ${count === 1 ? 'model' : 'models'}${where}`;
}
