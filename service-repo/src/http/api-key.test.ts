import { describe, expect, it } from '@jest/globals';
import { checkApiKey } from './api-key.js';

const KEY = 'a-long-enough-secret-key';

describe('checkApiKey', () => {
  it('lets everything through when no key is configured', () => {
    expect(() => { checkApiKey({}, undefined); }).not.toThrow();
  });

  it('accepts x-api-key and Authorization: Bearer', () => {
    expect(() => { checkApiKey({ 'x-api-key': KEY }, KEY); }).not.toThrow();
    expect(() => { checkApiKey({ authorization: `Bearer ${KEY}` }, KEY); }).not.toThrow();
    expect(() => { checkApiKey({ authorization: `bearer ${KEY}` }, KEY); }).not.toThrow();
  });

  it('answers 401 for a missing or wrong key', () => {
    expect(() => { checkApiKey({}, KEY); }).toThrow(/^missing API key/);
    expect(() => { checkApiKey({ 'x-api-key': `${KEY}x` }, KEY); }).toThrow('wrong API key');
    expect(() => { checkApiKey({ authorization: `Basic ${KEY}` }, KEY); }).toThrow(/^missing API key/);
  });
});
