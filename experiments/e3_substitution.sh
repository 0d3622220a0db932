#!/bin/sh
# E3 the head at the end of substitution against eta_E / eta.  d = 1000
# (at d = 100 the second neuron escapes along v_1 on its own before a slow
# head can substitute, below eta_E/eta ~ 0.03), eta = 0.025 (teach's
# flow-faithful step), eta_E / eta from 0.003 to 0.3, exact reduced
# dynamics, stopped once every feature is learned (stop = all: phase times
# only).
#
# The end of substitution is NOT phsim's T2 (whose 10x rule the paper's
# ">>" does not fix): each run measures it (phsim_pullend.h) as the first
# step after the peak of the pull on the substituted neuron w_i along v_1
# at which that pull has fallen to 1/kappa of its peak, while w_i has
# learned no feature, both located to one step between the logged rows;
# phsim plot reports |E_{i j*}| there (the sweep's columns E_pull_3,
# E_pull_10, E_pull_30) as a function of the threshold, kappa = 3, 10 and
# 30 (figure scaling-E_pull).  The
# largest |E_ij| of the run (E_peak, no threshold) is drawn too.
# The paper: |E_21| = Theta(sqrt(eta_E / eta)), an exponent of 1/2.
#
# Medians over the runs that substitute (a run without substitution has no
# such |E|: counted, not a bound); intervals: seeds resampled with
# replacement, the same draw at every eta_E/eta (1000 times).  Each seed's
# values are drawn as a thin line; the straight line over every ratio is
# reported.
#
# Verdict rule (E8's V7's, common.sh: small_ratio_exponent): the paper's
# exponent is a statement about eta_E << eta, so it is measured where the
# ratio is smallest, with no fitted correction: each seed's slope of
# log |E| on log(eta_E/eta) over the grid's smallest decade of ratios where
# a seed substitutes; PASS when, for every kappa, 1/2 lies in the exact 95%
# interval of their median (order statistics: at least 6 seeds) and 0 and
# 1 lie outside.  A FAIL is a finding about d = 1000: here the head
# substitutes only for eta_E/eta >~ 0.003 (below it w_i escapes along v_1
# on its own first, and some seeds never substitute), above the paper's
# eta_E/eta << 1; V7 (d = 10^4, ratios down to 10^-4) is the test in the
# theorem's regime.  24 seeds, in QUICK too (with 8, 3 substituted in the
# smallest decade: too few for the interval).  Runs that are not
# flow-faithful are left out and counted.
# E3_SET (mutations, NOTES 10.2): KEY=VALUE assignments separated by spaces,
# applied to the sweep.
. "$(dirname "$0")/common.sh"
D=$OUT/e3
mkdir -p "$D"
SEEDS=24
MUT=
for kv in ${E3_SET:-}; do MUT="$MUT --set $kv"; done
# shellcheck disable=SC2086 # MUT: one word per --set and assignment
"$PHSIM" sweep --set d=1000 --set stop=all --set steps="$(pick 1500000 1200000)" --set log_every=500 $MUT \
  --grid eta_E="$(pick 0.000075:0.0075:5:log 0.00025:0.0025:5:log)" --grid seed=1:"$SEEDS":"$SEEDS" \
  --out "$D/sweep" --jobs "$JOBS" --force 2>/dev/null
"$PHSIM" plot "$D/sweep" --rule "E3 rule: per kappa, 1/2 inside the exact 95% interval of the median of the seeds' slopes over the smallest decade of ratios; 0, 1 outside (line: every ratio)"
F=$D/sweep/plots/scaling-E_pull.fit
read -r f n <<EOS
$(faithful "$D/sweep/sweep.csv")
EOS
echo "flow-faithful runs: $f of $n"
ok=PASS
line=""
computed=1
for k in 1 2 3; do
  kap=$(echo "3 10 30" | cut -d' ' -f"$k")
  read -r m lo hi ns <<EOS
$(small_ratio_exponent "$D/sweep/plots/scaling-E_pull-$k-seeds.dat" "$D/small-ratio-$kap")
EOS
  used=$(fitval "$F" "$k" used); nev=$(fitval "$F" "$k" never)
  echo "kappa = $kap: smallest decade of ratios: the seeds' exponent median $(g3 "$m") [$(g3 "$lo"), $(g3 "$hi")] over $ns seeds; over every ratio: slope $(fitval "$F" "$k" slope) [$(fitval "$F" "$k" lo), $(fitval "$F" "$k" hi)]; $used runs, $nev without substitution"
  number "$lo" && number "$hi" || computed=0
  half_only "$lo" "$hi" || ok=FAIL
  line="$line kappa $kap: $(g3 "$m") [$(g3 "$lo"), $(g3 "$hi")] ($ns seeds);"
done
P=$D/sweep/plots/scaling-E_peak.fit
echo "largest |E_ij| (no threshold): slope $(fitval "$P" 1 slope) [$(fitval "$P" 1 lo), $(fitval "$P" 1 hi)]"
verdict E3 "$ok" "rule: for every pull threshold kappa, 1/2 inside the exact 95% interval of the median of the seeds' exponents over the smallest decade of eta_E/eta (at least 6 seeds), and 0 and 1 outside. |E_ij*| when w_i's v1 pull has fallen kappa-fold ~ (eta_E/eta)^exponent:$line faithful $f/$n runs; figure $D/sweep/plots/scaling-E_pull.png" || true
# A FAIL is a finding about d = 1000 (above), not an error: like E8, the
# script fails only when it could not compute the exponents.
[ "$computed" = 1 ]
