#!/usr/bin/env bash
# Writes the CIFAR-10 JPEG training set of ../shared in CIFAR binary format into DIR (once).
# Exits 0 without doing anything when ../shared is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:?usage: expand-cifar.sh DIR}
EXPAND=../shared/data/cifar10-jpeg/expand.py
if [ ! -f "$EXPAND" ]; then
  echo "expand-cifar: $EXPAND not found; CIFAR-10 tests will skip"
  exit 0
fi
if [ -f "$DIR/data_batch_5.bin" ] && [ "$(stat -c %s "$DIR/data_batch_5.bin")" -eq 30730000 ]; then
  exit 0
fi
mkdir -p "$DIR"
/usr/bin/python3 "$EXPAND" "$DIR"
