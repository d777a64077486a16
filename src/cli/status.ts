import type {MaiOptions} from '../mai.js';
import {selectBestModel} from '../manager/select.js';
import {backendLine} from './backend-line.js';
import {EXIT_OK} from './exit-codes.js';
import {printJson, printLine} from './output.js';
import {resourceBlock} from './resource-block.js';
import {withMai} from './session.js';
import {watchStatus} from './status-watch.js';

// CPU use is measured between two samples: a second one this long after the catalog's gives the
// load over a moment that is not all mai's own start.
const CPU_SAMPLE_GAP_MS = 250;

/** `mai status`: the model mai would use, what is loaded, resources, backends. */
export async function status(options: MaiOptions & {readonly json?: boolean; readonly watch?: boolean}): Promise<number> {
  return withMai(options, async ({mai, signal}) => {
    if (options.watch) return watchStatus(mai, signal, options);
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
    printLine(`model      ${selection ? `${selection.key} (${selection.reason})` : 'none available'}`);
    printLine(`loaded     ${current.loaded.map((model) => model.key).join(', ') || 'nothing (models load when a chat starts)'}`);
    for (const line of resourceBlock(current.resources)) printLine(line);
    for (const backend of current.backends) printLine(`backend    ${backendLine(backend)}`);
    return EXIT_OK;
  });
}
