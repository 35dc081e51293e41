#!/usr/bin/env bash
# Builds and runs the consumer project as a user of sock8 would.
#   run.sh find_package <sock8 source dir> <scratch dir>
#   run.sh add_subdirectory <sock8 source dir> <scratch dir>
set -euo pipefail
mode=$1
source_dir=$2
work=$3
here=$(cd "$(dirname "$0")" && pwd)

rm -rf "$work"
mkdir -p "$work"

if [ "$mode" = find_package ]; then
    # Install sock8 into a private prefix, then find it there.
    cmake -S "$source_dir" -B "$work/sock8" -G Ninja \
        -DCMAKE_INSTALL_PREFIX="$work/prefix" -DSOCK8_BUILD_TESTS=OFF \
        -DSOCK8_BUILD_EXAMPLES=OFF -DSOCK8_BUILD_BENCH=OFF >/dev/null
    cmake --install "$work/sock8" >/dev/null
    cmake -S "$here/find_package" -B "$work/consumer" -G Ninja \
        -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
else
    cmake -S "$here/add_subdirectory" -B "$work/consumer" -G Ninja \
        -DSOCK8_SOURCE_DIR="$source_dir" >/dev/null
fi

cmake --build "$work/consumer" >/dev/null
"$work/consumer/consumer"
