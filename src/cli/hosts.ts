import type {HostReport, MaiOptions} from '../mai.js';
import {EXIT_OK} from './exit-codes.js';
import {formatTable, printJson, printLine} from './output.js';
import {withMai} from './session.js';

// `mai hosts`: every machine mai can run models on (DESIGN.md §9), `local` first, with its state,
// latency and models. Never a key: only whether one is sent.

const STATE_TEXT: Readonly<Record<HostReport['state'], string>> = {up: 'connected', reconnecting: 'reconnecting', down: 'down'};

function latencyText(host: HostReport): string {
  if (host.kind === 'local') return '-';
  return host.latencyMs === null ? '?' : `${host.latencyMs < 10 ? host.latencyMs.toFixed(1) : Math.round(host.latencyMs)} ms`;
}

function modelsText(host: HostReport): string {
  if (host.models.length === 0) return host.state === 'up' ? 'no models' : '';
  return host.models.map((model) => (model.tokensPerSecond === null ? model.key : `${model.key} (${Math.round(model.tokensPerSecond)} tok/s)`)).join(', ');
}

export async function hosts(options: MaiOptions & {readonly json?: boolean}): Promise<number> {
  return withMai(options, async ({mai}) => {
    await mai.catalog();
    const reports = mai.hostReports();
    if (options.json) {
      printJson({hosts: reports});
      return EXIT_OK;
    }
    const rows = [['HOST', 'KIND', 'STATE', 'LATENCY', 'URL', 'MODELS']];
    for (const host of reports) {
      const state = host.detail && host.state !== 'up' ? `${STATE_TEXT[host.state]} (${host.detail})` : STATE_TEXT[host.state];
      rows.push([host.name, host.kind === 'openai' ? 'openai-compatible' : host.kind, state, latencyText(host), host.url ?? '-', modelsText(host)]);
    }
    for (const line of formatTable(rows)) printLine(line);
    if (reports.length === 1) printLine('\nNo other hosts. Add some under `hosts:` in your config (`mai config --path`); see the README, "Several machines".');
    return EXIT_OK;
  });
}
