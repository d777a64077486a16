import {useEffect, useMemo} from 'react';
import {useStore} from 'zustand';
import type {MaiStore} from '../src/store.js';
import {applyKeyConfig} from './key-config.js';

/**
 * Puts the config's `keys:` (which Mai puts in the store) in force before the first frame, so the
 * help and every key handler agree from the first key, and reports each problem found (a key taken,
 * a key no terminal sends, an unknown binding) once, as a warning in the status bar.
 */
export function useKeyConfig(store: MaiStore): void {
  const overrides = useStore(store, (s) => s.ui.keyOverrides);
  // In render, not an effect: the table must be in force for the frame drawn with it (the help).
  const problems = useMemo(() => applyKeyConfig(overrides), [overrides]);
  useEffect(() => {
    if (problems.length === 0) return;
    const {notify} = store.getState();
    notify(problems.length === 1 ? (problems[0] as string) : `${problems.length} problems with keys: ${problems.join(' · ')}`, 'warn');
  }, [store, problems]);
}
