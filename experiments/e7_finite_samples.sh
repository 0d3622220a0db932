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
# inside the 15 minutes of E1-E8; QUICK 9..13 s (6 s).
#
# Reported per N: how often the outcome is the population run's, the mean
# |log(T3 / T3_pop)| over the seeds where both reach T3, and how many runs
# reached T3 but end the budget with fewer features ("lost"; the population
# runs' count is printed too).  Seeds whose population run is not
# flow-faithful are left out of every number and counted.
# Verdict rule: at the largest N the sampled runs end the budget with the
# population run's outcome in at least 2/3 of the faithful seeds (the
# claim: finite samples follow the population dynamics as N grows).  Seeds
# 1..8; the QUICK version CI runs takes seeds 2, 5 and 8, whose population
# runs learn both features (T3 = 17530, 310 and 2640 steps, inside its
# 20000-step budget), so that it checks the head's rescue under sampling (a
# collapsing seed would agree with a broken sampler just as well).
# E7_SAMPLED (default empty): extra options for the sampled runs only, for
# mutations (NOTES 10.2: E7_SAMPLED='--set head=fixed' fails the rule).
. "$(dirname "$0")/common.sh"
D=$OUT/e7
mkdir -p "$D"
SEEDS=$(pick 1:8:8 2,5,8)
SEEDTXT=$(pick 1..8 '2, 5, 8')
NS=$(pick 64,256,1024 64,256)
STEPS=$(pick 60000 20000)
common="--set d=20 --set steps=$STEPS --set log_every=10"
# shellcheck disable=SC2086
"$PHSIM" sweep $common --set engine=population --grid seed="$SEEDS" --out "$D/population" --jobs "$JOBS" --force 2>/dev/null
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
printf '%6s %8s %14s %6s\n' N agree "|log T3 ratio|" lost > "$D/table.txt"
awk -F, -v K="$K" -v ps="$(csv_col "$P" seed)" -v pf="$(csv_col "$P" features_learned)" -v p3="$(csv_col "$P" T3)" \
    -v pq="$(csv_col "$P" flow_faithful)" \
    -v sn="$(csv_col "$S" N)" -v ss="$(csv_col "$S" seed)" -v sf="$(csv_col "$S" features_learned)" -v s3="$(csv_col "$S" T3)" '
  FNR == 1 { file++; next }
  file == 1 { if ($pq == 1) { F[$ps] = $pf; T[$ps] = $p3 }; next }
  !($ss in F) { next }
  { n[$sn]++; if ($sf == F[$ss]) a[$sn]++
    if ($s3 != "" && $sf < K) l[$sn]++
    if ($s3 != "" && T[$ss] != "") { r = log($s3 / T[$ss]); e[$sn] += (r < 0 ? -r : r); ne[$sn]++ } }
  END { for (N in n) printf "%6d %4d/%-3d %14.3f %6d\n", N, a[N], n[N], (ne[N] ? e[N] / ne[N] : -1), l[N] }' "$P" "$S" \
  | sort -n >> "$D/table.txt"
# population runs that reached T3 and end the budget with fewer features
plost=$(awk -F, -v K="$K" -v f="$(csv_col "$P" features_learned)" -v t="$(csv_col "$P" T3)" \
  -v q="$(csv_col "$P" flow_faithful)" 'NR > 1 && $q == 1 && $t != "" && $f < K { n++ } END { print n + 0 }' "$P")
cat "$D/table.txt"
echo "flow-faithful population runs: $fp of $np; of them $plost reached T3 and end the budget with fewer than $K features"
awk 'NR == 1 { print "N agree logratio"; next } { split($2, a, "/"); printf "%s %.4g %s\n", $1, a[1] / a[2], ($3 < 0 ? 0 : $3) }' "$D/table.txt" > "$D/bars.txt"
(cd "$PHSIM_PLOTS" && gnuplot -e "out='$D/finite'; file='$D/bars.txt'; xcol=1; ycols='2 3'; names='same_outcome_as_the_population_run mean_|log(T_{3}/T_{3,pop})|'; ylabel_='fraction of seeds; mean |log ratio|'; xlabel_='batch size N'; title_='E7: SGD on batches of N against population GD (eta = 0.025)'; ymax=0; caption='rule: at the largest N the outcome at the end of the budget is that of the population run in at least 2/3 of the faithful seeds; seeds $SEEDTXT, d = 20, $STEPS steps'" table.gp)
read -r agree_last n_last <<EOS
$(tail -n 1 "$D/table.txt" | awk '{ split($2, x, "/"); print x[1], x[2] }')
EOS
ok=PASS
[ "${n_last:-0}" -gt 0 ] && [ "$((3 * agree_last))" -ge "$((2 * n_last))" ] || ok=FAIL
slost=$(awk 'NR > 1 { n += $NF } END { print n + 0 }' "$D/table.txt")
verdict E7 "$ok" "rule: at the largest N the outcome at the end of the budget is the population run's in at least 2/3 of the faithful seeds; $agree_last of $n_last at N = $(tail -n 1 "$D/table.txt" | awk '{ print $1 }') (eta = 0.025, $STEPS steps, $fp of $np population runs flow-faithful); runs that reached T3 and end with fewer features: $slost sampled, $plost population; figure $D/finite.png; see $D/table.txt for every N"
