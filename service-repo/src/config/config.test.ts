import { describe, expect, it } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { cleanTempDirs, tempDir } from '../../test/helpers/app.js';
import { ConfigError, defaultModelDir, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('gives the documented defaults', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c).toMatchObject({
      port: 8080, host: '0.0.0.0', maxFiles: 64, maxFileBytes: 10 * 1024 * 1024, maxBatch: 32, maxQueueDelayUs: 500,
      maxQueue: 1024, logLevel: 'info', apiKey: undefined, corsOrigins: [], verifyGolden: true, requestTimeoutMs: 30000,
      ortDevice: 'cpu',
    });
    expect(c.modelDir).toBe('/srv/app/models');
    expect(c.decodeConcurrency).toBe(0);
    // Every core but one runs inference; the last one is left to HTTP and decoding.
    expect(c.ortThreads).toBe(Math.max(1, availableParallelism() - 1));
    expect(loadConfig({ ORT_THREADS: '3' }).ortThreads).toBe(3);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '9000', HOST: '127.0.0.1', MODEL_DIR: 'bundle', MAX_FILES: '8', MAX_FILE_BYTES: '2048', MAX_BATCH: '4',
      MAX_QUEUE_DELAY_US: '0', MAX_QUEUE: '16', LOG_LEVEL: 'debug', API_KEY: 'k'.repeat(20), CORS_ORIGINS: 'https://a.example, http://b.example:8080',
      VERIFY_GOLDEN: 'false', ORT_THREADS: '2', MAX_IMAGE_PIXELS: '1_000_000', DECODE_CONCURRENCY: '3', ORT_DEVICE: 'webgpu',
    }, '/srv/app');
    expect(c).toMatchObject({
      port: 9000, host: '127.0.0.1', modelDir: '/srv/app/bundle', maxFiles: 8, maxFileBytes: 2048, maxBatch: 4, maxQueueDelayUs: 0,
      maxQueue: 16, logLevel: 'debug', apiKey: 'k'.repeat(20), corsOrigins: ['https://a.example', 'http://b.example:8080'],
      verifyGolden: false, ortThreads: 2, maxImagePixels: 1_000_000, decodeConcurrency: 3, ortDevice: 'webgpu',
    });
  });

  it('lists every bad variable with the expected form and the value', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', MAX_FILES: '0', LOG_LEVEL: 'loud', API_KEY: 'short', CORS_ORIGINS: 'example.org', VERIFY_GOLDEN: 'maybe', ORT_DEVICE: 'tpu' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual(expect.arrayContaining([
      "PORT: expected an integer from 0 to 65535, got 'eighty'",
      "MAX_FILES: expected an integer from 1 to 4096, got '0'",
      expect.stringMatching(/^LOG_LEVEL: expected one of fatal, error.*got 'loud'/),
      'API_KEY: expected at least 16 characters, got 5',
      expect.stringMatching(/^CORS_ORIGINS: 'example.org' is not/),
      "VERIFY_GOLDEN: expected true or false, got 'maybe'",
      "ORT_DEVICE: expected one of cpu, webgpu, got 'tpu'",
    ]));
    expect((error as Error).message).toMatch(/^invalid configuration:/);
  });

  it('refuses fractional numbers and a queue smaller than a batch or a request', () => {
    expect(() => loadConfig({ MAX_BATCH: '2.5' })).toThrow(/MAX_BATCH/);
    expect(() => loadConfig({ MAX_BATCH: '64', MAX_QUEUE: '32' })).toThrow(/MAX_QUEUE \(32\) must be at least MAX_BATCH and MAX_FILES \(64\)/);
  });
});

describe('defaultModelDir', () => {
  it('prefers a model in models/, then the modeling pipeline\'s published one next door', () => {
    const root = tempDir();
    const svc = join(root, 'service-repo');
    mkdirSync(join(svc, 'models'), { recursive: true });
    expect(defaultModelDir(svc)).toBe(join(svc, 'models'));
    mkdirSync(join(root, 'modeling-repo/models'), { recursive: true });
    expect(defaultModelDir(svc)).toBe(join(svc, 'models'));
    writeFileSync(join(root, 'modeling-repo/models/model.onnx'), 'onnx');
    expect(defaultModelDir(svc)).toBe(join(root, 'modeling-repo/models'));
    writeFileSync(join(svc, 'models/model.onnx'), 'onnx');
    expect(defaultModelDir(svc)).toBe(join(svc, 'models'));
    cleanTempDirs();
  });
});
