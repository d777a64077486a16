// What to try when the model to use does not fit (issue 10 item 5), in a fixed order that goes from
// what costs the user nothing to what costs the most: wait briefly for memory (a load or a build
// finishing elsewhere) → unload idle models mai loaded → a shorter context for the same model → a
// smaller tier → say what would fit. A step that cannot help is skipped; each comes once.

import {
  fitsNow,
  gibText,
  nearestBelow,
  realFirst,
  secondsText,
  shortfallText,
  usableEntries,
  type AvailableMemory,
  type PolicyEntry,
} from './fit.js';

export const DEGRADE_STEPS = ['wait-for-memory', 'unload-idle', 'shorter-context', 'smaller-tier', 'explain'] as const;
export type DegradeStepName = (typeof DEGRADE_STEPS)[number];

export type DegradeState = {
  /** The model that does not fit. */
  readonly target: PolicyEntry;
  readonly tried: readonly DegradeStepName[];
  readonly entries: readonly PolicyEntry[];
  readonly memory: AvailableMemory;
  readonly headroomBytes: number;
  readonly loadedKeys: ReadonlySet<string>;
  readonly excluded?: ReadonlySet<string>;
  /** Models mai loaded that are neither current nor answering. */
  readonly idleKeys: readonly string[];
  readonly memoryWaitMs: number;
  /** The target at the shortest context worth using, and its estimate then; absent when it cannot go shorter. */
  readonly shorterContext?: {readonly tokens: number; readonly estimateBytes: number} | null;
};

export type DegradeStep =
  | {readonly step: 'wait-for-memory'; readonly waitMs: number; readonly reason: string}
  | {readonly step: 'unload-idle'; readonly keys: readonly string[]; readonly reason: string}
  | {readonly step: 'shorter-context'; readonly contextTokens: number; readonly reason: string}
  | {readonly step: 'smaller-tier'; readonly key: string; readonly reason: string}
  | {readonly step: 'explain'; readonly reason: string};

/** The next step to take, or null once every step has been tried. */
export function nextDegradeStep(state: DegradeState): DegradeStep | null {
  for (const name of DEGRADE_STEPS) {
    if (state.tried.includes(name)) continue;
    const step = STEPS[name](state);
    if (step) return step;
  }
  return null;
}

const short = (state: DegradeState) => `${state.target.key} ${shortfallText(state.target, state.memory, state.headroomBytes)}`;

function fittingOthers(state: DegradeState): PolicyEntry[] {
  const others = usableEntries(state.entries, state.excluded).filter((entry) => entry.key !== state.target.key);
  return realFirst(others.filter((entry) => fitsNow(entry, state.memory, state.headroomBytes, state.loadedKeys)));
}

const STEPS: Readonly<Record<DegradeStepName, (state: DegradeState) => DegradeStep | null>> = {
  'wait-for-memory': (state) =>
    state.memoryWaitMs > 0
      ? {step: 'wait-for-memory', waitMs: state.memoryWaitMs, reason: `${short(state)}: waiting ${secondsText(state.memoryWaitMs)} for memory`}
      : null,
  'unload-idle': (state) =>
    state.idleKeys.length > 0
      ? {step: 'unload-idle', keys: state.idleKeys, reason: `${short(state)}: unloading idle ${state.idleKeys.join(', ')}`}
      : null,
  'shorter-context': (state) => {
    const shorter = state.shorterContext;
    if (!shorter || !fitsNow({...state.target, estimateBytes: shorter.estimateBytes}, state.memory, state.headroomBytes, state.loadedKeys)) return null;
    return {
      step: 'shorter-context',
      contextTokens: shorter.tokens,
      reason: `${short(state)}: using a ${shorter.tokens}-token context (${gibText(shorter.estimateBytes)})`,
    };
  },
  'smaller-tier': (state) => {
    const smaller = nearestBelow(fittingOthers(state), state.target.tier, state.loadedKeys);
    return smaller ? {step: 'smaller-tier', key: smaller.key, reason: `${short(state)}: using ${smaller.key} (${smaller.tier})`} : null;
  },
  explain: (state) => {
    const fits = fittingOthers(state).sort((a, b) => b.estimateBytes - a.estimateBytes)[0];
    return {step: 'explain', reason: `${short(state)}; ${fits ? `${fits.key} would fit` : 'no model fits now'}`};
  },
};
