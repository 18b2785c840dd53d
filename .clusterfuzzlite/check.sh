#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs .clusterfuzzlite/build.sh the way the OSS-Fuzz base-builder does for
# libFuzzer + AddressSanitizer (its environment variables, libc++, the source
# copied under $SRC, intermediates in $WORK), then runs every target it built
# from $OUT alone for a few seconds, with its .options and .dict, on its
# unzipped seed corpus in /tmp.  No docker needed.  Used by `make test`.
#   .clusterfuzzlite/check.sh [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-3}
base=$(mktemp -d /tmp/gupfuzz-cflite.XXXXXX)
trap 'rm -rf "$base"' EXIT

export SRC=$base/src OUT=$base/out WORK=$base/work
mkdir -p "$SRC" "$OUT" "$WORK"
# The Dockerfile copies the checkout to $SRC/gupfuzz; so do we (without build/).
(cd "$root" && git ls-files -z --cached --others --exclude-standard 2>/dev/null ||
  find . -path ./build -prune -o -type f -print0) |
  (cd "$root" && tar --null -T - -cf -) | (mkdir -p "$SRC/gupfuzz" && tar -C "$SRC/gupfuzz" -xf -)

export CC=clang-19 CXX=clang++-19 SANITIZER=address FUZZING_ENGINE=libfuzzer ARCHITECTURE=x86_64
export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
-fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
export CXXFLAGS="$CFLAGS -stdlib=libc++"
# The base-builder's LIB_FUZZING_ENGINE is -fsanitize=fuzzer, whose libFuzzer
# carries its own private libc++.  Debian's libclang_rt.fuzzer is built against
# libstdc++, so here libstdc++.so follows it, by path: clang turns a -lstdc++
# into -lc++ under -stdlib=libc++.  Its std::__cxx11 symbols do not clash with
# libc++'s std::__1.  build.sh itself only ever uses $LIB_FUZZING_ENGINE.
export LIB_FUZZING_ENGINE="-fsanitize=fuzzer $(g++ -print-file-name=libstdc++.so)"

echo "cflite: build.sh with CC=$CC CXXFLAGS=$CXXFLAGS LIB_FUZZING_ENGINE=$LIB_FUZZING_ENGINE"
(cd "$SRC/gupfuzz" && bash "$root/.clusterfuzzlite/build.sh")

# Every target the build promises, with its corpus, dict and options.
targets=$(sed -n 's/^TARGETS="\(.*\)"/\1/p' "$root/.clusterfuzzlite/build.sh")
# Nothing from the source tree at run time: hide it.
mv "$SRC" "$base/src.hidden"
status=0
for t in $targets; do
  for f in "$t" "${t}_seed_corpus.zip" "$t.dict" "$t.options"; do
    [[ -s $OUT/$f ]] || { echo "cflite: $OUT/$f missing" >&2; status=1; }
  done
  [[ -x $OUT/$t ]] || continue
  # Our code must be on libc++ (std::__1), as under the engine's $CXXFLAGS.
  if ! ldd "$OUT/$t" | grep 'libc++.so' > /dev/null; then  # not grep -q: ldd would die of SIGPIPE under pipefail
    echo "cflite: $t does not link libc++" >&2
    status=1
  fi
  corpus=$(mktemp -d /tmp/gupfuzz-cflite-corpus.XXXXXX)
  (cd "$corpus" && unzip -q "$OUT/${t}_seed_corpus.zip")
  # The options file's [libfuzzer] entries as flags.
  mapfile -t opts < <(sed -n '/^\[libfuzzer\]/,/^\[/{s/^\([a-z_]*\) *= *\(.*\)$/-\1=\2/p}' "$OUT/$t.options")
  for i in "${!opts[@]}"; do [[ ${opts[i]} == -dict=* ]] && opts[i]="-dict=$OUT/${opts[i]#-dict=}"; done
  if (cd /tmp && "$OUT/$t" "${opts[@]}" -max_total_time="$seconds" -artifact_prefix="$corpus/" "$corpus") \
      >"$base/$t.log" 2>&1; then
    echo "cflite: $t ran ${seconds}s from \$OUT: $(grep -o 'Done [0-9]* runs' "$base/$t.log" || true)"
  else
    echo "cflite: $t failed; log:" >&2
    tail -n 20 "$base/$t.log" >&2
    status=1
  fi
  rm -rf "$corpus"
done
mv "$base/src.hidden" "$SRC"
exit $status
