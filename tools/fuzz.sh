#!/usr/bin/env bash
# tools/fuzz.sh — libFuzzer runs over the hostile-input surfaces (targets in tests/fuzz/):
#   checkpoint  wg_model_load: safetensors reader, JSON parser, config validation, shape checks
#   image       wg_image_probe / wg_image_load_square / wg_image_fit_square (stb_image decoding)
#   idx         wg_idx_parse, wg_idx_check_pair, wg_api_dataset_from_idx
#   image_msan  the image target again under MemorySanitizer (uninitialised reads in stb_image)
#
# usage: tools/fuzz.sh [SECONDS_PER_TARGET]      (default 60; 0 = only build and replay)
#        tools/fuzz.sh --corpus                   regenerate the seed corpora in tests/fuzz/corpus/
# env:   FUZZ_TARGETS="checkpoint idx"  subset to run;  FUZZ_TIMEOUT=60  seconds per input;
#        FUZZ_REPLAY_TIMEOUT=10  seconds per regression input
# CI (Debian 12, root): apt-get install -y --no-install-recommends clang libclang-rt-14-dev llvm-14
#        libstb-dev   (the script does this itself when something is missing)
#
# Steps: install clang, libFuzzer, llvm-symbolizer and stb with apt-get when missing (root only),
# build each target into build/fuzz/ with ASan + UBSan (image_msan: MSan), replay every file in
# tests/fuzz/regressions/<target>/ (fast; a fix must keep them passing), then fuzz each target in
# turn for the given time on a working copy of its corpus in build/fuzz/corpus/<target>/ (the
# committed seeds stay untouched; new inputs accumulate there between local runs). Crashes,
# leaks, timeouts and out-of-memory are all failures: the script prints each one's input path and
# sanitizer summary, goes on with the other targets and exits 1 at the end. A crash input found
# here belongs in tests/fuzz/regressions/<target>/ (see the README there) once it is understood.
set -euo pipefail
cd "$(dirname "$0")/.."

ALL_TARGETS=(checkpoint image idx image_msan)
read -r -a TARGETS <<< "${FUZZ_TARGETS:-${ALL_TARGETS[*]}}"
declare -A SOURCE=([checkpoint]=checkpoint [image]=image [idx]=idx [image_msan]=image)   # tests/fuzz/fuzz_<source>.c
declare -A SAN=([checkpoint]=asan [image]=asan [idx]=asan [image_msan]=msan)
declare -A MAX_LEN=([checkpoint]=16384 [image]=8192 [idx]=2048 [image_msan]=8192)
TIMEOUT=${FUZZ_TIMEOUT:-60}            # per input while fuzzing
REPLAY_TIMEOUT=${FUZZ_REPLAY_TIMEOUT:-10}   # per regression input (they run in milliseconds)
OUT=build/fuzz

# ---- toolchain: clang, its libFuzzer/sanitizer runtimes, llvm-symbolizer, stb ----
apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "fuzz.sh: missing $*. Run: sudo apt-get install -y $*" >&2
    exit 1
  fi
  echo "fuzz.sh: installing $* with apt-get"
  if [ -z "${FUZZ_APT_UPDATED:-}" ]; then apt-get update -q; FUZZ_APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
}
libfuzzer_links() {
  local dir
  dir=$(mktemp -d)
  cat > "$dir/t.c" <<'C'
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }
C
  clang -fsanitize=fuzzer,address,undefined "$dir/t.c" -o "$dir/t" >/dev/null 2>&1
  local ok=$?
  rm -rf "$dir"
  return $ok
}
command -v clang >/dev/null 2>&1 || apt_install clang
CLANG_MAJOR=$(clang -dumpversion | cut -d. -f1)
need=()
libfuzzer_links || need+=("libclang-rt-$CLANG_MAJOR-dev")   # libFuzzer + ASan/UBSan runtimes
[ -f /usr/include/stb/stb_image.h ] || need+=(libstb-dev)
SYMBOLIZER=$(command -v "llvm-symbolizer-$CLANG_MAJOR" || command -v llvm-symbolizer || true)
[ -n "$SYMBOLIZER" ] || need+=("llvm-$CLANG_MAJOR")             # for readable stack traces
if [ ${#need[@]} -gt 0 ]; then
  apt_install "${need[@]}"
  libfuzzer_links || { echo "fuzz.sh: clang still cannot link -fsanitize=fuzzer" >&2; exit 1; }
  SYMBOLIZER=$(command -v "llvm-symbolizer-$CLANG_MAJOR" || command -v llvm-symbolizer || true)
fi
export ASAN_SYMBOLIZER_PATH=$SYMBOLIZER
export MSAN_SYMBOLIZER_PATH=$SYMBOLIZER
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export MSAN_OPTIONS=${MSAN_OPTIONS:-print_stacktrace=1}

# ---- build (only what changed) ----
# stb_image.h with its JPEG bit reader guarded, as build.sh makes it (only when stale)
node tools/harden-stb.js /usr/include/stb/stb_image.h build/stb/stb_image.h
BASE=(-std=c11 -O1 -g -Wall -Wextra -Werror -ffp-contract=off -fwrapv -Isrc -isystem build/stb -isystem /usr/include/stb)
declare -A SANFLAGS=([asan]="-fsanitize=address,undefined -fno-sanitize-recover=all"
                     [msan]="-fsanitize=memory -fsanitize-memory-track-origins")
mkdir -p "$OUT"
stale() {
  local out=$1; shift
  [ -f "$out" ] || return 0
  for f in "$@"; do [ "$f" -nt "$out" ] && return 0; done
  return 1
}

if [ "${1:-}" = --corpus ]; then
  echo "fuzz.sh: regenerating tests/fuzz/corpus/{checkpoint,idx} with make_corpus"
  clang -std=c11 -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined -ffp-contract=off -fwrapv \
    -Isrc -isystem build/stb -isystem /usr/include/stb src/*.c tests/fuzz/make_corpus.c -lm -o "$OUT/make_corpus"
  mkdir -p tests/fuzz/corpus/checkpoint tests/fuzz/corpus/idx tests/fuzz/corpus/image
  "$OUT/make_corpus" tests/fuzz/corpus
  if /usr/bin/python3 -c 'import PIL' 2>/dev/null; then
    /usr/bin/python3 tests/fuzz/make_images.py
  else
    echo "fuzz.sh: Pillow missing (apt-get install python3-pil): image seeds left as they are"
  fi
  exit 0
fi
SECS=${1:-60}
case $SECS in ''|*[!0-9]*) echo "usage: tools/fuzz.sh [SECONDS_PER_TARGET] | --corpus" >&2; exit 2;; esac

for t in "${TARGETS[@]}"; do
  [ -n "${MAX_LEN[$t]:-}" ] || { echo "fuzz.sh: unknown target '$t' (known: ${ALL_TARGETS[*]})" >&2; exit 2; }
done
# src/*.c is compiled once per sanitizer (instrumented with fuzzer-no-link) and linked into every
# target; stb_image alone takes ~20 s under the sanitizers, so two compilers run at a time.
declare -A OBJS=()
for san in $(for t in "${TARGETS[@]}"; do echo "${SAN[$t]}"; done | sort -u); do
  mkdir -p "$OUT/obj-$san"
  objs=() todo=()
  for c in src/*.c; do
    o=$OUT/obj-$san/$(basename "${c%.c}").o
    objs+=("$o")
    if stale "$o" "$c" src/*.h build/stb/stb_image.h tools/fuzz.sh; then todo+=("$c" "$o"); fi
  done
  OBJS[$san]="${objs[*]}"
  if [ ${#todo[@]} -gt 0 ]; then
    export FUZZ_OBJ_FLAGS="${BASE[*]} -fsanitize=fuzzer-no-link ${SANFLAGS[$san]}"
    # shellcheck disable=SC2016  # $0..$2 and the flags expand in the inner sh
    one='echo "fuzz.sh: clang -c $1 ($0)"; exec clang $FUZZ_OBJ_FLAGS -c "$1" -o "$2"'
    printf '%s\0' "${todo[@]}" | xargs -0 -n 2 -P 2 sh -c "$one" "$san"
  fi
done
for t in "${TARGETS[@]}"; do
  read -r -a objs <<< "${OBJS[${SAN[$t]}]}"
  src=tests/fuzz/fuzz_${SOURCE[$t]}.c
  if stale "$OUT/fuzz_$t" "${objs[@]}" "$src" tools/fuzz.sh; then
    echo "fuzz.sh: clang -> $OUT/fuzz_$t"
    # shellcheck disable=SC2086  # SANFLAGS holds several flags
    clang "${BASE[@]}" -fsanitize=fuzzer ${SANFLAGS[${SAN[$t]}]} "${objs[@]}" "$src" -lm -o "$OUT/fuzz_$t"
  fi
done

failures=()
# Prints the sanitizer's verdict from a libFuzzer log.
summarize() {
  grep -E '^==[0-9]+== ?(ERROR|WARNING)|^SUMMARY:|runtime error:|out-of-memory|^fuzz_[a-z_]+: ' "$1" \
    | head -n 6 | sed 's/^/    /' || true
  grep -E '^    #[0-9]+ 0x[0-9a-f]+ in ' "$1" |
    grep -vE ' in (__asan|__ubsan|__msan|__sanitizer|fuzzer::|__interceptor|__pthread|raise|abort|malloc|calloc|realloc|__libc|_start|main )' \
    | head -n 6 | sed 's/^/    /' || true
}

# ---- 1. replay regression inputs ----
for t in "${TARGETS[@]}"; do
  dir=tests/fuzz/regressions/$t
  [ -d "$dir" ] || continue
  n=0; bad=0
  while IFS= read -r -d '' f; do
    n=$((n + 1))
    log=$OUT/replay_$t.log
    if ! "$OUT/fuzz_$t" -rss_limit_mb=2048 -timeout="$REPLAY_TIMEOUT" "$f" > "$log" 2>&1; then
      bad=$((bad + 1))
      echo "fuzz.sh: REGRESSION $t: $f"
      summarize "$log"
      failures+=("$t regression: $f")
    fi
  done < <(find "$dir" -type f ! -name '*.md' ! -name '.*' -print0 | sort -z)
  echo "fuzz.sh: replayed $n regression input(s) of $t, $bad failing"
done

# ---- 2. fuzz each target in turn ----
if [ "$SECS" -gt 0 ]; then
  for t in "${TARGETS[@]}"; do
    work=$OUT/corpus/$t art=$OUT/artifacts/$t/
    mkdir -p "$work" "$art"
    cp -n tests/fuzz/corpus/"${SOURCE[$t]}"/* "$work"/ 2>/dev/null || true   # seeds into the working copy
    args=(-max_total_time="$SECS" -max_len="${MAX_LEN[$t]}" -rss_limit_mb=2048 -timeout="$TIMEOUT"
          -artifact_prefix="$art" -print_final_stats=1)
    dict=tests/fuzz/fuzz_${SOURCE[$t]}.dict
    if [ -f "$dict" ]; then args+=(-dict="$dict"); fi
    log=$OUT/fuzz_$t.log
    echo "fuzz.sh: fuzzing $t for ${SECS}s (log: $log)"
    if "$OUT/fuzz_$t" "${args[@]}" "$work" > "$log" 2>&1; then
      grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|^#[0-9]+ *DONE' "$log" | sed 's/^/    /' || true
    else
      input=$(grep -oE 'Test unit written to [^ ]+' "$log" | tail -n 1 | sed 's/Test unit written to //')
      echo "fuzz.sh: CRASH in $t: input ${input:-(not written; see $log)}"
      summarize "$log"
      failures+=("$t: ${input:-see $log}")
    fi
  done
fi

if [ ${#failures[@]} -gt 0 ]; then
  echo "fuzz.sh: ${#failures[@]} failure(s):"
  printf '  %s\n' "${failures[@]}"
  echo "fuzz.sh: reproduce with: $OUT/fuzz_<target> INPUT   (move fixed inputs to tests/fuzz/regressions/<target>/)"
  exit 1
fi
echo "fuzz.sh: no crashes"
