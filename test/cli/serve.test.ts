import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRequest, startServer } from '../../src/cli/serve.js';
import { PACKAGE_ROOT } from '../../src/paths.js';

let dir: string;
let root: string;

function get(url: string, path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((ok, fail) => {
    const u = new URL(url);
    // A raw path (no URL normalisation on the client side), so traversal attempts reach the server as sent.
    const r = request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    r.on('error', fail);
    r.end();
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cosmeta-serve-'));
  root = join(dir, 'site');
  mkdirSync(join(root, 'wasm'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><p>hi</p>');
  writeFileSync(join(root, 'wasm', 'k.wasm'), Buffer.from([0, 97, 115, 109]));
  writeFileSync(join(dir, 'secret.txt'), 'outside');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cosmeta serve', () => {
  it('serves the folder with the cross-origin isolation headers and the right MIME types', async () => {
    const { server, url } = await startServer(root, 0);
    try {
      const index = await get(url, '/');
      expect(index.status).toBe(200);
      expect(index.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(index.headers['cross-origin-embedder-policy']).toBe('require-corp');
      expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
      expect((await get(url, '/wasm/k.wasm')).headers['content-type']).toBe('application/wasm');
      expect((await get(url, '/missing.js')).status).toBe(404);
      expect((await get(url, '/../secret.txt')).status).toBe(403);
      expect((await get(url, '/%2e%2e/secret.txt')).status).toBe(403);
      expect((await get(url, '/wasm/..%2f..%2fsecret.txt')).status).toBe(403);
    } finally {
      server.close();
    }
  });

  it('never resolves a path outside the folder', () => {
    expect(resolveRequest(root, '/../secret.txt')).toBeNull();
    expect(resolveRequest(root, '/%2e%2e/secret.txt')).toBeNull();
    expect(resolveRequest(root, '/a/%00')).toBeNull();
    expect(resolveRequest(root, '/')).toBe(join(root, 'index.html'));
  });

  it('refuses a bad --port with exit code 2 and one line', () => {
    for (const port of ['abc', '-1', '70000']) {
      const r = spawnSync(process.execPath, [join(PACKAGE_ROOT, 'bin', 'cosmeta.js'), 'serve', '--port', port], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`--port ${port}`);
    }
  });
});
