// The model policy (DESIGN.md §5, issue 10): pure decisions, each with a one-line reason for the
// status bar, the event log, `ask --json` and `mai status`. The ModelManager carries them out.

export {scoreComplexity, tierForScore, type ComplexityContext, type ComplexityScore} from './complexity.js';
export {fitsNow, memoryNeed, type AvailableMemory, type PolicyEntry} from './fit.js';
export {comparePlacement, healthOf, hostOf, isRemote, LOCAL, placementRank, runsRemotely, type HostHealth, type HostPool, type HostView} from './hosts.js';
export {
  CLEAR_MARGIN,
  expectedLoadMs,
  selectModel,
  type PinnedFailure,
  type SelectionDecision,
  type SelectionInput,
  type SelectionRules,
  type TaskSignals,
} from './selection.js';
export {criticalSince, okSince, pressureAction, recoveredFrom, type MemoryResource, type PressureAction, type PressureInput} from './pressure-policy.js';
export {createStruggleWatch, CHARS_PER_TOKEN, type Struggle, type StruggleKind, type StruggleWatch} from './struggle.js';
export {classifyFailure, shouldRetry, type FailureClass} from './failures.js';
export {nextInChain, type ChainInput, type ChainStep} from './fallback-chain.js';
export {DEGRADE_STEPS, nextDegradeStep, type DegradeState, type DegradeStep, type DegradeStepName} from './degrade.js';
export {preloadDecision, usedTrend, type PreloadDecision, type PreloadInput, type Trend} from './preload.js';
