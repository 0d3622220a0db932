#!/bin/sh
# bench_sampled.sh OLD NEW [ROUNDS]: the sampled engine's speed at d = 200
# (N = 4096, P = 16, the defaults) of two phsim programs side by side,
# OLD and NEW alternated in each round (the machine is shared: only ratios
# in one run mean anything).  Each run is `phsim run` of a fixed number of
# steps; its CPU time (user + system, /usr/bin/time) includes the start
# (the initial weights; for resample = never the training set).  Prints
# each round's times and, per option, the ratio OLD / NEW of the summed
# times: NEW's speed-up in steps per CPU second.
set -eu
OLD=$1
NEW=$2
ROUNDS=${3:-3}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cpu() { # program, option, steps: CPU seconds of the run
  /usr/bin/time -f '%U %S' -o "$TMP/t" "$1" run --set engine=sampled \
    --set d=200 --set "$2" --set steps="$3" --set log_every="$3" \
    --no-timing --out "$TMP/o" >/dev/null 2>&1
  rm -rf "$TMP/o"
  awk '{ print $1 + $2 }' "$TMP/t"
}
for spec in draw=projected:400 draw=full:40 resample=never:100; do
  opt=${spec%:*}
  steps=${spec#*:}
  sum_old=0
  sum_new=0
  r=1
  while [ "$r" -le "$ROUNDS" ]; do
    a=$(cpu "$OLD" "$opt" "$steps")
    b=$(cpu "$NEW" "$opt" "$steps")
    echo "$opt steps=$steps round $r: old $a s, new $b s"
    sum_old=$(echo "$sum_old $a" | awk '{ print $1 + $2 }')
    sum_new=$(echo "$sum_new $b" | awk '{ print $1 + $2 }')
    r=$((r + 1))
  done
  echo "$opt: old/new = $(echo "$sum_old $sum_new" | awk '{ printf "%.2f", $1 / $2 }')"
done
