#!/bin/sh
# The main job (`make demo`): phsim's defaults (preset teach: the spec's
# section 5, d = 100, alpha = (2, 1), at eta = 0.025, eta_E = 0.0025,
# 8*10^6 steps, where gradient descent follows its flow) over 8 seeds, each with the trainable off-diagonal head and without a head
# (head = fixed), two runs at a time; then the table of which neuron ended on
# which feature.  Outputs: $OUT/seed<S>-<head>/{config,trajectory.csv,summary.json}.
set -eu
PHSIM=${PHSIM:-bin/phsim}
OUT=${OUT:-out/demo}
SEEDS=${SEEDS:-"1 2 3 4 5 6 7 8"}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
mkdir -p "$OUT"
for s in $SEEDS; do
  for h in offdiag fixed; do
    echo "$s $h"
  done
done | xargs -P "$JOBS" -n 2 sh -c \
  '"$0" run --set seed="$1" --set head="$2" --out "'"$OUT"'/seed$1-$2" >/dev/null' "$PHSIM"
dirs=""
for s in $SEEDS; do
  for h in offdiag fixed; do dirs="$dirs $OUT/seed$s-$h"; done
done
# shellcheck disable=SC2086
"$PHSIM" table $dirs
echo "outputs: $OUT/seed<S>-<head>/ (config, trajectory.csv, summary.json)"
