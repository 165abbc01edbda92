#!/usr/bin/env bash
# Run torch_bench.py with Debian's OpenBLAS (pthread build) as the BLAS.
# On Debian/Ubuntu it finds the openblas-pthread directory from the installed
# libopenblas0-pthread package, puts it first on LD_LIBRARY_PATH and runs the system python
# (which has python3-torch). Elsewhere (macOS, other Linux distributions: no dpkg) it runs
# $PYTHON (default python3) with whatever BLAS its PyTorch ships, passing --allow-any-blas,
# and says so on stderr.
# Usage: scripts/peers/run_torch.sh [torch_bench.py options]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v dpkg >/dev/null 2>&1; then
  echo "# run_torch.sh: no dpkg here: PyTorch's own BLAS (--allow-any-blas)" >&2
  exec "${PYTHON:-python3}" "$here/torch_bench.py" --allow-any-blas "$@"
fi
lib="$(dpkg -L libopenblas0-pthread 2>/dev/null | grep -m1 '/libopenblas\.so\.0$' || true)"
if [[ -z "$lib" ]]; then
  echo "run_torch.sh: libopenblas0-pthread is not installed (run scripts/peers/setup.sh)" >&2
  exit 2
fi
dir="$(dirname "$lib")"
export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "# LD_LIBRARY_PATH=$LD_LIBRARY_PATH" >&2
exec "${PYTHON:-/usr/bin/python3}" "$here/torch_bench.py" "$@"
