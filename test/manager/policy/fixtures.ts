import type {Tier} from '../../../src/domain.js';
import type {PolicyEntry} from '../../../src/manager/policy/fit.js';
import {modelEntry} from '../../support/model-entries.js';

// A catalogue for the policy's table tests: sizes in GiB so that each row reads as a machine would.

export const GiB = 1024 ** 3;

export function entry(key: string, tier: Tier, estimateGiB: number, extra: Partial<PolicyEntry> = {}): PolicyEntry {
  return modelEntry(key, {tier, estimateBytes: estimateGiB * GiB, sizeBytes: estimateGiB * 0.8 * GiB, ...extra});
}

export const small = entry('small-3b', 'small', 2);
export const medium = entry('medium-7b', 'medium', 5);
export const large = entry('large-13b', 'large', 9);
export const demoSmall = entry('mai-demo-small', 'small', 0.2, {demo: true});
export const demoMedium = entry('mai-demo-medium', 'medium', 0.3, {demo: true});
export const demoLarge = entry('mai-demo-large', 'large', 0.4, {demo: true});

export const REAL = [small, medium, large] as const;
export const DEMO = [demoSmall, demoMedium, demoLarge] as const;

export const keys = (...list: string[]): ReadonlySet<string> => new Set(list);
