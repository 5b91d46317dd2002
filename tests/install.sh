#!/usr/bin/env bash
# tests/install.sh BUILD — install into a scratch prefix, then build and run the
# embedding example against it through pkg-config, as a game would.
set -u
build=${1:-build}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
if ! make --no-print-directory -s install BUILD="$build" SAN="${SAN:-}" PREFIX="$prefix" >"$prefix/log" 2>&1; then
    cat "$prefix/log"; echo "0 passed, 1 failed"; exit 1
fi
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
flags=$(pkg-config --cflags --libs augur) || { echo "0 passed, 1 failed"; exit 1; }
printf 'x = 1\n' >"$prefix/bad.toml"
# shellcheck disable=SC2086 # the flags are words
if cc -std=c11 -Wall -Wextra -Werror ${SAN:-} -o "$prefix/hello" examples/hello.c $flags &&
   out=$(LD_LIBRARY_PATH="$prefix/lib" "$prefix/hello" "$prefix/bad.toml" 2>&1; echo "exit $?") &&
   grep -q "augur $(sed -n 's/^#define AUGUR_VERSION "\(.*\)"/\1/p' agent/augur.h)" <<<"$out" &&
   grep -q "bad.toml:1: unknown key 'x'" <<<"$out" && grep -q "exit 1" <<<"$out"; then
    echo "1 passed, 0 failed"
else
    echo "${out:-}"; echo "0 passed, 1 failed"; exit 1
fi
