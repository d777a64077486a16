import {describe, expect, it} from 'vitest';
import type {HostPool} from '../../../src/manager/policy/hosts.js';
import {nextInChain} from '../../../src/manager/policy/fallback-chain.js';
import {pressureAction} from '../../../src/manager/policy/pressure-policy.js';
import {selectModel, type SelectionInput} from '../../../src/manager/policy/selection.js';
import {entry, GiB, keys} from './fixtures.js';

// Hosts as pools (DESIGN.md §9): candidates are (host, model) pairs; a local model that fits goes
// first, a host's model when local memory is under pressure or only the host has the tier, never a
// model on a host that is not up; a reply cut by its host ends on this machine if need be.

const localSmall = entry('local-3b', 'small', 2);
const localMedium = entry('local-7b', 'medium', 5);
const gpuSmall = entry('gpu-3b', 'small', 2, {host: 'gpu-box', backendId: 'openai:gpu-box'});
const gpuLarge = entry('gpu-70b', 'large', 40, {host: 'gpu-box', backendId: 'openai:gpu-box'});
const teamLarge = entry('team-70b', 'large', 40, {host: 'team', backendId: 'openai:team'});
const teamSmall = entry('team-3b', 'small', 2, {host: 'team', backendId: 'openai:team'});

const up = (extra = {}) => ({health: 'up' as const, ...extra});
const pool = (overrides: Record<string, object> = {}): HostPool => ({
  local: {health: 'up'},
  'gpu-box': up({priority: 1, latencyMs: 4}),
  team: up({priority: 0, latencyMs: 30}),
  ...overrides,
});

function input(row: Partial<SelectionInput> & {wanted?: 'small' | 'medium' | 'large'; hosts?: HostPool; ramGiB?: number}): SelectionInput {
  const {wanted = 'small', hosts = pool(), ramGiB = 16, ...rest} = row;
  return {
    entries: [localSmall, localMedium, gpuSmall, gpuLarge, teamLarge, teamSmall],
    memory: {ramBytes: ramGiB * GiB, hosts},
    headroomBytes: GiB,
    loadedKeys: keys(),
    currentKey: null,
    autoSwitch: true,
    rules: {stayUpTurns: 3, switchCostBudgetMs: 60_000, thresholds: {medium: 0.3, large: 0.6}},
    task: {wantedTier: wanted, score: {small: 0, medium: 0.35, large: 0.7}[wanted], turn: 1},
    ...rest,
  };
}

describe('selectModel with hosts', () => {
  it.each<{name: string; row: Parameters<typeof input>[0]; key: string | null; reason?: string}>([
    {name: 'local fits → local', row: {wanted: 'small'}, key: 'local-3b', reason: 'the message asks for small: local-3b'},
    {name: 'a medium task that fits locally stays local', row: {wanted: 'medium'}, key: 'local-7b'},
    {
      name: 'local under pressure → host',
      row: {wanted: 'small', hosts: pool({local: {health: 'up', underPressure: true}})},
      key: 'gpu-3b',
      reason: 'the message asks for small: gpu-3b on gpu-box (local memory is under pressure)',
    },
    {
      name: 'the task wants a tier only a host has → host',
      row: {wanted: 'large'},
      key: 'gpu-70b',
      reason: 'the message asks for large: gpu-70b on gpu-box (no local large model fits)',
    },
    {name: 'the higher-priority host first', row: {wanted: 'large'}, key: 'gpu-70b'},
    {name: 'host down → next host', row: {wanted: 'large', hosts: pool({'gpu-box': {health: 'down'}})}, key: 'team-70b'},
    {name: 'a host reconnecting is not asked', row: {wanted: 'large', hosts: pool({'gpu-box': {health: 'reconnecting'}})}, key: 'team-70b'},
    {
      name: 'every host down → the largest local tier',
      row: {wanted: 'large', hosts: pool({'gpu-box': {health: 'down'}, team: {health: 'down'}})},
      key: 'local-7b',
    },
    {name: 'equal priority: the lower latency', row: {wanted: 'large', hosts: pool({'gpu-box': up({latencyMs: 80}), team: up({latencyMs: 5})})}, key: 'team-70b'},
    {name: 'a host limited to small is not asked for large', row: {wanted: 'large', hosts: pool({'gpu-box': up({priority: 1, maxTier: 'small'})})}, key: 'team-70b'},
    {
      name: 'a host that reports its memory: a model too big for it is not asked',
      row: {wanted: 'large', hosts: pool({'gpu-box': up({priority: 1, memory: {ramBytes: 24 * GiB}})})},
      key: 'team-70b',
    },
    {name: 'a host\'s model is judged by the host, not by this machine\'s 4 GiB', row: {wanted: 'large', ramGiB: 4}, key: 'gpu-70b'},
    {
      name: 'a remote model of the same tier gives way to a local one that fits',
      row: {wanted: 'small', currentKey: 'gpu-3b', loadedKeys: keys('gpu-3b')},
      key: 'local-3b',
    },
  ])('$name', ({row, key, reason}) => {
    const decision = selectModel(input(row));
    expect(decision.key).toBe(key);
    if (reason) expect(decision.reason).toBe(reason);
  });

  it('without host information, a remote model is left to its host to judge', () => {
    const decision = selectModel({...input({wanted: 'large'}), memory: {ramBytes: 4 * GiB}});
    expect(decision.key).toBe('gpu-70b');
  });
});

describe('nextInChain with hosts: a host that drops mid-reply', () => {
  const chainInput = (from: typeof gpuLarge, hosts: HostPool, entries = [localSmall, localMedium, gpuSmall, gpuLarge, teamLarge, teamSmall]) => ({
    entries,
    from,
    chains: {large: ['medium' as const, 'small' as const], medium: ['small' as const]},
    excluded: keys(),
    memory: {ramBytes: 16 * GiB, hosts},
    headroomBytes: GiB,
    loadedKeys: keys(gpuLarge.key),
    why: 'backend gone (the connection dropped)',
  });

  it.each<{name: string; from: typeof gpuLarge; hosts: HostPool; entries?: typeof localSmall[]; key: string | null; reason?: string}>([
    {name: 'the same tier on another host that is up', from: gpuLarge, hosts: pool({'gpu-box': {health: 'reconnecting'}}), key: 'team-70b'},
    {
      name: 'no other host up: down the chain to a local model',
      from: gpuLarge,
      hosts: pool({'gpu-box': {health: 'reconnecting'}, team: {health: 'down'}}),
      key: 'local-7b',
      reason: 'gpu-70b: backend gone (the connection dropped); next in the large → medium → small chain: local-7b',
    },
    {
      name: 'a small remote model with no chain of its own still ends on this machine',
      from: gpuSmall,
      hosts: pool({'gpu-box': {health: 'reconnecting'}, team: {health: 'down'}}),
      entries: [localMedium, gpuSmall, teamSmall],
      key: 'local-7b',
      reason: 'gpu-3b on gpu-box: backend gone (the connection dropped); on this machine: local-7b',
    },
  ])('$name', ({from, hosts, entries, key, reason}) => {
    const step = nextInChain(chainInput(from, hosts, entries));
    expect(step.key).toBe(key);
    if (reason) expect(step.reason).toBe(reason);
  });
});

describe('pressureAction with hosts', () => {
  it('a model on another host is not switched away from for this machine\'s memory', () => {
    const action = pressureAction({
      now: 10_000,
      levels: {cpu: 'ok', ram: 'critical', vram: 'ok', gpus: []},
      changes: [{resource: 'ram', from: 'ok', to: 'critical', value: 3, at: 0}],
      switchDownAfterMs: 2000,
      switchUpAfterMs: 30_000,
      spareEngine: false,
      idleKeys: [],
      entries: [localSmall, gpuLarge],
      memory: {ramBytes: GiB, hosts: pool()},
      headroomBytes: GiB,
      loadedKeys: keys(gpuLarge.key),
      currentKey: gpuLarge.key,
      freedBySwitchBytes: 0,
      wantedTier: 'large',
      canSwitch: true,
    });
    expect(action).toEqual({action: 'none', reason: 'RAM critical for 10.0 s: gpu-70b runs on gpu-box, not in this machine\'s memory'});
  });
});
