import {formatBytes, formatPercent} from '../format.js';
import type {MaiOptions} from '../mai.js';
import {selectBestModel} from '../models/select.js';
import {backendLine} from './backend-line.js';
import {EXIT_OK} from './exit-codes.js';
import {printJson, printLine} from './output.js';
import {withMai} from './session.js';

// The first CPU sample counts from boot; a second one this far apart gives the load now.
const CPU_SAMPLE_GAP_MS = 250;

/** `mai status`: the model mai would use, what is loaded, resources, backends. */
export async function status(options: MaiOptions & {readonly json?: boolean}): Promise<number> {
  return withMai(options, async ({mai}) => {
    const entries = await mai.catalog();
    await new Promise((resolve) => setTimeout(resolve, CPU_SAMPLE_GAP_MS));
    const sample = await mai.sampleResources();
    const selection = selectBestModel({entries, preferredKey: mai.models.preferred(), availableBytes: sample.memory.availableBytes});
    const current = await mai.getStatus();
    const document = {
      ...current,
      selectedModel: selection ? {key: selection.key, reason: selection.reason} : null,
      preferredModel: mai.models.preferred(),
    };
    if (options.json) {
      printJson(document);
      return EXIT_OK;
    }
    const memory = current.resources.memory;
    printLine(`model      ${selection ? `${selection.key} (${selection.reason})` : 'none available'}`);
    printLine(`loaded     ${current.loaded.map((model) => model.key).join(', ') || 'nothing (models load when a chat starts)'}`);
    printLine(`cpu        ${current.resources.cpuPct === null ? '…' : formatPercent(current.resources.cpuPct)}`);
    if (memory) {
      printLine(`memory     ${formatBytes(memory.availableBytes)} available of ${formatBytes(memory.totalBytes)}`);
      printLine(`swap       ${formatBytes(memory.swapUsedBytes)} used of ${formatBytes(memory.swapTotalBytes)}`);
    }
    printLine(`mai        ${formatBytes(current.resources.maiRssBytes)} resident`);
    for (const backend of current.backends) printLine(`backend    ${backendLine(backend)}`);
    return EXIT_OK;
  });
}
