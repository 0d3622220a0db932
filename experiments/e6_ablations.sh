#!/bin/sh
# E6 ablations of the paper's setting (spec section 5 preset, d = 100,
# alpha = (2, 1)): the trainable off-diagonal head (baseline) against a fully
# trainable head, no BatchNorm, no stop-gradient, no head, each on the
# gradient flow itself (engine = flow, t = 2*10^5 in units where eta = 1, so
# no step can leave the flow), and an EMA target (ema = 0.9, which has no
# flow limit: gradient descent at the default eta = 0.025, where its
# fidelity is not defined and is reported as such).  Per variant: runs that
# end with both features, one, none; diverged; the median largest weight
# norm at the end (no BN: the flow shrinks every w_j to 0, the complete
# collapse, which is what the paper's BN prevents).
# Rule: the baseline learns both features in more runs than each of no BN,
# no stop-gradient and no head, significantly so: for each, the one-sided
# Fisher exact test of the 2 x 2 table (variant x both features or not)
# gives p < 0.05 (12 seeds; QUICK too: with 4, 3 of 4 against 1 of 4 has
# p = 0.24 and could not tell them apart).  Mutation that fails it: run
# the baseline with stopgrad=false (E6_BASE=stopgrad=false): 0 runs learn
# both.
. "$(dirname "$0")/common.sh"
D=$OUT/e6
mkdir -p "$D"
SEEDS=12
BASE=${E6_BASE:-head=offdiag}
FLOW="--set engine=flow --set eta=1 --set eta_E=0.1 --set steps=200000 --set log_per_decade=50"
printf '%-12s %6s %6s %6s %9s %12s %9s\n' variant both one none diverged norm_end faithful > "$D/table.txt"
for v in "baseline:$BASE" "full-head:head=full" "no-bn:norm=none" "no-stopgrad:stopgrad=false" "no-head:head=fixed" "ema-0.9:ema=0.9"; do
  name=${v%%:*}
  set_=${v#*:}
  # shellcheck disable=SC2086
  if [ "$name" = ema-0.9 ]; then engine="--set steps=$(pick 8000000 2000000)"; else engine=$FLOW; fi
  # shellcheck disable=SC2086
  "$PHSIM" sweep $engine --set "$set_" --grid seed=1:"$SEEDS":"$SEEDS" --out "$D/$name" --jobs "$JOBS" --force 2>/dev/null
  CSV=$D/$name/sweep.csv
  # a run without a norm (empty) has none, it is not "large": --skip-empty
  "$PHSIM" stats "$CSV" --by status --y weight_norm_max_final --skip-empty > "$D/$name/norm.csv"
  awk -F, -v name="$name" -v cf="$(csv_col "$CSV" features_learned)" -v cs="$(csv_col "$CSV" status)" \
      -v cff="$(csv_col "$CSV" flow_faithful)" -v norm="$(awk -F, 'NR == 2 { print $4 }' "$D/$name/norm.csv")" '
    NR > 1 { n++; if ($cs == "diverged") d++; else if ($cf == 2) b++; else if ($cf == 1) o++; else z++
             f += ($cff == 1); u += ($cff == "") }
    END { printf "%-12s %6d %6d %6d %9d %12.3g %9s\n", name, b, o, z, d, norm, (u ? "undefined" : f "/" n) }' "$CSV" >> "$D/table.txt"
done
cat "$D/table.txt"
(cd "$PHSIM_PLOTS" && gnuplot -e "out='$D/ablations'; file='$D/table.txt'; xcol=1; ycols='2 3 4 5'; names='both_features one_feature none diverged'; ylabel_='runs (of $SEEDS seeds)'; title_='E6: ablations (gradient flow; EMA: gradient descent)'; ymax=0; caption='rule: the baseline learns both features in more runs than no BN, no stop-gradient and no head (one-sided Fisher exact p < 0.05 each); $SEEDS seeds per ablation'" table.gp)
both() { awk -v n="$1" '$1 == n { print $2 }' "$D/table.txt"; }
# fisher A B N: one-sided Fisher exact p of "A of N beat B of N": the
# probability, with A + B successes spread over two groups of N at random,
# that the first holds A or more (hypergeometric tail)
fisher() {
  awk -v a="$1" -v b="$2" -v n="$3" 'function lc(m, k,   i, r) { r = 0; for (i = 1; i <= k; i++) r += log((m - k + i) / i); return r }
    BEGIN { K = a + b; p = 0; for (x = a; x <= K && x <= n; x++) if (K - x <= n) p += exp(lc(n, x) + lc(n, K - x) - lc(2 * n, K))
      printf "%.3g\n", p }'
}
ok=PASS
pvals=
for v in no-bn no-stopgrad no-head; do
  p=$(fisher "$(both baseline)" "$(both $v)" "$SEEDS")
  pvals="$pvals $v p = $p;"
  [ "$(both baseline)" -gt "$(both $v)" ] && awk -v p="$p" 'BEGIN { exit !(p < 0.05) }' || ok=FAIL
done
echo "one-sided Fisher exact tests, baseline against:$pvals"
verdict E6 "$ok" "rule: baseline learns both features in more runs than no BN, no stop-gradient and no head (one-sided Fisher exact p < 0.05 each:$pvals); figure $D/ablations.png; learned both: $(awk 'NR > 1 { printf "%s%s %s/'"$SEEDS"'", (NR > 2 ? ", " : ""), $1, $2 }' "$D/table.txt"); no BN ends at weight norm $(awk '$1 == "no-bn" { print $6 }' "$D/table.txt") (complete collapse to 0)"
