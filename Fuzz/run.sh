#!/usr/bin/env bash
# Builds the CSV reader fuzzer with libFuzzer and runs it for SECONDS (default 600).
# The corpus in Fuzz/corpus/csv is the seed; new finds go to .build-fuzz-corpus/ (git ignores it).
# The build folder is made anew each time: SwiftPM keeps a stale view of a path dependency's
# files in a scratch folder, and a new source file would otherwise be missing from the build.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
rm -rf .build-fuzz
swift build --package-path Fuzz -c release --sanitize=fuzzer --disable-dead-strip --scratch-path .build-fuzz
mkdir -p .build-fuzz-corpus/corpus .build-fuzz-corpus/artifacts
export SWIFT_BACKTRACE=enable=no
.build-fuzz/release/CSVReaderFuzz .build-fuzz-corpus/corpus Fuzz/corpus/csv \
    -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix=.build-fuzz-corpus/artifacts/ -print_final_stats=1
