import { describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DvcConfigError, envOverrides, loadDvcConfig, parseDvcConfig, resolveRemote } from './config.js';

// As `dvc remote add -d storage s3://bucket/models` + `dvc remote modify storage endpointurl ...` write it.
const DVC_WRITTEN = "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://bucket/models\n    endpointurl = http://127.0.0.1:9000\n";

describe('DVC config (INI)', () => {
  it('parses the sections and keys DVC writes', () => {
    expect(parseDvcConfig(DVC_WRITTEN, '.dvc/config')).toEqual({
      core: { remote: 'storage' },
      'remote "storage"': { url: 's3://bucket/models', endpointurl: 'http://127.0.0.1:9000' },
    });
    expect(parseDvcConfig('# comment\n[remote "a"]\nurl = "/x"\n', 'c')).toEqual({ 'remote "a"': { url: '/x' } });
  });

  it('names file and line of malformed input', () => {
    expect(() => parseDvcConfig('[core]\nremote\n', '.dvc/config')).toThrow(/^\.dvc\/config:2: expected "key = value"/);
    expect(() => parseDvcConfig('remote = x\n', '.dvc/config')).toThrow(/\.dvc\/config:1: "remote" appears before any \[section\]/);
    expect(() => parseDvcConfig('[]\n', 'c')).toThrow(DvcConfigError);
  });

  it('lets config.local override config, and resolves relative folders against .dvc/', async () => {
    const root = await mkdtemp(join(tmpdir(), 'dvc-config-'));
    await mkdir(join(root, '.dvc'));
    await writeFile(join(root, '.dvc', 'config'), "[core]\n    remote = local\n['remote \"local\"']\n    url = ../../remote\n");
    await writeFile(join(root, '.dvc', 'config.local'), "['remote \"local\"']\n    user = me\n");
    const config = await loadDvcConfig(root);
    const remote = resolveRemote(config, root);
    expect(remote).toEqual({ name: 'local', url: resolve(root, '..', 'remote'), options: { url: '../../remote', user: 'me' } });
  });

  it('takes the URL from the environment first, and fails clearly without any remote', () => {
    const config = parseDvcConfig(DVC_WRITTEN, 'c');
    expect(resolveRemote(config, '/repo', envOverrides({ DVC_REMOTE_URL: 'http://h/x' })).url).toBe('http://h/x');
    expect(resolveRemote(config, '/repo', { url: 'rel' }).url).toBe(resolve('rel'));
    expect(() => resolveRemote({}, '/repo')).toThrow(/no default remote .* DVC_REMOTE_URL/);
    expect(() => resolveRemote(config, '/repo', { remote: 'nope' })).toThrow(/remote "nope" has no url/);
  });
});
