import {describe, expect, it} from 'vitest';
import {ModelError} from '../../src/backends/model-error.js';
import {redoNotice} from '../../src/conversation/redo-notice.js';

// What the status bar says when a reply written again, or an edited message resent, ends.

describe('the notice after a turn done again', () => {
  it.each([
    ['a failure before the first word', {reason: 'regenerate', kept: true, error: new Error('no model could be loaded')}, 'the last reply stays; the new reply failed: no model could be loaded', 'error'],
    ['an edit whose reply failed first', {reason: 'edit', kept: true, error: new Error('engine gone')}, 'your edit was not sent; the new reply failed: engine gone', 'error'],
    ['Esc before the first word', {reason: 'regenerate', kept: true, model: 'm', interrupted: true}, 'stopped before the first word: the last reply stays', 'info'],
    ['an abort error before the first word', {reason: 'edit', kept: true, error: new ModelError('aborted', 'stopped')}, 'stopped before the first word: your edit was not sent', 'info'],
    ['an empty reply', {reason: 'regenerate', kept: true, model: 'mai-demo-small', interrupted: false}, 'mai-demo-small wrote nothing: the last reply stays', 'warn'],
    ['a failure after some words', {reason: 'regenerate', kept: false, error: new Error('engine gone')}, 'engine gone', 'error'],
  ] as const)('%s', (_, outcome, text, level) => {
    expect(redoNotice(outcome)).toEqual({text, level});
  });

  it('says nothing when the new reply was written, whole or stopped', () => {
    expect(redoNotice({reason: 'regenerate', kept: false, model: 'm', interrupted: false})).toBeNull();
    expect(redoNotice({reason: 'edit', kept: false, error: new ModelError('aborted', 'stopped')})).toBeNull();
  });
});
