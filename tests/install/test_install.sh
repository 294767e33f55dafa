#!/usr/bin/env bash
# Installs the build into a scratch prefix, then uses it as an application
# would: a CMake project with find_package(Fathom), a compile with
# pkg-config, and `import fathom` from the installed Python package.
# Usage: test_install.sh BUILD_DIR
set -euo pipefail
build="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
prefix="$scratch/prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null

expect() {  # expect OUTPUT: the consumer's output for its index
  local want=$'matches 1\nhit one\nsound 1\nsyntax error at column 6'
  if [ "$1" != "$want" ]; then
    echo "unexpected output:"; echo "$1"; exit 1
  fi
}

echo "== find_package(Fathom)"
cmake -S "$here/consumer" -B "$scratch/cmake" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$scratch/cmake" >/dev/null
expect "$(LD_LIBRARY_PATH="$prefix/lib" "$scratch/cmake/consumer" "$scratch/index-cmake")"

echo "== pkg-config fathom"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
# shellcheck disable=SC2046
c++ "$here/consumer/main.cpp" -o "$scratch/pc-consumer" $(pkg-config --cflags --libs fathom)
expect "$(LD_LIBRARY_PATH="$prefix/lib" "$scratch/pc-consumer" "$scratch/index-pc")"

echo "== import fathom (installed package)"
site="$(find "$prefix" -type d -name dist-packages | head -n 1)"
PYTHONPATH="$site" /usr/bin/python3 -c "
import fathom, sys
hits = [h.id for h in fathom.Index(sys.argv[1]).search('installed')]
assert hits == ['one'], hits
assert fathom.__file__.startswith(sys.argv[2]), fathom.__file__
print('python ok')
" "$scratch/index-cmake" "$site"
echo "install test passed"
