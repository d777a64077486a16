import {describe, expect, it} from 'vitest';
import {parse} from 'yaml';
import {yamlForTerminal} from '../../src/cli/output.js';

// `mai config` prints YAML: no control character may reach the terminal raw, and what it prints
// must read back as the same config.

const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

describe('yamlForTerminal', () => {
  it.each([
    ['8-bit CSI', 'be kind\u009b2J'],
    ['C1 NEL and DEL', 'a\u0085b\u007f'],
    ['bidi override and isolates', 'user\u202e \u2066// admin\u2069'],
    ['7-bit escape sequences', '\u001b]0;title\u0007\u001b[31m'],
    ['a line separator', 'a\u2028b'],
  ])('%s: escaped, and read back the same', (_name, text) => {
    const value = {context: {systemPrompt: text}, models: {[`key${text}`]: {name: text}}, list: [text, 3]};
    const yaml = yamlForTerminal(value);
    expect(yaml).not.toMatch(UNSAFE);
    expect(parse(yaml)).toEqual(value);
  });

  it('leaves plain values as YAML writes them', () => {
    expect(yamlForTerminal({a: 'plain text', b: 'café 你好', n: 2})).toBe('a: plain text\nb: café 你好\nn: 2\n');
  });
});
