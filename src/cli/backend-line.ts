import type {BackendReport} from '../mai.js';

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
