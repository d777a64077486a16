import {describe, expect, it} from 'vitest';
import {groupByHost, hostLine} from '../../components/host-groups.js';
import type {BackendStatus} from '../../src/store.js';
import {modelEntry} from '../support/model-entries.js';

// The models box with other hosts: models grouped by host, each under its state and latency.

const status = (host: string, state: BackendStatus['state'], latencyMs: number | null = null): BackendStatus => ({
  id: `openai:${host}`,
  kind: 'openai',
  state,
  url: `http://${host}:8080`,
  version: null,
  detail: null,
  host,
  latencyMs,
});

describe('hostLine', () => {
  it.each<[BackendStatus['state'] | undefined, number | null, string, string]>([
    ['connected', 4.24, '●', 'gpu-box 4.2 ms'],
    ['connected', 31.6, '●', 'gpu-box 32 ms'],
    ['connected', null, '●', 'gpu-box'],
    ['reconnecting', null, '◌', 'gpu-box: reconnecting…'],
    ['checking', null, '◌', 'gpu-box: checking…'],
    ['not-running', null, '○', 'gpu-box: down'],
    ['error', null, '✗', 'gpu-box: not answering'],
  ])('%s (%s ms) → %s %s', (state, latency, mark, text) => {
    const line = hostLine('gpu-box', state ? status('gpu-box', state, latency) : undefined);
    expect([line.mark, line.text]).toEqual([mark, text]);
  });

  it('sanitizes a host name', () => {
    expect(hostLine('evil\u001b]0;x\u0007box', status('x', 'connected')).text).not.toContain('\u001b');
  });
});

describe('groupByHost', () => {
  it('local first, then each host in the order mai tries them, a host without models still shown', () => {
    const rows = groupByHost(
      [modelEntry('big', {host: 'gpu-box'}), modelEntry('mine'), modelEntry('other', {host: 'team'})],
      {'openai:gpu-box': status('gpu-box', 'connected', 3), 'openai:team': status('team', 'reconnecting'), 'openai:attic': status('attic', 'not-running')},
    );
    expect(rows.map((row) => (row.kind === 'host' ? `# ${row.line.text}` : row.entry.key))).toEqual([
      '# local',
      'mine',
      '# gpu-box 3.0 ms',
      'big',
      '# team: reconnecting…',
      'other',
      '# attic: down',
    ]);
  });
});
