// Runs a wasm32-wasip1 binary (for example a cargo test harness) under Node's
// WASI preview1 and exits with its exit code. Used as a cargo target runner:
//
//   CARGO_TARGET_WASM32_WASIP1_RUNNER="node tools/wasi-runner.mjs" \
//       cargo test --target wasm32-wasip1 --test s1_value_stability
//
// Usage: node tools/wasi-runner.mjs <file.wasm> [args...]
// Needs Node 20 or later (node:wasi with version: 'preview1').
import { readFile } from 'node:fs/promises';
import { argv, env, exit, stderr } from 'node:process';
import { WASI } from 'node:wasi';

const [wasmPath, ...args] = argv.slice(2);
if (!wasmPath) {
  stderr.write('usage: node wasi-runner.mjs <file.wasm> [args...]\n');
  exit(2);
}

const wasi = new WASI({
  version: 'preview1',
  args: [wasmPath, ...args],
  env,
  returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(wasmPath));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
exit(wasi.start(instance));
