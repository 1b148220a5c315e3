#!/usr/bin/env bash
# Alternating rounds of the q8_0 encoders (MERT-330M over 30 s, one ViViT-B clip, ViT-B/16 batch 8): this tree's
# harness, another build of it (BEFORE: its MusicGen.Assistant.Benchmarks.dll, e.g. from `git worktree add` of an
# older commit, built with `dotnet build bench/MusicGen.Assistant.Benchmarks -c Release`) and PyTorch
# (bench/pytorch/reference_speed.py, Debian's python3-torch with OpenBLAS), on 2 threads, reading the same cached
# models. Usage: bench/scripts/compare-encoders.sh BEFORE_DLL [ROUNDS=3] [TORCH_MERT_ROUNDS=2]
set -euo pipefail
cd "$(dirname "$0")/../.."
before=${1:?usage: compare-encoders.sh BEFORE_DLL [ROUNDS] [TORCH_MERT_ROUNDS]}
rounds=${2:-3}
torch_mert_rounds=${3:-2}
export MGA_NATIVES=${MGA_NATIVES:-$(scripts/fetch-natives.sh cpu 2>/dev/null)}
now=(dotnet bench/MusicGen.Assistant.Benchmarks/bin/Release/net10.0/MusicGen.Assistant.Benchmarks.dll)
old=(dotnet "$before")
cache=(--cache "$PWD/.cache/bench")
torch=(/usr/bin/python3 bench/pytorch/reference_speed.py --threads 2)
for r in $(seq 1 "$rounds"); do
  echo "== round $r $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo -n "now mert: ";    "${now[@]}" mert --seconds 30 --type q8_0 --repeat 1 "${cache[@]}" 2>&1 | grep -E "wall \(" | tr -s ' '
  echo -n "before mert: "; "${old[@]}" mert --seconds 30 --type q8_0 --repeat 1 "${cache[@]}" 2>&1 | grep -E "wall \(" | tr -s ' '
  if [ "$r" -le "$torch_mert_rounds" ]; then echo -n "torch "; "${torch[@]}" --only mert --mert-seconds 30 --repeat 1 2>&1 | grep "mert:"; fi
  echo -n "now vivit: ";    "${now[@]}" vivit --type q8_0 --repeat 1 "${cache[@]}" 2>&1 | grep -E "^\s+1 "
  echo -n "before vivit: "; "${old[@]}" vivit --type q8_0 --repeat 1 "${cache[@]}" 2>&1 | grep -E "^\s+1 "
  echo -n "torch "; "${torch[@]}" --only vivit --repeat 1 2>&1 | grep "vivit:"
  echo -n "now vit: ";    "${now[@]}" vit --type q8_0 --repeat 2 --batch 8 "${cache[@]}" 2>&1 | grep -E "^\s+8 "
  echo -n "before vit: "; "${old[@]}" vit --type q8_0 --repeat 2 --batch 8 "${cache[@]}" 2>&1 | grep -E "^\s+8 "
  echo -n "torch "; "${torch[@]}" --only vit --repeat 2 2>&1 | grep "batch 8"
done
