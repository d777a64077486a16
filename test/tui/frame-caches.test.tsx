import {Box, Text} from 'ink';
import {render} from 'ink-testing-library';
import {memo} from 'react';
import {describe, expect, it} from 'vitest';
import Output from '../../components/ink/ink-output-class.js';
import {shareInkFrameCaches} from '../../components/ink/frame-caches.js';

// Ink's frames with what the last frame learnt carried over (components/ink/frame-caches.ts) must be the
// frames Ink draws without them: styles, wide characters, clipping and changed lines included.

function Screen({lines, typed}: {lines: readonly string[]; typed: string}) {
  return (
    <Box flexDirection="column" width={60}>
      <Box borderStyle="round" flexDirection="column" height={6} overflow="hidden">
        {lines.map((line, i) => (
          <Text key={i} color={i % 2 ? 'cyan' : undefined} bold={i % 3 === 0} wrap="truncate">
            {line}
          </Text>
        ))}
      </Box>
      <Box overflowX="hidden" width={20}>
        <Text inverse>{'wide 漢字 and 🙂 clipped at twenty columns'}</Text>
      </Box>
      <Text>
        {'> '}
        <Text color="green">{typed}</Text>
      </Text>
    </Box>
  );
}

const STEPS: readonly {lines: string[]; typed: string}[] = [
  {lines: ['first line', 'second line in cyan', 'third'], typed: ''},
  {lines: ['first line', 'second line in cyan', 'third'], typed: 'h'},
  {lines: ['first line', 'second line in cyan', 'third'], typed: 'he'},
  {lines: ['first line', 'second line in cyan', 'third, now streaming more words'], typed: 'he'},
  {lines: ['first line', 'second line in cyan', 'third, now streaming more words', '漢字 too', 'five', 'six', 'seven is hidden'], typed: 'hey'},
  {lines: ['first line'], typed: ''},
];

function frames(): string[] {
  const seen: string[] = [];
  const instance = render(<Screen {...(STEPS[0] as (typeof STEPS)[number])} />);
  seen.push(instance.lastFrame() ?? '');
  for (const step of STEPS.slice(1)) {
    instance.rerender(<Screen {...step} />);
    seen.push(instance.lastFrame() ?? '');
  }
  instance.unmount();
  return seen;
}

type InkOutput = {write(x: number, y: number, text: string, options: {transformers: ((line: string) => string)[]}): void; clip(clip: object): void; unclip(): void; get(): {output: string; height: number}};
const OutputClass = Output as unknown as new (size: {width: number; height: number}) => InkOutput;

/** The same operations on a fresh Output: what a frame of a chat screen asks Ink to draw. */
function drawn(width: number, lines: readonly string[], wide: string): InkOutput {
  const output = new OutputClass({width, height: 6});
  output.write(0, 0, '┌ chat ──────────┐', {transformers: []});
  output.clip({y1: 1, y2: 4});
  lines.forEach((line, i) => output.write(2, 1 + i, line, {transformers: [(text) => (i % 2 ? `\x1b[36m${text}\x1b[39m` : text)]}));
  output.unclip();
  output.clip({x1: 0, x2: 8});
  output.write(0, 5, wide, {transformers: []});
  output.unclip();
  return output;
}

describe('Ink frames with shared line caches', () => {
  it('are the frames Ink draws without them, and later frames reuse what earlier ones learnt', () => {
    const before = frames();
    const inksGet = shareInkFrameCaches();
    const after = frames();
    expect(after).toEqual(before);
    expect(after[4]).toContain('漢字 too');
    expect(after[2]).toContain('> he');

    // Frame after frame, as the chat draws them: Ink's own get on the same operations says the same.
    const steps: [string[], string][] = [
      [['one', 'two'], 'wide 漢字 🙂 cut'],
      [['one', 'two', 'three'], 'wide 漢字 🙂 cut'],
      [['one', 'two, longer', 'three', 'four is clipped', 'five too'], '漢字漢字漢字'],
      [['\x1b[1mbold\x1b[22m one', 'two'], ''],
      // Styles that overlap, replace one another and end apart: each change of style written as Ink writes it.
      [['\x1b[1m\x1b[2mbold dim\x1b[22m plain \x1b[31mred\x1b[32mgreen\x1b[39m', '\x1b[44m\x1b[33mon blue\x1b[49m yellow\x1b[0m'], '\x1b[7m漢\x1b[27m字 \x1b[38;5;208mx\x1b[1my'],
      [['\x1b[4munder\x1b[1m both\x1b[24m bold', '\x1b[38;2;10;20;30mtrue\x1b[48;5;17m colour'], '\x1b[3m🙂\x1b[23m'],
      [['one', 'two'], 'wide 漢字 🙂 cut'],
    ];
    for (const [lines, wide] of steps) {
      const mine = drawn(18, lines, wide).get();
      expect(mine).toEqual(inksGet.call(drawn(18, lines, wide)));
    }
    // A line drawn again is laid out from what the last frame learnt, not tokenized again; a line
    // the last frame did not draw is not kept (two frames' worth of lines at most).
    type Tokenizing = {caches: {getStyledChars(line: string): unknown}};
    const tokenized = (output: InkOutput): string[] => {
      const caches = (output as unknown as Tokenizing).caches;
      const seen: string[] = [];
      const own = caches.getStyledChars.bind(caches);
      caches.getStyledChars = (line) => (seen.push(line), own(line));
      return seen;
    };
    // (Wide characters: a line of narrow ones is never tokenized, below.)
    const first = drawn(18, ['kept 漢', 'dropped 漢'], '');
    const firstTokenized = tokenized(first);
    first.get();
    expect(firstTokenized.some((line) => line.includes('kept 漢'))).toBe(true);
    const second = drawn(18, ['kept 漢'], '');
    const secondTokenized = tokenized(second);
    second.get();
    expect(secondTokenized.some((line) => line.includes('kept 漢'))).toBe(false);
    const third = drawn(18, ['kept 漢', 'dropped 漢'], '');
    const thirdTokenized = tokenized(third);
    third.get();
    expect(thirdTokenized.some((line) => line.includes('kept 漢'))).toBe(false);
    expect(thirdTokenized.some((line) => line.includes('dropped 漢'))).toBe(true);

    // A line of narrow characters and SGR sequences is laid out without ansi-tokenize, to the same
    // frame; one with another escape sequence, a BEL or a wide character is tokenized.
    const narrow = drawn(18, ['\x1b[1;36m⣿⣶⣀ 37%\x1b[22;39m · ok', '┌─ \x1b[38;5;208mbox\x1b[0m ─┐'], 'plain …');
    const narrowTokenized = tokenized(narrow);
    expect(narrow.get()).toEqual(inksGet.call(drawn(18, ['\x1b[1;36m⣿⣶⣀ 37%\x1b[22;39m · ok', '┌─ \x1b[38;5;208mbox\x1b[0m ─┐'], 'plain …')));
    expect(narrowTokenized).toEqual([]);
    const others = ['\x1b]8;;https://example.com\x07link\x1b]8;;\x07', 'bell\x07 here', 'csi \x1b[2K not sgr', 'cut \x1b[3'];
    const mixed = drawn(18, others, '漢 wide');
    const mixedTokenized = tokenized(mixed);
    expect(mixed.get()).toEqual(inksGet.call(drawn(18, others, '漢 wide')));
    expect(mixedTokenized.length).toBeGreaterThanOrEqual(others.length);
  });

  it('lay out lines of narrow characters and styles as Ink does, whatever the styles', () => {
    const inksGet = shareInkFrameCaches();
    // A seeded mix of narrow characters (ASCII, box drawing, braille, Latin-1, ⋯ ✓) and SGR
    // sequences, compound ones, resets, 256 and true colours, and now and then a wide character.
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), Math.floor((seed / 2 ** 31) * n));
    const pieces = ['a', 'Z', ' ', '~', '─', '│', '┌', '⣿', '⣀', '⡇', 'é', '·', '…', '⋯', '✓', '○', '●'];
    const codes = ['0', '1', '2', '3', '4', '7', '22', '23', '24', '27', '31', '32', '36', '39', '44', '49', '1;31', '2;3;4', '38;5;208', '48;5;17', '38;2;10;20;30', '39;49', ''];
    for (let round = 0; round < 300; round++) {
      const lines: string[] = [];
      for (let l = 0; l < 3; l++) {
        let line = '';
        for (let k = next(24); k > 0; k--) line += next(4) === 0 ? `\x1b[${codes[next(codes.length)] as string}m` : next(40) === 0 ? '漢' : (pieces[next(pieces.length)] as string);
        lines.push(line);
      }
      const width = 8 + next(14);
      const draw = () => {
        const output = new OutputClass({width, height: 4});
        lines.forEach((line, i) => output.write(i, i, line, {transformers: []}));
        return output;
      };
      expect([round, draw().get()]).toEqual([round, inksGet.call(draw())]);
    }
  });
});

// A box none of whose nodes changed is replayed (its last frame's operations, the same objects):
// boxes that change, move, resize, appear and go, beside boxes that stay, must draw what they would
// without the replay. Memoized, as the chat's panels are: a box whose component renders again gets
// new props, and so is drawn again anyway.
const List = memo(function List() {
  return (
    <Box flexDirection="column">
      {['alpha', 'beta', 'gamma'].map((name) => (
        <Text key={name} color={name === 'beta' ? 'cyan' : undefined}>
          {name}
        </Text>
      ))}
    </Box>
  );
});

const Cpu = memo(function Cpu({pct}: {pct: number}) {
  return (
    <Box borderStyle="round">
      <Text>{`cpu ${pct}%`}</Text>
    </Box>
  );
});

const Models = memo(function Models() {
  return (
    <Box borderStyle="round">
      <Text bold>models 漢字</Text>
    </Box>
  );
});

function Panels({step}: {step: number}) {
  return (
    <Box flexDirection="row" width={72}>
      <Box flexDirection="column" borderStyle="single" width={40} height={9} overflow="hidden">
        {step >= 2 && <Text color="yellow">{'grown '.repeat(step)}</Text>}
        <List />
        <Text wrap="truncate-end">{`streaming ${'word '.repeat(step * 2)}`}</Text>
      </Box>
      <Box flexDirection="column" width={step === 4 ? 24 : 30}>
        <Cpu pct={step % 2 ? 3 : 1} />
        <Models />
        {step !== 3 && (
          <Box>
            <Text dimColor>gone at step 3</Text>
          </Box>
        )}
      </Box>
    </Box>
  );
}

describe('replaying the boxes that did not change', () => {
  const OutputPrototype = (Output as unknown as {prototype: {replays?: boolean; get(): unknown}}).prototype;

  function panelFrames(replays: boolean): {frames: string[]; reused: number} {
    shareInkFrameCaches();
    OutputPrototype.replays = replays;
    // How many of a frame's operations are the very objects of the frame before.
    const get = OutputPrototype.get;
    let previous = new Set<unknown>();
    let reused = 0;
    OutputPrototype.get = function (this: {operations: unknown[]}) {
      reused += this.operations.filter((operation) => previous.has(operation)).length;
      previous = new Set(this.operations);
      return get.call(this);
    };
    try {
      const instance = render(<Panels step={0} />);
      const frames = [instance.lastFrame() ?? ''];
      for (const step of [1, 1, 2, 3, 4, 5, 6, 0]) {
        instance.rerender(<Panels step={step} />);
        frames.push(instance.lastFrame() ?? '');
      }
      instance.unmount();
      return {frames, reused};
    } finally {
      OutputPrototype.get = get;
      OutputPrototype.replays = true;
    }
  }

  it('draws the frames Ink draws without it', () => {
    const plain = panelFrames(false);
    const replayed = panelFrames(true);
    expect(replayed.frames).toEqual(plain.frames);
    expect(plain.reused).toBe(0);
    expect(replayed.reused).toBeGreaterThan(0);
    expect(replayed.frames[3]).toContain('grown grown');
    expect(replayed.frames[4]).not.toContain('gone at step 3');
    expect(replayed.frames[5]).toContain('gone at step 3');
    expect(replayed.frames[1]).toContain('cpu 3%');
    expect(replayed.frames[3]).toContain('cpu 1%');
  });
});

