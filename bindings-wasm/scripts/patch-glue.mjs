// Finishes the JS glue that wasm-bindgen generates for the `web` target
// (run by build.sh; exactly one wasm-bindgen version is supported, the one
// pinned in Cargo.toml, and every edit below must match exactly, so a
// wasm-bindgen upgrade that changes the glue fails the build here instead of
// silently shipping the raw errors):
//
// 1. Before `init()`: every export throws errors.js's `NOT_INITIALIZED`
//    error, which says what to do, instead of `Cannot read properties of
//    undefined (reading 'registry_new')`.
// 2. An argument of the wrong class (`reg.applyStep({}, 0)`): a `TypeError`
//    with code `INVALID_ARGUMENT` instead of a plain `Error`.
// 3. wasm-bindgen's runtime errors (an object used after `free()`: "null
//    pointer passed to rust"): a `TypeError` with code `OBJECT_FREED`.
// 4. A second `free()` does nothing (wasm-bindgen's throws "null pointer").
// 5. Node's `util.inspect` shows what Python's `repr` shows (the class's
//    hidden `__inspect()` or its `toString()`), and `<freed>` after free().
// 6. The .d.ts declares `Symbol.dispose`, so the types check under `lib`
//    settings older than `esnext.disposable` (es2022, with or without dom).
// 7. pkg/web/api.d.ts: the types without the init section, for the
//    package entries (no DOM or WebAssembly types needed).
//
// Usage: node scripts/patch-glue.mjs pkg/web
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
if (!dir) throw new Error('usage: node scripts/patch-glue.mjs <wasm-bindgen out-dir>');
const jsFile = join(dir, 'replica_router_wasm.js');
const dtsFile = join(dir, 'replica_router_wasm.d.ts');

/** Replaces `from` by `to`, which must occur exactly `times` times. */
function replace(text, from, to, times = 1) {
  const found = text.split(from).length - 1;
  if (found !== times) {
    throw new Error(`patch-glue: expected ${times} occurrence(s) of ${JSON.stringify(from)} in the glue, found ${found}`
      + ' (wasm-bindgen changed its output: update scripts/patch-glue.mjs)');
  }
  return text.split(from).join(to);
}

let js = readFileSync(jsFile, 'utf8');
if (js.includes('patched by scripts/patch-glue.mjs')) throw new Error(`${jsFile} is already patched`);

js = `// patched by scripts/patch-glue.mjs (see there)
import { notInitializedError, runtimeError, wrongClassError } from '../../errors.js';
${js}`;

// 1. Not initialized yet: `wasm` is a proxy that throws on any use.
js = replace(js, '\nlet wasmModule, wasmInstance, wasm;\n',
  '\nconst NOT_INITIALIZED = new Proxy({}, { get() { throw notInitializedError(); } });\n'
  + 'let wasmModule, wasmInstance, wasm = NOT_INITIALIZED;\n');
js = replace(js, 'if (wasm !== undefined) return wasm;', 'if (wasm !== NOT_INITIALIZED) return wasm;', 2);
if (/wasm (===|!==) undefined/.test(js)) throw new Error('patch-glue: another `wasm === undefined` check in the glue');

// 2. Wrong class.
js = replace(js, 'throw new Error(`expected instance of ${klass.name}`);', 'throw wrongClassError(instance, klass);');

// 3. wasm-bindgen's runtime errors (thrown from Rust through `__wbindgen_throw`).
js = replace(js, 'throw new Error(getStringFromWasm0(arg0, arg1));', 'throw runtimeError(getStringFromWasm0(arg0, arg1));');

// 4. free() twice (or free() then the end of a `using` block) does nothing
//    the second time, like closing a closed file.
const frees = js.match(/\n        wasm\.__wbg_\w+_free\(ptr, 0\);\n/g) ?? [];
js = js.replace(/\n        wasm\.(__wbg_\w+_free)\(ptr, 0\);\n/g, '\n        if (ptr !== 0) wasm.$1(ptr, 0);\n');

// 5. util.inspect.
const classes = [...js.matchAll(/^export class (\w+) \{/gm)].map((m) => m[1]);
if (classes.length < 8) throw new Error(`patch-glue: found only ${classes.length} exported classes`);
if (frees.length !== classes.length) throw new Error(`patch-glue: ${frees.length} free() bodies for ${classes.length} classes`);
js += `
// Node's util.inspect shows what Python's repr shows (scripts/patch-glue.mjs).
const INSPECT = Symbol.for('nodejs.util.inspect.custom');
for (const Class of [${classes.join(', ')}]) {
    Object.defineProperty(Class.prototype, INSPECT, {
        value() {
            if (!this.__wbg_ptr) return \`\${Class.name} <freed>\`;
            return typeof this.__inspect === 'function' ? this.__inspect() : this.toString();
        },
        writable: true,
        configurable: true,
    });
}
`;
writeFileSync(jsFile, js);

// 6. Symbol.dispose in the types.
let dts = readFileSync(dtsFile, 'utf8');
if (!dts.includes('[Symbol.dispose](): void;')) throw new Error('patch-glue: no [Symbol.dispose] in the .d.ts');
dts = replace(dts, '/* tslint:disable */\n', `/* tslint:disable */
declare global {
  interface SymbolConstructor {
    /**
     * \`Symbol.dispose\` (explicit resource management, \`using\`; TypeScript's
     * lib \`esnext.disposable\`), declared here as @types/node does, so these
     * types also check under \`lib: ["es2022"]\` with or without "dom".
     */
    readonly dispose: unique symbol;
  }
}
`);
writeFileSync(dtsFile, dts);

// 7. api.d.ts: the same types without the init section (`InitInput` and
//    `initSync` name DOM and WebAssembly types), for the self-initializing
//    entries (index.d.ts), so a Node or non-DOM project checks them with
//    `lib: ["es2022"]` alone. `replica-router/web` keeps the full file.
const initStart = dts.indexOf('\nexport type InitInput = ');
if (initStart < 0) throw new Error('patch-glue: no init section in the .d.ts');
const api = dts.slice(0, initStart);
if (/\b(WebAssembly|BufferSource|RequestInfo|Response)\b/.test(api.replace(/\/\*[\s\S]*?\*\//g, ''))) {
  throw new Error('patch-glue: the API types name DOM or WebAssembly types');
}
writeFileSync(join(dir, 'api.d.ts'), `${api}\n`);
console.log(`patch-glue: patched ${jsFile} (${classes.length} classes) and ${dtsFile}`);
