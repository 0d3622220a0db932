#!/bin/sh
# E7 finite samples: the paper's SGD on fresh batches (engine = sampled,
# draw = projected, exact in law) at several batch sizes N against exact
# population gradient descent from the same initial weights, at the teach
# preset's flow-faithful step (eta = 0.025, eta_E = 0.0025) and d = 20 (so
# that runs are short).  Every run goes to the end of its budget (no stop
# key): the outcome (features learned) is counted from the state at the end
# of the budget (issue 8), and T3 is recorded as a phase time only, so a
# run that reaches T3 and then loses a feature counts as what it ends as.
# The batch noise a run accumulates over a time t scales like eta t / N, so
# at this step N = 1024 is as close to the population as N ~ 40000 would be
# at the spec's eta = 1.
#
# Budget: 60000 steps.  It must cover every population run's T3 with
# margin: the population runs (seeds 1..8) reach T3 at 17530, 310, 47750,
# 22920 and 2640 steps (seeds 2, 5, 6, 7, 8; seeds 1, 3 and 4 end with one
# feature, seed 4 without ever learning v_1), the latest 1.26x inside the
# budget; a shorter budget would cut seed 6.  Without the stop every run
# costs its whole budget: 5 min 2 s on 2 cores, 5 min 27 s with the
# machine shared (it was 3 min 37 s with stop = all on the same machine),
# inside the 15 minutes of E1-E8; QUICK (8 seeds at N = 256) about 90 s of CPU.
#
# Reported per N: how often the outcome (which feature each neuron ends on,
# phsim's outcome "l1:l2": the runs start from the same weights, so neuron j
# is the same neuron in both) is the population run's, the mean
# |log(T3 / T3_pop)| over the seeds where both reach T3, and how many runs
# reached T3 but end the budget with fewer features ("lost"; the
# population runs' count is printed too).  Seeds whose population run is
# not flow-faithful are left out of every number and counted.
# Verdict rule: at the largest N the sampled outcome follows the
# population run's beyond chance: more seeds agree than under random
# pairings of the same sampled outcomes with the same population outcomes
# (the null "a sampled outcome does not depend on its initial state", which
# keeps both sets of outcomes as measured), one-sided exact permutation
# test p < 0.05 (all n! pairings: the same p in every awk).
# A window from the measured outcomes, not a chosen fraction (was: at least
# 2/3 of the seeds agree in the number of features learned).  Seeds 1..8
# and the full budget in the QUICK version CI runs too, at N = 256 alone:
# its former 3 seeds (2, 5, 8, all with the population outcome 1:2) could
# not carry the test (with one population outcome every pairing agrees
# alike), and a 20000-step budget compared runs still in the noise.
# Reported besides (no rule: 4 such seeds cannot reach p < 0.05): on the
# seeds where the population runs with and without the head end apart,
# which of the two the sampled run at the largest N sides with.
# E7_SAMPLED (default empty): extra options for the sampled runs only, for
# mutations (NOTES 10.2: E7_SAMPLED='--set head=fixed' and '--set
# alpha=1,2' fail the rule).
. "$(dirname "$0")/common.sh"
D=$OUT/e7
mkdir -p "$D"
SEEDS=1:8:8
NS=$(pick 64,256,1024 256)
STEPS=60000
common="--set d=20 --set steps=$STEPS --set log_every=10"
# shellcheck disable=SC2086
"$PHSIM" sweep $common --set engine=population --grid seed="$SEEDS" --out "$D/population" --jobs "$JOBS" --force 2>/dev/null
# shellcheck disable=SC2086
"$PHSIM" sweep $common --set engine=population --set head=fixed --grid seed="$SEEDS" --out "$D/population-nohead" --jobs "$JOBS" --force 2>/dev/null
# shellcheck disable=SC2086
"$PHSIM" sweep $common ${E7_SAMPLED:-} --set engine=sampled --grid N="$NS" --grid seed="$SEEDS" --out "$D/sampled" --jobs "$JOBS" --force 2>/dev/null
P=$D/population/sweep.csv
S=$D/sampled/sweep.csv
read -r fp np <<EOS
$(faithful "$P")
EOS
# K: the number of features (alpha's entries); a run that reached T3 had
# all K, and one that ends with fewer lost a feature after T3
K=$(awk '/"alpha": \[/ { a = 1; next } a && /\]/ { exit } a { k++ } END { print k + 0 }' "$D/sampled/sweep.json")
printf '%6s %8s %14s %6s %8s\n' N agree "|log T3 ratio|" lost p > "$D/table.txt"
awk -F, -v K="$K" -v ps="$(csv_col "$P" seed)" -v po="$(csv_col "$P" outcome)" -v p3="$(csv_col "$P" T3)" \
    -v pq="$(csv_col "$P" flow_faithful)" -v sf="$(csv_col "$S" features_learned)" \
    -v sn="$(csv_col "$S" N)" -v ss="$(csv_col "$S" seed)" -v so="$(csv_col "$S" outcome)" -v s3="$(csv_col "$S" T3)" '
  # p: the share of all n! pairings of the sampled outcomes at N with the
  # population outcomes (B. R. Heap method, every permutation once: exact,
  # the same in every awk) that agree in at least as many seeds as the
  # measured one (itself among them); nan beyond n = 10 (10! pairings)
  function perm_p(N, hit,   k, i, j, x, c, t, ge, tot) {
    k = n[N]
    if (k > 10) return "nan"
    for (i = 0; i < k; i++) { x[i] = O[N, i + 1]; c[i] = 0 }
    ge = (agree_all(N, x, k) >= hit); tot = 1; i = 0
    while (i < k) {
      if (c[i] < i) {
        j = (i % 2 == 0) ? 0 : c[i]; t = x[j]; x[j] = x[i]; x[i] = t
        ge += (agree_all(N, x, k) >= hit); tot++; c[i]++; i = 0
      } else { c[i] = 0; i++ }
    }
    return ge / tot
  }
  function agree_all(N, x, k,   i, a) { for (i = 0; i < k; i++) a += (x[i] == Q[N, i + 1]); return a }
  FNR == 1 { file++; next }
  file == 1 { if ($pq == 1) { F[$ps] = $po; T[$ps] = $p3 }; next }
  !($ss in F) { next }
  { n[$sn]++; O[$sn, n[$sn]] = $so; Q[$sn, n[$sn]] = F[$ss]; if ($so == F[$ss]) a[$sn]++
    if ($s3 != "" && $sf < K) l[$sn]++
    if ($s3 != "" && T[$ss] != "") { r = log($s3 / T[$ss]); e[$sn] += (r < 0 ? -r : r); ne[$sn]++ } }
  END { for (N in n) printf "%6d %4d/%-3d %14.3f %6d %8.4g\n", N, a[N], n[N], (ne[N] ? e[N] / ne[N] : -1), l[N], perm_p(N, a[N]) }' "$P" "$S" \
  | sort -n >> "$D/table.txt"
# population runs that reached T3 and end the budget with fewer features
plost=$(awk -F, -v K="$K" -v f="$(csv_col "$P" features_learned)" -v t="$(csv_col "$P" T3)" \
  -v q="$(csv_col "$P" flow_faithful)" 'NR > 1 && $q == 1 && $t != "" && $f < K { n++ } END { print n + 0 }' "$P")
cat "$D/table.txt"
# on the seeds where the population runs with and without the head end
# apart: how many sampled runs at the largest N end as the head's, how many
# as the no-head's (one-sided sign test, common.sh)
NL=$(tail -n 1 "$D/table.txt" | awk '{ print $1 }')
side=$(awk -F, -v nl="$NL" 'FNR == 1 { file++; for (i = 1; i <= NF; i++) { if ($i == "seed") cs = i; if ($i == "outcome") co = i; if ($i == "N") cn = i }; next }
  file == 1 { H[$cs] = $co; next }
  file == 2 { F[$cs] = $co; next }
  $cn == nl && ($cs in H) && H[$cs] != F[$cs] { n++; h += ($co == H[$cs]); f += ($co == F[$cs]) }
  END { printf "%d %d %d\n", n, h, f }' "$P" "$D/population-nohead/sweep.csv" "$S")
read -r apart hs fs <<EOS
$side
EOS
side="$apart seeds end apart with and without the head; the sampled runs at N = $NL side with the head in $hs, with no head in $fs (one-sided sign test p = $(sign_test "$hs" "$fs"))"
echo "$side"
echo "flow-faithful population runs: $fp of $np; of them $plost reached T3 and end the budget with fewer than $K features"
awk 'NR == 1 { print "N agree logratio"; next } { split($2, a, "/"); printf "%s %.4g %s\n", $1, a[1] / a[2], ($3 < 0 ? 0 : $3) }' "$D/table.txt" > "$D/bars.txt"
(cd "$PHSIM_PLOTS" && gnuplot -e "out='$D/finite'; file='$D/bars.txt'; xcol=1; ycols='2 3'; names='same_outcome_as_the_population_run mean_|log(T_{3}/T_{3,pop})|'; ylabel_='fraction of seeds; mean |log ratio|'; xlabel_='batch size N'; title_='E7: SGD on batches of N against population GD (eta = 0.025)'; ymax=0; caption='rule: at the largest N the outcome at the end of the budget (which feature each neuron ends on) agrees with the population run in more seeds than under random pairings of the same outcomes, one-sided permutation test p < 0.05; seeds 1..8, d = 20, $STEPS steps'" table.gp)
read -r agree_last n_last p_last <<EOS
$(tail -n 1 "$D/table.txt" | awk '{ split($2, x, "/"); print x[1], x[2], $5 }')
EOS
ok=PASS
awk -v p="$p_last" 'BEGIN { exit !(p == p + 0 && p < 0.05) }' || ok=FAIL
slost=$(awk 'NR > 1 { n += $4 } END { print n + 0 }' "$D/table.txt")
verdict E7 "$ok" "rule: at the largest N the outcome at the end of the budget (which feature each neuron ends on) agrees with the population run's in more seeds than under random pairings of the same outcomes, one-sided permutation test p < 0.05; $agree_last of $n_last agree at N = $(tail -n 1 "$D/table.txt" | awk '{ print $1 }'), p = $p_last (eta = 0.025, $STEPS steps, $fp of $np population runs flow-faithful); runs that reached T3 and end with fewer features: $slost sampled, $plost population; $side; figure $D/finite.png; see $D/table.txt for every N"
