#!/bin/sh
# E4 phase diagram: alpha_2 / alpha_1 (alpha_1 = 2) against eta_E / eta
# (eta = 1), with the trainable head and without, 3 seeds per cell, exact
# reduced dynamics, 200000 steps (stopped once every feature is learned).
# Maps: features learned, and the step at which every feature is learned.
# Full: 20 x 20 x 2 x 3 = 2400 runs (target: under two minutes on 2 cores).
. "$(dirname "$0")/common.sh"
D=$OUT/e4
mkdir -p "$D"
N=$(pick 20 6)
SEEDS=$(pick 3 2)
start=$(date +%s)
"$PHSIM" sweep "$SPEC_STEP" --set engine=order --set stop=all --set steps=200000 --set log_every=100 \
  --grid alpha_2=0.3:1.6:"$N" --grid eta_E=0.001:1:"$N":log --grid head=offdiag,fixed \
  --grid seed=1:"$SEEDS":"$SEEDS" --out "$D/sweep" --jobs "$JOBS" 2>/dev/null
secs=$(( $(date +%s) - start ))
"$PHSIM" plot "$D/sweep"
CSV=$D/sweep/sweep.csv
# mean features learned with and without the head; cells where the head
# learns more; how the weak feature's time depends on its strength
read -r fh ff better cells rho <<EOS
$(awk -F, -v ca="$(csv_col "$CSV" alpha_2)" -v ce="$(csv_col "$CSV" eta_E)" -v ch="$(csv_col "$CSV" head)" \
      -v cf="$(csv_col "$CSV" features_learned)" -v c3="$(csv_col "$CSV" T3)" '
  NR > 1 { k = $ca "," $ce; if ($ch == "offdiag") { h[k] += $cf; nh[k]++; sh += $cf; th++
             if ($c3 != "") { x[++n] = log($ca); y[n] = log($c3) } }
           else { f[k] += $cf; nf[k]++; sf += $cf; tf++ } }
  END { for (k in h) { cells++; if (h[k] / nh[k] > f[k] / nf[k] + 0.5) better++ }
        for (i = 1; i <= n; i++) { mx += x[i] / n; my += y[i] / n }
        for (i = 1; i <= n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ^ 2; syy += (y[i] - my) ^ 2 }
        printf "%.3f %.3f %d %d %.3f\n", sh / th, sf / tf, better, cells, sxy / sqrt(sxx * syy) }' "$CSV")
EOS
echo "mean features learned: head $fh, no head $ff; cells where the head learns half a feature more: $better of $cells"
echo "correlation of log(step all learned) with log(alpha_2), head runs: $rho"
echo "sweep time: $secs s with $JOBS jobs"
ok=PASS
awk -v a="$fh" -v b="$ff" 'BEGIN { exit !(a > b + 0.2) }' || ok=FAIL
awk -v r="$rho" 'BEGIN { exit !(r < -0.3) }' || ok=FAIL
verdict E4 "$ok" "features learned (mean over the diagram): head $fh, no head $ff; the head adds half a feature or more in $better of $cells cells; weaker v2 is learned later (corr $rho); $secs s; maps $D/sweep/plots/phase-diagram-*.png"
