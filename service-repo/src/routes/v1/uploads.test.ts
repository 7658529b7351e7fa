import { describe, expect, it } from '@jest/globals';
import { RequestError } from '../../errors/index.js';
import { decodeBase64 } from './uploads.js';

function failure(fn: () => unknown): RequestError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RequestError);
    return error as RequestError;
  }
  throw new Error('expected an error');
}

describe('decodeBase64', () => {
  it('decodes standard padded base64', () => {
    expect(decodeBase64(Buffer.from('hello!').toString('base64'), 'a', 100).toString()).toBe('hello!');
    expect(decodeBase64(Buffer.from('hi').toString('base64'), 'a', 100).toString()).toBe('hi');
  });

  it.each(['abc', 'ab$=', 'a b=', 'aGk=aGk=', '====', 'aGk==='])('refuses %j, naming the image', (data) => {
    const error = failure(() => decodeBase64(data, 'chip.jpg', 100));
    expect([error.statusCode, error.code, error.file]).toEqual([400, 'BAD_BASE64', 'chip.jpg']);
    expect(error.message).toBe('chip.jpg: data is not valid base64 (standard alphabet with = padding)');
  });

  it('refuses data that decodes to more than the per-file limit, before decoding it', () => {
    const error = failure(() => decodeBase64(Buffer.alloc(101).toString('base64'), 'big.jpg', 100));
    expect([error.statusCode, error.code, error.message]).toEqual([413, 'IMAGE_TOO_LARGE', 'big.jpg: file is larger than 100 bytes (MAX_FILE_BYTES)']);
    expect(decodeBase64(Buffer.alloc(100).toString('base64'), 'ok.jpg', 100)).toHaveLength(100);
  });
});
