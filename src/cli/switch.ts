import type {MaiOptions} from '../mai.js';
import {writePreferences} from '../manager/preferences.js';
import {EXIT_OK, UsageError} from './exit-codes.js';
import {printJson, printLine, progress} from './output.js';
import {withMai} from './session.js';

/** `mai switch --auto`: no model pinned any more; mai picks one per message. */
export async function unpinModel(options: MaiOptions & {readonly json?: boolean}): Promise<number> {
  const {loadConfig} = await import('../config.js');
  const {paths} = await loadConfig({...(options.configPath ? {configPath: options.configPath} : {}), ...(options.env ? {env: options.env} : {})});
  await writePreferences(paths.stateDir, {});
  if (options.json) printJson({preferredModel: null, pinned: false});
  else printLine('No model is pinned: mai picks the model for each message again.');
  return EXIT_OK;
}

/** `mai switch K`: loads K to prove it runs here, then pins it for the next chats. */
export async function switchModel(key: string, options: MaiOptions & {readonly json?: boolean}): Promise<number> {
  return withMai({...options, model: key}, async ({mai}) => {
    const entries = await mai.catalog();
    if (!entries.some((entry) => entry.key === key)) {
      const near = entries.filter((entry) => entry.key.toLowerCase().includes(key.toLowerCase())).map((entry) => entry.key);
      const hint = near.length > 0 ? ` Did you mean ${near.slice(0, 3).join(', ')}?` : ' `mai models` lists them.';
      throw new UsageError(`no model named ${key}.${hint}`);
    }
    progress(`loading ${key}…`);
    const started = Date.now();
    await mai.switchTo(key, 'mai switch');
    const loadMs = Date.now() - started;
    await writePreferences(mai.paths.stateDir, {preferredModel: key});
    const handle = mai.models.current()?.handle;
    if (options.json) {
      printJson({preferredModel: key, loaded: true, loadMs, contextLength: handle?.contextLength ?? null});
    } else {
      printLine(`${key} is pinned for the next chats (loaded and checked in ${(loadMs / 1000).toFixed(1)} s); \`mai switch --auto\` unpins it.`);
    }
    return EXIT_OK;
  });
}
