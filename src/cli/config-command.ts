import {loadConfig, resolvePaths} from '../config.js';
import {EXIT_OK} from './exit-codes.js';
import {printLine, yamlForTerminal} from './output.js';

export type ConfigCommandOptions = {readonly configPath?: string; readonly check?: boolean; readonly path?: boolean};

/** `mai config`: the effective config, its validation (--check), or where the user's file lives. */
export async function configCommand(options: ConfigCommandOptions): Promise<number> {
  if (options.path) {
    printLine(options.configPath ?? resolvePaths().configFile);
    return EXIT_OK;
  }
  const loaded = await loadConfig(options.configPath ? {configPath: options.configPath} : {});
  if (options.check) {
    printLine(`ok: ${loaded.sources.join(', ')}`);
    return EXIT_OK;
  }
  printLine(`# effective config from ${loaded.sources.join(', ')}`);
  process.stdout.write(yamlForTerminal(loaded.config));
  return EXIT_OK;
}
