#!/bin/sh
# E4 phase diagram: alpha_2 / alpha_1 (alpha_1 = 2) against eta_E / eta,
# with the trainable head and without, at a flow-faithful step (eta = 0.05,
# d = 100, exact reduced dynamics), outcomes counted at the end of the
# budget (no early stop: 500000 steps, t = eta steps = 25000).  Maps:
# features learned (mean over seeds) and T3, the step every feature is
# learned (cells where no run learned both are "never", hatched).
#
# Verdict rule: the paper's two claims, each against its own spread:
#   (1) the head adds features: over the cells, the head's mean features
#       learned exceeds the no-head's in more cells than it falls short, and
#       significantly so, with the seed as the unit (every cell starts from
#       the same 12 initial states, so cells are not independent): for each
#       seed, its mean features learned with the head over the cells minus
#       without; the one-sided sign test over the seeds (ties left out) gives
#       p < 0.05;
#   (2) a weaker v_2 is learned later: for each seed and eta_E/eta, the
#       least-squares slope of log T3 on log(alpha_2/alpha_1) over its
#       faithful head runs that learned both (at least 3 of the 5 alpha_2):
#       the same initial weights, so the seed's own race, which spreads T3
#       over decades, cancels; a seed's slope is the median over its
#       eta_E/eta; PASS when the whole 95% bootstrap interval of the median
#       of the seeds' slopes (phsim stats, seeds resampled) lies below 0.  The plain
#       correlation of log T3 with log alpha_2 over all of them is reported
#       too (-0.26 in QUICK: the seeds' spread hides the trend there).
# Runs that are not flow-faithful are left out of every number and counted.
. "$(dirname "$0")/common.sh"
D=$OUT/e4
mkdir -p "$D"
NA=5
NE=5
SEEDS=12  # QUICK too: with 6 seeds the sign test over seeds could not reach p < 0.05 (4 of 5: p = 0.19)
STEPS=500000
start=$(date +%s)
# E4_SET: KEY=VALUE assignments for mutations (NOTES 10.2), e.g.
# E4_SET=stopgrad=false; a grid key (alpha_2, eta_E, head, seed) cannot be
# set this way: the grid wins
MUT=
for kv in ${E4_SET:-}; do MUT="$MUT --set $kv"; done
# table-only: the verdicts read sweep.csv alone, and the fixed-head points
# that differ only in eta_E then run once (NOTES section 8: the same rows)
# shellcheck disable=SC2086 # MUT: one word per --set and assignment
"$PHSIM" sweep --set eta=0.05 --set steps="$STEPS" --set log_every=500 $MUT \
  --grid alpha_2=0.5:1.6:"$NA" --grid eta_E=0.0005:0.05:"$NE":log --grid head=offdiag,fixed \
  --grid seed=1:"$SEEDS":"$SEEDS" --out "$D/sweep" --jobs "$JOBS" --table-only --force 2>/dev/null
secs=$(( $(date +%s) - start ))
"$PHSIM" plot "$D/sweep" --rule "E4 rule: the head learns more features in more cells than fewer (sign test over the seeds p < 0.05), and the 95% interval of the median per-seed slope of log T3 on log alpha_2 below 0"
CSV=$D/sweep/sweep.csv
read -r f n <<EOS
$(faithful "$CSV")
EOS
# faithful runs as "group head features", the group a cell or a seed
faithful_by() {
  awk -F, -v by="$1" -v ca="$(csv_col "$CSV" alpha_2)" -v ce="$(csv_col "$CSV" eta_E)" -v cs="$(csv_col "$CSV" seed)" \
      -v ch="$(csv_col "$CSV" head)" -v cf="$(csv_col "$CSV" features_learned)" -v cq="$(csv_col "$CSV" flow_faithful)" \
      'NR > 1 && $cq == 1 { print (by == "seed" ? $cs : $ca "," $ce), $ch, $cf }' "$CSV"
}
# per cell: mean features with and without the head
read -r up down same cells <<EOS
$(faithful_by cell | head_vs_none)
EOS
# (1) with the seed as the unit: seeds whose mean features with the head
# exceed / fall short of those without
read -r sup sdown _ <<EOS
$(faithful_by seed | head_vs_none)
EOS
# (2): per (seed, eta_E) the slope of log T3 on log alpha_2, then the
# median of those slopes with its bootstrap interval; and the plain
# correlation over every such run
awk -F, -v ca="$(csv_col "$CSV" alpha_2)" -v ce="$(csv_col "$CSV" eta_E)" -v ch="$(csv_col "$CSV" head)" \
    -v cs="$(csv_col "$CSV" seed)" -v c3="$(csv_col "$CSV" T3)" -v cq="$(csv_col "$CSV" flow_faithful)" '
  NR > 1 && $cq == 1 && $ch == "offdiag" && $c3 != "" { g = $cs "/" $ce; k = ++n[g]; x[g, k] = log($ca); y[g, k] = log($c3) }
  END { for (g in n) { if (n[g] < 3) continue; mx = 0; my = 0; sxx = 0; sxy = 0
          for (k = 1; k <= n[g]; k++) { mx += x[g, k] / n[g]; my += y[g, k] / n[g] }
          for (k = 1; k <= n[g]; k++) { sxx += (x[g, k] - mx) ^ 2; sxy += (x[g, k] - mx) * (y[g, k] - my) }
          if (sxx > 0) { split(g, q, "/"); printf "%s %.17g\n", q[1], sxy / sxx } } }' "$CSV" | sort -k1,1n -k2,2g |
  awk '{ v[$1, ++n[$1]] = $2 } END { for (s in n) { k = n[s]; m = (k % 2) ? v[s, (k + 1) / 2] : (v[s, k / 2] + v[s, k / 2 + 1]) / 2
          printf "all,%.17g\n", m } }' | sort > "$D/t3-slopes.tmp"
{ echo "g,slope"; cat "$D/t3-slopes.tmp"; } > "$D/t3-slopes.csv"
rm -f "$D/t3-slopes.tmp"
"$PHSIM" stats "$D/t3-slopes.csv" --by g --y slope > "$D/stats-t3-slopes.csv" 2>/dev/null || echo "g,n,censored,median,lo,hi" > "$D/stats-t3-slopes.csv"
read -r sn smed slo shi <<EOS
$(awk -F, 'NR == 2 { printf "%s %.3g %.3g %.3g\n", $2, $4, $5, $6 } END { if (NR < 2) print "0 nan nan nan" }' "$D/stats-t3-slopes.csv")
EOS
rho=$(awk -F, -v ca="$(csv_col "$CSV" alpha_2)" -v ch="$(csv_col "$CSV" head)" -v c3="$(csv_col "$CSV" T3)" \
      -v cq="$(csv_col "$CSV" flow_faithful)" '
  NR > 1 && $cq == 1 && $ch == "offdiag" && $c3 != "" { x[++n] = log($ca); y[n] = log($c3) }
  END { for (i = 1; i <= n; i++) { mx += x[i] / n; my += y[i] / n }
        for (i = 1; i <= n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ^ 2; syy += (y[i] - my) ^ 2 }
        if (n < 3 || sxx == 0 || syy == 0) print "nan"; else printf "%.3f\n", sxy / sqrt(sxx * syy) }' "$CSV")
psign=$(sign_test "$sup" "$sdown")
echo "flow-faithful runs: $f of $n"
echo "cells where the head learns more features than no head: $up, fewer: $down, as many: $same (of $cells)"
echo "seeds whose mean features are higher with the head: $sup, lower: $sdown; one-sided sign test over the seeds: p = $psign"
echo "slope of log T3 on log(alpha_2/alpha_1) per seed (the median over its eta_E/eta with 3 or more faithful head runs that learned both): median over $sn seeds $smed, 95% bootstrap interval [$slo, $shi]; plain correlation over the runs $rho"
echo "sweep time: $secs s with $JOBS jobs"
ok=PASS
[ "$up" -gt "$down" ] || ok=FAIL
awk -v p="$psign" 'BEGIN { exit !(p == p + 0 && p < 0.05) }' || ok=FAIL
awk -v h="$shi" 'BEGIN { exit !(h == h + 0 && h < 0) }' || ok=FAIL
verdict E4 "$ok" "rule: the head learns more features in more cells than fewer (one-sided sign test over the seeds, p < 0.05), and log T3 falls as alpha_2/alpha_1 grows (the 95% interval of the median per-seed slope of log T3 on log alpha_2 below 0). Head more in $up cells, fewer in $down, as many in $same of $cells; more for $sup seeds, fewer for $sdown (p = $psign); slope $smed [$slo, $shi] over $sn seeds (plain correlation $rho); faithful $f/$n runs; $SEEDS seeds per cell, $STEPS steps; maps $D/sweep/plots/phase-diagram-*.png"
