/**
 * h5wasm's browser build, loaded on first use (its WebAssembly is a few megabytes), with the HDF5 library's
 * errors thrown as exceptions instead of printed, as the command line sets it up (src/io/h5.ts).
 */

type H5Wasm = (typeof import('h5wasm'))['default'];

let loading: Promise<{ h5: H5Wasm; module: Awaited<H5Wasm['ready']> }> | null = null;

export function loadH5Wasm(): Promise<{ h5: H5Wasm; module: Awaited<H5Wasm['ready']> }> {
  loading ??= import('h5wasm').then(async ({ default: h5 }) => {
    const module = await h5.ready;
    module.activate_throwing_error_handler();
    return { h5, module };
  });
  return loading;
}
