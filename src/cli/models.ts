import {formatBytes} from '../util/format.js';
import type {MaiOptions} from '../mai.js';
import {LOCAL_HOST, type ModelEntry} from '../store.js';
import {EXIT_OK} from './exit-codes.js';
import {formatTable, printJson, printLine} from './output.js';
import {withMai} from './session.js';

export function modelJson(entry: ModelEntry, loaded: boolean) {
  return {
    key: entry.key,
    displayName: entry.displayName,
    source: entry.backendId,
    /** Every backend that can run it, the one used first; `key` is the name that backend knows. */
    sources: (entry.sources ?? []).map((source) => ({backend: source.backendId, kind: source.kind, key: source.key, host: source.host ?? 'local'})),
    /** The machine it runs on: `local`, or a host of the config. */
    host: entry.host ?? 'local',
    path: entry.path ?? null,
    sizeBytes: entry.sizeBytes,
    params: entry.params ?? null,
    quant: entry.quant ?? null,
    arch: entry.arch ?? null,
    tier: entry.tier,
    contextLength: entry.contextLength,
    estimateBytes: entry.estimateBytes,
    fits: entry.fits,
    /** True for a model on a host that reports no memory: its own answer to a load decides. */
    fitUnknown: entry.fitUnknown ?? false,
    loaded,
    demo: entry.demo,
    /** Loaded in LM Studio, and by whom ("user" models are never unloaded by mai). */
    loadedBy: entry.loadedBy ?? null,
    unusable: entry.unusable ?? null,
  };
}

/** "lmstudio", "embedded", or "lmstudio+embedded": the backends that can run it, the one used first. */
function sourceColumn(entry: ModelEntry): string {
  const ids = (entry.sources ?? []).map((source) => source.backendId);
  return ids.length > 0 ? [...new Set(ids)].join('+') : entry.backendId;
}

function note(entry: ModelEntry): string {
  if (entry.unusable) return `unusable: ${entry.unusable}`;
  if (entry.demo) return 'demo model (fixed answer)';
  if (entry.loadedBy === 'user') return 'loaded in LM Studio by you (mai never unloads it)';
  if (entry.loadedBy === 'mai') return 'loaded in LM Studio by mai';
  if (entry.fitUnknown && entry.host) return `on ${entry.host}: the host decides whether it fits`;
  if (entry.host) return entry.fits ? `on ${entry.host}` : `on ${entry.host} (not reachable now)`;
  return entry.fits ? '' : 'does not fit in available memory';
}

/** `mai models`: every known model, its source, size, tier, context, estimate and whether it fits. */
export async function models(options: MaiOptions & {readonly json?: boolean}): Promise<number> {
  return withMai(options, async ({mai}) => {
    const entries = await mai.catalog();
    const loaded = new Set(mai.models.loadedHandles().map((handle) => handle.key));
    const available = mai.store.getState().resources[LOCAL_HOST]?.memory?.availableBytes ?? 0;
    if (options.json) {
      printJson({availableBytes: available, models: entries.map((entry) => modelJson(entry, loaded.has(entry.key)))});
      return EXIT_OK;
    }
    if (entries.length === 0) {
      printLine('No models found. Put GGUF files in ~/.lmstudio/models or MAI_MODELS_DIR.');
      return EXIT_OK;
    }
    const rows = [['MODEL', 'SOURCE', 'TIER', 'SIZE', 'CONTEXT', 'NEEDS', 'FITS', 'NOTE']];
    for (const entry of entries) {
      rows.push([
        entry.key,
        sourceColumn(entry),
        entry.tier,
        formatBytes(entry.sizeBytes),
        // A file whose header could not be read has no context to show ('-', not 0), and a model that
        // cannot be used needs nothing (its FITS is '-' too).
        entry.contextLength > 0 ? String(entry.contextLength) : '-',
        entry.unusable || entry.estimateBytes <= 0 ? '-' : formatBytes(entry.estimateBytes),
        entry.unusable ? '-' : entry.fitUnknown && entry.fits ? '?' : entry.fits ? 'yes' : 'no',
        note(entry),
      ]);
    }
    for (const line of formatTable(rows)) printLine(line);
    printLine(`\n${formatBytes(available)} of memory available now.`);
    return EXIT_OK;
  });
}
