#!/usr/bin/env bash
# Install what the peer benchmarks and the PyTorch fixture/check scripts need.
#
# Installs:
#   apt (Debian bookworm): python3-torch (PyTorch 1.13.1, CPU), python3-torchvision (0.14.1),
#       libopenblas0-pthread (OpenBLAS 0.3.21, the BLAS that run_torch.sh selects);
#       nodejs + npm only if `node`/`npm` are missing (onnxruntime-node needs Node >= 16).
#   npm: onnxruntime-node (version pinned in package.json / package-lock.json) into
#       scripts/peers/node_modules (git-ignored). Its postinstall download of optional GPU
#       binaries is skipped (ONNXRUNTIME_NODE_INSTALL=skip): the CPU runtime ships in the package.
# Usage: scripts/peers/setup.sh [--no-apt]     (run as root, or with sudo available)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"

if [[ "${1:-}" != "--no-apt" ]]; then
  pkgs=(python3-torch python3-torchvision libopenblas0-pthread)
  command -v node >/dev/null && command -v npm >/dev/null || pkgs+=(nodejs npm)
  echo "setup: apt-get install ${pkgs[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi

echo "setup: npm ci (onnxruntime-node) in $here"
(cd "$here" && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error)

echo "setup: checking"
/usr/bin/python3 -c 'import torch, torchvision; print("  torch", torch.__version__, "torchvision", torchvision.__version__)'
dpkg -L libopenblas0-pthread | grep -m1 '/libopenblas\.so\.0$' | sed 's/^/  openblas /'
(cd "$here" && node -e 'const o=require("onnxruntime-node"); console.log("  onnxruntime-node", require("onnxruntime-node/package.json").version, "backends ok:", typeof o.InferenceSession.create === "function")')
echo "setup: done"
