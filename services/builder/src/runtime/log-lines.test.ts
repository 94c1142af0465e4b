import { describe, expect, test } from 'vitest';
import { demultiplexLines, LineSplitter, stripAnsi } from './log-lines';

function frame(kind: 1 | 2, text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = kind;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

describe('LineSplitter', () => {
  test('joins lines split across chunks and keeps the tail for end()', () => {
    const splitter = new LineSplitter();
    expect(splitter.push('Step 1/3 : FR')).toEqual([]);
    expect(splitter.push('OM x\r\nStep 2/3\nhalf')).toEqual(['Step 1/3 : FROM x', 'Step 2/3']);
    expect(splitter.end()).toEqual(['half']);
    expect(splitter.end()).toEqual([]);
  });
});

describe('demultiplexLines', () => {
  test('reads stdout and stderr frames in order, lines crossing frames', () => {
    const buffer = Buffer.concat([
      frame(1, 'Collecting '),
      frame(1, 'usage stats\n'),
      frame(2, 'Error: boom\n'),
    ]);
    expect(demultiplexLines(buffer)).toEqual(['Collecting usage stats', 'Error: boom']);
  });

  test('returns unframed output (a TTY container) as plain lines', () => {
    expect(demultiplexLines(Buffer.from('one\ntwo'))).toEqual(['one', 'two']);
  });
});

test('stripAnsi removes colour codes Docker adds to build errors', () => {
  expect(stripAnsi('\u001b[91merror\u001b[0m: bad')).toBe('error: bad');
});
