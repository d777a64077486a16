import {PassThrough} from 'node:stream';
import {describe, expect, it} from 'vitest';
import {frameDiff, ScreenWriter, screenRows} from '../../components/screen-writer.js';
import {waitFor} from '../support/wait-for.js';

describe('frameDiff', () => {
  it('draws every row of the first frame at its own position', () => {
    expect(frameDiff([], ['a', 'b'])).toBe('\x1b[1;1H\x1b[0ma\x1b[0m\x1b[K\x1b[2;1H\x1b[0mb\x1b[0m\x1b[K');
  });

  it('rewrites only the rows that changed', () => {
    expect(frameDiff(['a', 'b', 'c'], ['a', 'B', 'c'])).toBe('\x1b[2;1H\x1b[0mB\x1b[0m\x1b[K');
    expect(frameDiff(['a', 'b'], ['a', 'b'])).toBe('');
  });

  it('clears what is left below a shorter frame', () => {
    expect(frameDiff(['a', 'b', 'c'], ['a'])).toBe('\x1b[2;1H\x1b[0m\x1b[J');
  });
});

describe('screenRows', () => {
  it("drops the empty row after a frame's last newline, and rows the terminal does not have", () => {
    expect(screenRows('a\nb\n', 24)).toEqual(['a', 'b']);
    expect(screenRows('a\nb', 24)).toEqual(['a', 'b']);
    expect(screenRows('a\nb\nc\n', 2)).toEqual(['a', 'b']);
    expect(screenRows('', 24)).toEqual(['']);
  });
});

function terminal(): PassThrough & {columns: number; rows: number; written: () => string} {
  const stream = new PassThrough();
  let written = '';
  stream.on('data', (data: Buffer) => (written += data.toString()));
  return Object.assign(stream, {columns: 80, rows: 24, written: () => written});
}

describe('ScreenWriter', () => {
  it('draws the newest of frames that arrive together, inside one synchronized update', async () => {
    const tty = terminal();
    const writer = new ScreenWriter(tty as unknown as NodeJS.WriteStream, 20);
    writer.write('one\ntwo');
    writer.write('one\nthree');
    writer.write('one\nfour');
    // The newest frame is drawn when the interval is over; what came before it is already written.
    await waitFor(() => tty.written().includes('four'), {what: 'the newest frame to be drawn'});
    const out = tty.written();
    expect(out.match(/\x1b\[\?2026h/g)).toHaveLength(2);
    expect(out).toContain('two');
    expect(out).not.toContain('three');
    expect(out.endsWith('\x1b[2;1H\x1b[0mfour\x1b[0m\x1b[K\x1b[?2026l')).toBe(true);
  });

  it('redraws everything after a clear (Ctrl+L) and after a resize', async () => {
    const tty = terminal();
    const writer = new ScreenWriter(tty as unknown as NodeJS.WriteStream, 0);
    writer.write('same\nrows');
    writer.write('\x1b[2Jsame\nrows');
    await waitFor(() => /\x1b\[2J[\s\S]*\x1b\[\?2026l$/.test(tty.written()), {what: 'a frame drawn after the clear'});
    expect(tty.written().match(/same/g)).toHaveLength(2);
    let resized = false;
    writer.on('resize', () => (resized = true));
    tty.emit('resize');
    const before = tty.written().length;
    writer.write('same\nrows');
    await waitFor(() => tty.written().length > before, {what: 'the frame after the resize to be drawn'});
    expect(resized).toBe(true);
    expect(tty.written().match(/same/g)).toHaveLength(3);
    // A whole redraw of a frame ending in its newline (as Ink's do) on a 24-row terminal writes
    // nothing past its own rows: the last row (the status bar) is never erased by a row after it.
    tty.rows = 2;
    tty.emit('resize');
    const afterShrink = tty.written().length;
    writer.write('top\nstatus\n');
    await waitFor(() => tty.written().length > afterShrink, {what: 'the frame after shrinking'});
    const redraw = tty.written().slice(afterShrink);
    // On a cleared screen: nothing of the larger frame stays in rows the new one does not cover.
    expect(redraw.startsWith('\x1b[?2026h\x1b[H\x1b[2J')).toBe(true);
    expect(redraw).toContain('\x1b[2;1H\x1b[0mstatus\x1b[0m\x1b[K');
    expect(redraw).not.toContain('\x1b[3;1H');
    writer.detach();
  });

  it('reports the size of the terminal it draws on', () => {
    const tty = terminal();
    const writer = new ScreenWriter(tty as unknown as NodeJS.WriteStream);
    expect([writer.columns, writer.rows, writer.isTTY]).toEqual([80, 24, true]);
    writer.detach();
  });
});
