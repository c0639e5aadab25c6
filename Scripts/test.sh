#!/usr/bin/env bash
# Installs dependencies, builds everything (tests included), fails on any warning in barnnd's own code,
# checks formatting, then runs every test. This is the README's test command and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
# .ci/run installs the packages itself first; anyone else gets them installed here.
if [ "${BARNND_DEPS_INSTALLED:-0}" != "1" ]; then Scripts/install-deps.sh --tests; fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
swift build --build-tests 2>&1 | tee "$log"
if grep -E "^$PWD/(Sources|Tests|Benchmarks)/.*: warning:" "$log"; then
    echo "error: the build has warnings in barnnd's own code (listed above)" >&2
    exit 1
fi
swift format lint --strict --recursive Package.swift Sources Tests Benchmarks
# Serial: Swift Testing otherwise runs every test at once on the cooperative pool, which has one thread per core;
# on a 2-core machine tests that wait on child processes, brokers and trainer threads then starve each other.
swift test --skip-build --no-parallel
