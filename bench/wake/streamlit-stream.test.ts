import protobuf from 'protobufjs';
import { describe, expect, test } from 'vitest';
import { backMessage, carriesText, rerunScriptMessage, scriptFinishedStatus } from './streamlit-stream';

describe('the BackMsg asking for a script run', () => {
  test('is field 11 (rerun_script) of BackMsg, a ClientState, alone', () => {
    const reader = protobuf.Reader.create(rerunScriptMessage());
    const tag = reader.uint32();
    expect({ field: tag >>> 3, wireType: tag & 7 }).toEqual({ field: 11, wireType: 2 });
    reader.bytes();
    expect(reader.pos).toBe(reader.len);
  });

  test('decodes back to a rerun of the main page with no query', () => {
    const decoded = backMessage.toObject(backMessage.decode(rerunScriptMessage()), {
      defaults: true,
      oneofs: true,
    });
    expect(decoded).toEqual({ rerunScript: { queryString: '', pageScriptHash: '' }, type: 'rerunScript' });
  });
});

describe('reading ForwardMsgs', () => {
  // As Streamlit 1.64 sent them to the probe: field 6 (script_finished), varint 0.
  const finished = Uint8Array.from([0x30, 0x00]);
  const finishedWithCompileError = Uint8Array.from([0x30, 0x01]);
  // Field 1 (hash, a string), then field 5 (delta) holding bytes with the text inside.
  const hash = Buffer.from('abc');
  const text = Buffer.from('The app is awake');
  const delta = Buffer.concat([
    Buffer.from([0x0a, hash.length]),
    hash,
    Buffer.from([0x2a, text.length + 2, 0x0a, text.length]),
    text,
  ]);

  test('script_finished is told apart from any other message', () => {
    expect(scriptFinishedStatus(finished)).toBe('FINISHED_SUCCESSFULLY');
    expect(scriptFinishedStatus(finishedWithCompileError)).toBe('FINISHED_WITH_COMPILE_ERROR');
    expect(scriptFinishedStatus(delta)).toBeUndefined();
  });

  test('the text is found wherever the delta carries it', () => {
    expect(carriesText(delta, 'The app is awake')).toBe(true);
    expect(carriesText(delta, 'The app is asleep')).toBe(false);
    expect(carriesText(finished, 'The app is awake')).toBe(false);
  });
});
