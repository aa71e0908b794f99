#!/usr/bin/env bash
# Builds the JS package: the wasm32 library (cargo profile `wasm-release`:
# size-tuned, with the core crate and the ChaCha generator optimized for
# speed), then the wasm-bindgen CLI at exactly the version of the
# `wasm-bindgen` crate in Cargo.lock for the `web` target (an ES module that
# runs in browsers, bundlers and Node) into pkg/web, then
# scripts/patch-glue.mjs (coded errors for wasm-bindgen's runtime errors, a
# clear error before init(), util.inspect, Symbol.dispose in the types) and
# binaryen's wasm-opt. The package entries (index.js for browsers and
# bundlers, node.js for Node) initialize that one build.
#
# Installs what is missing: the wasm32-unknown-unknown rustup target and
# wasm-bindgen-cli at the locked version. Set CARGO_TARGET_DIR to reuse a
# target directory; default: <repo>/target.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
profile=wasm-release
crate=replica_router_wasm

if command -v rustup >/dev/null 2>&1 && ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    echo "== installing rustup target wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
fi

# The wasm-bindgen crate version the build links (pinned with `=` in the
# root Cargo.toml, so Cargo.lock always holds exactly one).
want="$(cargo metadata --format-version 1 --locked 2>/dev/null \
    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const p=JSON.parse(s).packages.find(p=>p.name==="wasm-bindgen");process.stdout.write(p?p.version:"")})' || true)"
if [ -z "$want" ]; then
    want="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)"
fi
if [ -z "$want" ]; then
    echo "cannot find the wasm-bindgen version in Cargo.lock" >&2
    exit 1
fi
have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have" != "$want" ]; then
    echo "== installing wasm-bindgen-cli $want (found '${have:-none}'; takes a few minutes)"
    cargo install wasm-bindgen-cli --version "$want"
fi

echo "== cargo build --profile $profile --target wasm32-unknown-unknown -p replica-router-wasm"
cargo build --profile "$profile" --target wasm32-unknown-unknown -p replica-router-wasm
wasm="$target_dir/wasm32-unknown-unknown/$profile/$crate.wasm"

echo "== wasm-bindgen $want: pkg/web (ES module for browsers, bundlers and Node)"
rm -rf "$here/pkg/web" "$here/pkg/node"
wasm-bindgen --remove-name-section --remove-producers-section --target web --out-dir "$here/pkg/web" "$wasm"
node "$here/scripts/patch-glue.mjs" "$here/pkg/web"

# Optional: binaryen's wasm-opt, when installed (npm `binaryen`): `-O1`.
# Measured 2026-12-03 in one Node process (bench/README.md): -O1 picks as
# fast as -O3 (pickMany 12.3 vs 12.5 ns, counts 10.2 vs 10.5 ns per pick)
# and gzips 6,147 bytes smaller (165,547 vs 171,694); -Oz and -Os gzip
# larger still (171,564 / 171,384), no wasm-opt at all is slower.
# `--enable-simd`: the ChaCha block function of src/chacha_words.rs uses
# WebAssembly SIMD (Node >= 16.4 and every current browser).
opt="$here/node_modules/.bin/wasm-opt"
if [ -x "$opt" ]; then
    f="$here/pkg/web/${crate}_bg.wasm"
    "$opt" -O1 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
        --enable-mutable-globals --enable-reference-types --enable-multivalue --enable-simd "$f" -o "$f.opt" && mv "$f.opt" "$f"
fi

f="$here/pkg/web/${crate}_bg.wasm"
raw=$(wc -c < "$f")
gz=$(gzip -9 -c "$f" | wc -c)
echo "== $crate.wasm: $raw bytes raw, $gz bytes gzipped"
