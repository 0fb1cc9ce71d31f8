// Compiles the AssemblyScript kernels twice: f32x4 mul+add, and relaxed-SIMD fused multiply-add.
// Output: build/wasm/kernels-simd.wasm and build/wasm/kernels-fma.wasm. Rebuilds only when sources changed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build', 'wasm');
mkdirSync(out, { recursive: true });
const sources = readdirSync(join(root, 'assembly')).filter((f) => f.endsWith('.ts')).map((f) => join(root, 'assembly', f));
const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
const common = ['--runtime', 'stub', '-O3', '--enable', 'simd', '--enable', 'threads', '--importMemory', '--sharedMemory',
  '--initialMemory', '1', '--maximumMemory', '65536', '--noExportMemory'];
for (const [name, extra] of [['kernels-simd.wasm', []], ['kernels-fma.wasm', ['--enable', 'relaxed-simd']]]) {
  const target = join(out, name);
  if (existsSync(target) && statSync(target).mtimeMs > newest) continue;
  execFileSync(process.execPath, [asc, join(root, 'assembly', 'index.ts'), '--outFile', target, ...common, ...extra], { stdio: 'inherit' });
}
