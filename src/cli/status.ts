import type {MaiOptions} from '../mai.js';
import {backendLine, hostLine} from './backend-line.js';
import {EXIT_OK} from './exit-codes.js';
import {printJson, printLine} from './output.js';
import {resourceBlock} from './resource-block.js';
import {withMai} from './session.js';
import {watchStatus} from './status-watch.js';
import {recentEvents} from '../util/recent-events.js';

/** A switch as `mai status` lists it, from the event log (switches of any mai process). */
type LoggedSwitch = {readonly at: string; readonly from: string | null; readonly to: string; readonly reason: string; readonly kind: string | null; readonly ms: number | null};

const SWITCHES_SHOWN = 5;

async function lastSwitches(logFile: string): Promise<LoggedSwitch[]> {
  const events = await recentEvents(logFile, 'switch', SWITCHES_SHOWN);
  return events.map((event) => ({
    at: new Date(typeof event.time === 'number' ? event.time : 0).toISOString(),
    from: typeof event.from === 'string' ? event.from : null,
    to: String(event.to),
    reason: String(event.reason ?? ''),
    kind: typeof event.kind === 'string' ? event.kind : null,
    ms: typeof event.ms === 'number' ? event.ms : null,
  }));
}

// CPU use is measured between two samples: a second one this long after the catalog's gives the
// load over a moment that is not all mai's own start.
const CPU_SAMPLE_GAP_MS = 250;

/** `mai status`: the model mai would use, what is loaded, resources, backends. */
export async function status(options: MaiOptions & {readonly json?: boolean; readonly watch?: boolean}): Promise<number> {
  return withMai(options, async ({mai, signal}) => {
    if (options.watch) return watchStatus(mai, signal, options);
    const entries = await mai.catalog();
    await new Promise((resolve) => setTimeout(resolve, CPU_SAMPLE_GAP_MS));
    await mai.sampleResources();
    const selection = entries.length > 0 ? await mai.plannedStart() : null;
    const current = await mai.getStatus();
    const switches = await lastSwitches(mai.paths.logFile);
    const {autoSwitch, pinnedKey} = mai.store.getState().models;
    const document = {
      ...current,
      selectedModel: selection ? {key: selection.key, reason: selection.reason} : null,
      preferredModel: mai.models.preferred(),
      pinnedModel: pinnedKey,
      autoSwitch,
      lastSwitches: switches,
    };
    if (options.json) {
      printJson(document);
      return EXIT_OK;
    }
    printLine(`model      ${selection ? `${selection.key} (${selection.reason})` : 'none available'}`);
    printLine(`loaded     ${current.loaded.map((model) => model.key).join(', ') || 'nothing (models load when a chat starts)'}`);
    for (const line of resourceBlock(current.resources)) printLine(line);
    // A host's backend is said on its host line.
    const hostBackends = new Set((current.hosts ?? []).map((host) => host.backendId));
    for (const backend of current.backends) if (!hostBackends.has(backend.id)) printLine(`backend    ${backendLine(backend)}`);
    for (const host of current.hosts ?? []) if (host.kind !== 'local') printLine(`host       ${hostLine(host)}`);
    printLine(`switching  ${pinnedKey ? `pinned to ${pinnedKey} (mai switch --auto unpins)` : autoSwitch ? 'automatic' : 'off'}`);
    for (const record of switches) {
      const took = record.ms === null ? '' : ` in ${(record.ms / 1000).toFixed(1)} s`;
      printLine(`switched   ${record.at.slice(0, 19).replace('T', ' ')}  ${record.from ?? '–'} → ${record.to}${took}: ${record.reason}`);
    }
    return EXIT_OK;
  });
}
