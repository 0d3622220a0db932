#!/bin/sh
# E2 Phase I time: T1 (first step a neuron learns the strong feature) against
# d, from 50 to 5000, and against eta; exact reduced dynamics (engine =
# order, whose cost does not depend on d), runs stopped at T1, several seeds
# per point.  The paper: T1 = O(d^(2+o(1)) / eta).  Heuristic: the escape
# time of a neuron from overlaps a0 ~ d^(-1/2) grows like a0^-4 ~ d^2.
. "$(dirname "$0")/common.sh"
D=$OUT/e2
mkdir -p "$D"
SEEDS=$(pick 24 12)
DMAX=$(pick 5000 800)
ND=$(pick 9 4)
"$PHSIM" sweep "$SPEC_STEP" --set engine=order --set head=fixed --set stop=strong --set steps="$(pick 20000000 2000000)" \
  --set log_every=10 --grid d=50:"$DMAX":"$ND":log --grid seed=1:"$SEEDS":"$SEEDS" \
  --out "$D/d" --jobs "$JOBS" 2>/dev/null
"$PHSIM" sweep "$SPEC_STEP" --set engine=order --set head=fixed --set stop=strong --set steps="$(pick 20000000 2000000)" \
  --set log_every=1 --set d=100 --grid eta=0.05:1:"$(pick 6 4)":log --grid seed=1:"$SEEDS":"$SEEDS" \
  --out "$D/eta" --jobs "$JOBS" 2>/dev/null
fd_all=$("$PHSIM" fit "$D/d/sweep.csv" --x d --y T1 --loglog)
# the upper half of the d range, where the O(1) time to clear the noise
# after the escape no longer flattens the slope
DMID=$(awk -v a="$DMAX" 'BEGIN { printf "%d", sqrt(50 * a) }')
fd=$("$PHSIM" fit "$D/d/sweep.csv" --x d --y T1 --loglog --where "d>=$DMID")
fe=$("$PHSIM" fit "$D/eta/sweep.csv" --x eta --y T1 --loglog)
echo "T1 against d (all):       $fd_all"
echo "T1 against d (d >= $DMID): $fd"
echo "runs that never learned the strong feature (both neurons' race favoured v_2, or stuck): $(awk -F, -v c="$(csv_col "$D/d/sweep.csv" T1)" 'NR > 1 && $c == ""' "$D/d/sweep.csv" | wc -l)"
echo "T1 against eta: $fe"
"$PHSIM" plot "$D/d"
"$PHSIM" plot "$D/eta"
sd=$(echo "$fd" | sed 's/.*slope=\([^ ]*\) slope_se=\([^ ]*\).*/\1 \2/')
se=$(echo "$fe" | sed 's/.*slope=\([^ ]*\) slope_se=\([^ ]*\).*/\1 \2/')
ok=PASS
echo "$sd" | awk '{ exit !($1 > 1.6 && $1 < 2.4) }' || ok=FAIL
echo "$se" | awk '{ exit !($1 > -1.2 && $1 < -0.8) }' || ok=FAIL
verdict E2 "$ok" "T1 ~ d^$(echo "$sd" | awk '{printf "%.2f +- %.2f", $1, $2}') for d >= $DMID (paper: d^(2+o(1))), T1 ~ eta^$(echo "$se" | awk '{printf "%.2f +- %.2f", $1, $2}') (paper: 1/eta); figures $D/d/plots, $D/eta/plots"
