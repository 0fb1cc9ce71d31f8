/**
 * `cosmeta serve`: the web page (dist-web/, built by scripts/build-web.mjs) over HTTP on this machine,
 * with the headers that make it cross-origin isolated (Cross-Origin-Opener-Policy: same-origin,
 * Cross-Origin-Embedder-Policy: require-corp), which SharedArrayBuffer and WebAssembly threads need.
 * Static files only; paths outside the folder are refused.
 */

import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { CosmetaError } from '../errors.js';
import { PACKAGE_ROOT } from '../paths.js';
import { integer } from './args.js';

/** The built web page. */
export const WEB_ROOT = join(PACKAGE_ROOT, 'dist-web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

/** The headers every response carries: cross-origin isolation, and no caching of a folder that is rebuilt. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-cache',
};

/** The file a request path names inside `root`, or null when it points outside (traversal) or nowhere. */
export function resolveRequest(root: string, url: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url, 'http://x').pathname);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  const base = resolve(root);
  const file = resolve(base, `.${normalize(`/${path}`)}`);
  if (file !== base && !file.startsWith(base + sep)) return null;
  const target = existsSync(file) && statSync(file).isDirectory() ? join(file, 'index.html') : file;
  return existsSync(target) && statSync(target).isFile() ? target : null;
}

/** Serve `root` on host:port (port 0: any free port); resolves with the server and its URL. */
export function startServer(root: string, port: number, host = '127.0.0.1'): Promise<{ server: Server; url: string }> {
  if (!existsSync(join(root, 'index.html'))) throw new CosmetaError(`${root}: no built web page (run \`node scripts/setup.mjs\` or \`npm run setup\`)`);
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...ISOLATION_HEADERS, Allow: 'GET, HEAD' }).end();
      return;
    }
    const raw = req.url ?? '/';
    const file = resolveRequest(root, raw);
    if (!file) {
      let decoded = raw;
      try {
        decoded = decodeURIComponent(raw);
      } catch {
        // undecodable: not found
      }
      const status = /(^|[\\/])\.\.([\\/]|$)/.test(decoded) ? 403 : 404;
      res.writeHead(status, { ...ISOLATION_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }).end(status === 403 ? 'forbidden\n' : 'not found\n');
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { ...ISOLATION_HEADERS, 'Content-Type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', 'Content-Length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((ok, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) => fail(new CosmetaError(`cannot listen on ${host}:${port}: ${err.code ?? err.message}`)));
    server.listen(port, host, () => {
      const a = server.address();
      const p = typeof a === 'object' && a ? a.port : port;
      ok({ server, url: `http://${host}:${p}/` });
    });
  });
}

export interface ServeCliOptions {
  port: string;
  host: string;
}

export async function runServe(o: ServeCliOptions): Promise<void> {
  const port = integer('--port', o.port, 0);
  if (port > 65535) throw new CosmetaError(`--port ${o.port} is not a port number (0-65535; 0 picks a free one)`);
  const { url } = await startServer(WEB_ROOT, port, o.host);
  process.stdout.write(`cosmeta serve: ${url} (cross-origin isolated; Ctrl-C stops)\n`);
}

export function registerServe(cli: Command): void {
  cli
    .command('serve')
    .description('serve the web page (adapt an emulator to your n(z) and sample a posterior in the browser) on this machine')
    .option('--port <n>', 'TCP port (0: any free port)', '8080')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .action((o) => runServe(o));
}
