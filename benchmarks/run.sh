#!/bin/sh
# Runs rinban's benchmark suite (package-benchmark) from this directory.
# Extra arguments go to the benchmark plugin, for example:
#   ./run.sh --filter "load.*"
#   ./run.sh baseline update main
set -eu
cd "$(dirname "$0")"
exec swift package --allow-writing-to-package-directory benchmark "$@"
