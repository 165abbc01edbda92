#!/usr/bin/env bash
# Install what the peer benchmarks and the PyTorch fixture/check scripts need.
#
# Installs:
#   apt (Debian/Ubuntu; skipped with --no-apt or where apt-get is missing): python3-torch,
#       python3-torchvision (Debian bookworm: PyTorch 1.13.1, torchvision 0.14.1, CPU),
#       libopenblas0-pthread (OpenBLAS 0.3.21, the BLAS that run_torch.sh selects);
#       nodejs + npm only if `node`/`npm` are missing (onnxruntime-node needs Node >= 16).
#   npm: onnxruntime-node (version pinned in package.json / package-lock.json) into
#       scripts/peers/node_modules (git-ignored). The package ships the CPU runtime for
#       linux x64/arm64, darwin x64/arm64 and win32; its postinstall download of optional GPU
#       binaries is skipped (ONNXRUNTIME_NODE_INSTALL=skip).
# Without apt-get (macOS, other distributions) it installs nothing system-wide and says what
# is missing: Node.js >= 16 with npm (macOS: `brew install node`) and, for exporting the ONNX
# models and the PyTorch peer, `$PYTHON -m pip install torch torchvision` ($PYTHON defaults to
# python3).
# Usage: scripts/peers/setup.sh [--no-apt] [-h|--help]     (apt: run as root, or with sudo available)
set -euo pipefail
apt=1
for arg in "$@"; do
  case "$arg" in
  --no-apt) apt=0 ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "setup: unknown argument $arg (valid: --no-apt, -h)" >&2; exit 2 ;;
  esac
done
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="${PYTHON:-python3}"
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"

if [[ $apt == 1 ]] && command -v apt-get >/dev/null 2>&1; then
  py="${PYTHON:-/usr/bin/python3}"
  pkgs=(python3-torch python3-torchvision libopenblas0-pthread)
  command -v node >/dev/null && command -v npm >/dev/null || pkgs+=(nodejs npm)
  echo "setup: apt-get install ${pkgs[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${pkgs[@]}" >/dev/null
elif [[ $apt == 1 ]]; then
  echo "setup: no apt-get here: installing only the npm package; install the rest yourself"
fi

missing=0
have_node=1
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  # Said, and the rest still checked: everything missing is reported at once.
  echo "setup: node and npm are missing (Node.js >= 16; macOS: brew install node)" >&2
  have_node=0 missing=1
else
  echo "setup: npm ci (onnxruntime-node) in $here"
  (cd "$here" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error)
fi

echo "setup: checking"
if ! "$py" -c 'import torch, torchvision; print("  torch", torch.__version__, "torchvision", torchvision.__version__)'; then
  echo "setup: $py cannot import torch and torchvision (needed to export the ONNX models): $py -m pip install torch torchvision" >&2
  missing=1
fi
if command -v dpkg >/dev/null 2>&1; then
  dpkg -L libopenblas0-pthread 2>/dev/null | grep -m1 '/libopenblas\.so\.0$' | sed 's/^/  openblas /' ||
    echo "  openblas: libopenblas0-pthread not installed (only the PyTorch peer needs it)"
fi
if [[ $have_node == 1 ]]; then
  (cd "$here" && node -e 'const o=require("onnxruntime-node"); console.log("  onnxruntime-node", require("onnxruntime-node/package.json").version, process.platform + "/" + process.arch, "backends ok:", typeof o.InferenceSession.create === "function")')
fi
if [[ $missing -ne 0 ]]; then
  exit 2
fi
echo "setup: done"
