#!/usr/bin/env bash
# Create the virtual environments of the peer tools that benchmarks/quality.py compares peil with, one per tool
# under benchmarks/.venvs/ (their pins clash with peil's and with each other's: pandas 2 vs 3, duckdb versions):
#
#   soda     soda-core 4 with soda-duckdb (contract files, verify_contract_locally)
#   gx       great-expectations 1.x on pandas
#   pandera  pandera on pandas
#
# The hand-written DuckDB query and peil itself run in the project's own .venv. Re-running the script only
# installs what is missing. Usage: bash benchmarks/setup_peers.sh   (PYTHON=python3.11 to choose the interpreter)
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}

venv() {
    local name=$1
    shift
    if [ ! -x ".venvs/$name/bin/python" ]; then
        "$PYTHON" -m venv ".venvs/$name"
    fi
    ".venvs/$name/bin/pip" install --quiet --upgrade pip
    ".venvs/$name/bin/pip" install --quiet "$@"
    echo "$name: $(".venvs/$name/bin/pip" freeze | grep -iE '^(soda-core|soda-duckdb|duckdb|great.expectations|pandera|pandas|pyarrow)==' | tr '\n' ' ')"
}

venv soda "soda-core>=4.28,<5" "soda-duckdb>=4.28,<5" "duckdb>=2.0,<3" "pyarrow>=18,<27"
venv gx "great-expectations>=1.24,<2" "pyarrow>=18,<27"
venv pandera "pandera>=0.35,<0.36" "pandas>=2.2,<4" "pyarrow>=18,<27"
