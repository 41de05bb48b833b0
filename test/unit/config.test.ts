import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../shared/config.ts';

describe('loadConfig', () => {
  it('has defaults for everything: embedded mode on port 3000', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 3000,
      HOST: '0.0.0.0',
      REDIS_PREFIX: 'inkboard',
      DATA_DIR: 'data',
      SHARED_REGIONS: false,
      REGION_TIME_MS: 4000,
      RATE_LIMIT: 120,
      LOG_LEVEL: 'info',
      TRUST_PROXY: false,
      MAX_SOCKETS_PER_ADDRESS: 200,
      RECOGNIZE_CONCURRENCY: 4,
      MAX_LOADED_BOARDS: 200,
      MAX_BOARDS: 100_000,
    });
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.ALLOWED_ORIGINS).toBeUndefined();
  });

  it('parses values and treats empty strings as unset', () => {
    const c = loadConfig({
      PORT: '0',
      REDIS_URL: 'redis://127.0.0.1:6379',
      SHARED_REGIONS: 'yes',
      RATE_LIMIT: '5',
      DATA_DIR: '',
    });
    expect(c).toMatchObject({
      PORT: 0,
      REDIS_URL: 'redis://127.0.0.1:6379',
      SHARED_REGIONS: true,
      RATE_LIMIT: 5,
      DATA_DIR: 'data',
    });
  });

  it.each([
    [{ PORT: 'abc' }, /PORT: expected a whole number from 0 to 65535, got "abc"/],
    [{ PORT: '70000' }, /PORT: /],
    [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL: expected a redis:\/\/ or rediss:\/\/ URL/],
    [{ REDIS_PREFIX: 'has space' }, /REDIS_PREFIX: /],
    [{ INKBOARD_BACKEND: 'gpu' }, /INKBOARD_BACKEND: expected onnx, onnx-cuda, wasm, cpu/],
    [{ INKBOARD_BACKEND: 'node-gpu' }, /replaced by onnx and onnx-cuda\), got "node-gpu"/],
    [{ INFERENCE_INTRA_OP_THREADS: '0' }, /INFERENCE_INTRA_OP_THREADS: /],
    [{ SHARED_REGIONS: 'maybe' }, /SHARED_REGIONS: expected true or false/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL: /],
    [{ RATE_LIMIT: '0' }, /RATE_LIMIT: /],
  ])('names the bad variable: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reports every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', RATE_LIMIT: 'y' })).toThrow(/PORT: .*; RATE_LIMIT: /);
  });

  it('parses TRUST_PROXY (as express does) and ALLOWED_ORIGINS', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY).toBe('loopback, 10.0.0.0/8');
    expect(
      loadConfig({ ALLOWED_ORIGINS: 'https://a.example, http://b.example:8080/' }).ALLOWED_ORIGINS,
    ).toEqual(['https://a.example', 'http://b.example:8080']);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'not an origin' })).toThrow(/ALLOWED_ORIGINS: expected/);
    expect(() => loadConfig({ MAX_SOCKETS_PER_ADDRESS: '0' })).toThrow(/MAX_SOCKETS_PER_ADDRESS/);
  });
});
