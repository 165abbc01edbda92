# Sourced by the scripts of scripts/sweep after `cd` to the repository root: sets $work (the
# directory WORK names, created; else a temporary one removed on exit) and $bin (the binary
# EXPLORER names; else explorer built into $work).
work=${WORK:-$(mktemp -d)}
mkdir -p "$work"
if [ -z "${WORK:-}" ]; then trap 'rm -rf "$work"' EXIT; fi
bin=${EXPLORER:-$work/explorer}
if [ -z "${EXPLORER:-}" ]; then CGO_ENABLED=0 go build -o "$bin" ./cmd/explorer; fi
