# shellcheck shell=sh disable=SC2154 # D, CSV, S, S2, S3, slope, fr, MUT, WILSON: from e8_dstudy.sh
# e8_verdicts.sh: E8's figures and verdicts, sourced by e8_dstudy.sh after
# its sweeps and tables (D, CSV, S, S2, S3, slope, fd, fr, MUT set there).
# Every verdict's window comes from the claim and the measured spread (95%
# bootstrap intervals of medians, 95% Wilson intervals of fractions, the
# standard error of a fit); each is drawn with its rule in the caption.
#   V1 T1 ~ d^2: the least-squares slope of log T1 on log d over the head
#      runs with d >= 10^3 is within 1.96 SE + 0.1 of 2 (0.1: the o(1) of
#      d^(2+o(1))) and 1 and 3 lie outside 1.96 SE of it (the claim told
#      apart from its integer neighbours).  Figure: accel/plots/scaling-T1.png
#      (the medians of the accel sweep's head runs, every d, their own fit).
#   V2 phase I stays near the saddle: for both the largest off-target
#      overlap over the rows before T1 and the largest ||E - I||_F over the
#      rows up to T1 / 2 (the first half of phase I: the head grows with the
#      strong neuron's escape at its end, include/phsim_phases.h), the 95%
#      interval of the median at the largest d lies wholly below the one at
#      the smallest d (o(1) and d^-Omega(1)).  Figure phase1.png.
#   V3 substitution is much shorter than phase I: at the largest d the whole
#      95% interval of the median (T2 - T1) / T1 lies below 1.  Figure
#      phase2-ratio.png.
#   V4 with the head every feature is learned and kept: at every d >= 10^3
#      the 95% Wilson interval of the head runs' fraction ending the budget
#      with both features reaches 0.9 and lies wholly above the no-head
#      runs' interval.  Figure outcomes.png.
#   V5 phase IV: the median ||E - I||_F at the end of the budget is below
#      1/d at every d (an upper bound: the values lie below the flow
#      engine's absolute tolerance 1e-14).  Figure phase4-budget.png (the
#      same against fractions 10^-4..1 of the budget).
#   V6 no head (m = 2, 4, 8, 16): the fraction of runs in which every
#      neuron that learned a feature learned v_1 equals the per-neuron race's
#      (1 - p)^m, p = (2/pi) atan((alpha_2/alpha_1)^(3/2)): at every (d, m)
#      the prediction lies inside the fraction's Wilson interval at the
#      Bonferroni level 1 - 0.05 / cells (the cells judged together; was a
#      95% band + 0.05, a fixed allowance); "any m" holds where the fraction
#      is >= 0.9.  Figure collapse.png.
#   V7 |E_21| at the end of substitution (the pull's kappa-fold fall, not
#      phsim's T2) = Theta(sqrt(eta_E / eta)), a statement about
#      eta_E << eta: measured where the ratio is smallest, with no fitted
#      correction (common.sh: small_ratio_exponent): each seed's slope of
#      log |E| on log(eta_E/eta) over 10^-4..10^-3 (the ratio-small sweep;
#      the end, the pull's peak included, located to one step in each run:
#      phsim_pullend.h); for every kappa = 3, 10, 30, 1/2 lies in the exact
#      95% interval of their median (order statistics, at least 6 seeds)
#      and 0 and 1 lie outside.  No tolerance is added.  Above 10^-3 the
#      local slope falls further (reported from the ratio sweep); a
#      correction term fitted over every ratio (tried: c (eta_E/eta)^(1/2))
#      moved b by as much with each order added.  Figures
#      ratio/plots/scaling-E_pull.png (every ratio) and
#      ratio-small/plots/scaling-E_pull.png (V7's decade).
#   V8 acceleration: over the runs that substitute and then learn v_2 with
#      the head within the budget, the substituted neuron learns v_2 alone
#      (the same state without the head, its v_1 overlap zeroed) later than
#      with the head: at the largest d the 95% interval of the median ratio
#      (alone / with the head; alone never within the budget: +infinity)
#      lies wholly above 1.  Figure accel-ratio.png.
# Mutations (NOTES 10.1 lists the one that flips each): E8_SET (the d, m,
# budget and accel sweeps) and E8_HEAD (the ratio sweep's head).

# figure KIND OUT TITLE YLABEL CAPTION ASSIGNMENTS DATA: one dstudy.gp
# figure (the texts are the script's own: no quote in them); not drawn, and
# said, when the table DATA has no data row (a mutation can leave none)
figure() {
  if [ "$(grep -cv '^[#d]' "$7")" -eq 0 ]; then
    echo "figure $2: no data in $7, not drawn"
    return 0
  fi
  (cd "$PHSIM_PLOTS" && gnuplot -e "fig='$1'; out='$2'; title_=\"$3\"; ylabel_=\"$4\"; cap=\"$5\"; $6" dstudy.gp)
}
# col FILE N FIELD: field FIELD (1-based) of data row N ("last": the last)
col() { awk -F, -v r="$2" -v f="$3" 'NR > 1 { n++; v[n] = $f } END { print (r == "last" ? v[n] : v[r]) }' "$1"; }
below() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && b != "" && a == a + 0 && b == b + 0 && a < b) }'; }

# ---- V1
v1=FAIL
echo "$slope" | awk '$1 ~ /^-?[0-9]/ && $2 ~ /^[0-9]/ {
    w = 1.96 * $2; exit !(($1 - 2) ^ 2 <= (w + 0.1) ^ 2 && ($1 - 1) ^ 2 > w * w && ($1 - 3) ^ 2 > w * w) } { exit 1 }' && v1=PASS
"$PHSIM" plot "$D/accel" --rule "V1 (its figure: scaling-T1; its fit: per-run least squares over d >= 10^3, the d sweep): 2 within 1.96 SE + 0.1 of the slope, 1 and 3 outside 1.96 SE; drawn: the medians of the accel sweep's head runs" > /dev/null

# ---- V2: both intervals at the largest d below those at the smallest
P1=$D/stats-phase1_offtarget_max.csv
P2=$D/stats-phase1_E_minus_I_max.csv
v2=FAIL
below "$(col "$P1" last 6)" "$(col "$P1" 1 5)" && below "$(col "$P2" last 6)" "$(col "$P2" 1 5)" && v2=PASS
figure perd "$D/phase1" "E8 V2: phase I (head runs, paper preset)" \
  "largest value in phase I" \
  "rule (V2): for both, the 95% interval at the largest d wholly below the one at the smallest d.  Drawn: medians over the $S\\n\
head runs per d with 95% bootstrap intervals (phsim stats): the off-target overlaps over the rows before T_1, ||E - I||_F up to T_1 / 2\\n\
(the head grows with the strong neuron's escape at the end of phase I)." \
  "file1='$P1'; label1='off-target |a_{jl}|, before T_1'; file2='$P2'; label2='||E - I||_F, up to T_1 / 2'" "$P1"

# ---- V3: the whole interval at the largest d below 1
R2=$D/stats-phase2-ratio.csv
v3=FAIL; below "$(col "$R2" last 6)" 1 && v3=PASS
figure perd "$D/phase2-ratio" "E8 V3: the length of phase II against d (head runs, paper preset)" \
  "(T_2 - T_1) / T_1  (phase II over phase I)" \
  "rule (V3): the whole 95% interval of the median at the largest d below 1.  Drawn: the median over the $S head runs per d of\\n\
(T_2 - T_1) / T_1, its 95% bootstrap interval (phsim stats); a run without T_2 (censored) counts as above every reached ratio,\\n\
and a median or interval end that falls on one is drawn at the dotted line (labels: censored runs of n)." \
  "file1='$R2'; label1='(T_2 - T_1) / T_1'; ref=1; reflabel='1: phase II as long as phase I'" "$R2"

# ---- V4: Wilson intervals of the fractions with both features
awk "$WILSON"'{ k = $1; if ($2 == "offdiag") { nh[k] = $3; bh[k] = $4 } else { nn[k] = $3; bn[k] = $4 } }
  END { for (k in nh) printf "%s %.6g %.6g %.6g %.6g %.6g %.6g\n", k, bh[k] / nh[k], wlo(bh[k], nh[k]), whi(bh[k], nh[k]),
          bn[k] / nn[k], wlo(bn[k], nn[k]), whi(bn[k], nn[k]) }' "$D/outcomes.txt" | sort -g > "$D/outcomes-wilson.txt"
v4=PASS
awk '$1 >= 1000 && !($4 >= 0.9 && $3 > $7) { exit 1 }' "$D/outcomes-wilson.txt" || v4=FAIL
figure frac "$D/outcomes" "E8 V4: runs that end the budget with both features (paper preset)" "fraction of runs" \
  "rule (V4): at every d >= 10^3 the head runs' 95% Wilson interval reaches 0.9 and lies wholly above the no-head runs'.\\n\
Drawn: the fraction of the $S runs per d and head that end the budget with both features, with its 95% Wilson interval." \
  "file='$D/outcomes-wilson.txt'; nser=2; fl1='with the head'; fl2='without the head (E = I)'" "$D/outcomes-wilson.txt"

# ---- V5
v5=PASS
awk -F, 'NR > 1 && !($4 != "" && $4 == $4 + 0 && $4 < 1 / $1) { exit 1 }' "$D/stats-E_minus_I_final.csv" || v5=FAIL
figure budget "$D/phase4-budget" "E8 V5: phase IV, ||E - I||_F against d and the budget (head runs)" "" \
  "rule (V5): the median at f = 1 below 1/d at every d.  Drawn: the median over the $S3 head runs per d of ||E - I||_F at\\n\
fractions f = 10^{-4}, 10^{-3}, 10^{-2}, 10^{-1}, 1 of the budget B(d) = (5 d^2 + 10^{10}) / eta (the last logged row at or before f B),\\n\
its 95% percentile bootstrap interval (phsim stats).  Below the flow engine's absolute tolerance 10^{-14} values are not error-controlled." \
  "file='$D/phase4-budget.dat'" "$D/phase4-budget.dat"

# ---- V6 (collapse.txt: d m runs collapsed race_pred window noise_frac race any_m)
v6=PASS; awk 'NR > 1 && $8 != "ok" { exit 1 }' "$D/collapse.txt" || v6=FAIL
awk "$WILSON"'NR > 1 { d[$1] = 1; k = $4 * $3 + 0.5; k = int(k); f[$1, $2] = $4; lo[$1, $2] = wlo(k, $3); hi[$1, $2] = whi(k, $3); p[$1, $2] = $5 }
  END { for (x in d) { printf "%s", x; split("2 4 8 16", ms, " ")
          for (i = 1; i <= 4; i++) { m = ms[i]; printf " %s %s %s %s", ((x, m) in f ? f[x, m] : "NaN"), ((x, m) in f ? lo[x, m] : "NaN"),
            ((x, m) in f ? hi[x, m] : "NaN"), ((x, m) in f ? p[x, m] : "NaN") }
          printf "\n" } }' "$D/collapse.txt" | sort -g > "$D/collapse-wilson.txt"
figure frac "$D/collapse" "E8 V6: collapse without the head, m neurons (paper preset)" \
  "fraction of runs with every learning neuron on v_1" \
  "rule (V6): at every (d, m) the race's prediction (1 - p)^m, p = (2/pi) atan((alpha_2/alpha_1)^{3/2}), inside the fraction's Wilson interval\\n\
at the Bonferroni level 1 - 0.05/cells.  Drawn: fractions with 95% Wilson intervals; dashed: the prediction; m = 16 pairs two m = 8 runs." \
  "file='$D/collapse-wilson.txt'; nser=4; pred=1; fl1='m = 2'; fl2='m = 4'; fl3='m = 8'; fl4='m = 16'" "$D/collapse-wilson.txt"

# ---- V7: the seeds' exponents over 10^-4..10^-3 (the ratio-small sweep)
FP=$D/ratio/plots/scaling-E_pull.fit
v7=PASS; s7=
for k in 1 2 3; do
  kap=$(echo "3 10 30" | cut -d' ' -f"$k")
  read -r m lo hi ns <<EOS
$(small_ratio_exponent "$D/ratio-small/plots/scaling-E_pull-$k-seeds.dat" "$D/small-ratio-$kap")
EOS
  half_only "$lo" "$hi" || v7=FAIL
  loc=$(awk 'p != "" { printf "%s%.3f", (n++ ? " " : ""), (log($2) - log(q)) / (log($1) - log(p)) } { p = $1; q = $2 }' "$D/ratio/plots/scaling-E_pull-$k.dat")
  s7="$s7 kappa $kap: $(g3 "$m") [$(g3 "$lo"), $(g3 "$hi")] over $ns seeds; every ratio: straight line $(g3 "$(fitval "$FP" "$k" slope)") [$(g3 "$(fitval "$FP" "$k" lo)"), $(g3 "$(fitval "$FP" "$k" hi)")], local slopes $loc;"
done
echo "|E| at the end of substitution (the pull's kappa-fold fall) against eta_E / eta (d = 10^4, eta = 0.2), the seeds' exponents over 10^-4..10^-3:$s7"
for k in 1 2 3; do kap=$(echo "3 10 30" | cut -d' ' -f"$k"); echo "  kappa $kap, the seeds' exponents over the smallest decade:"; sed 's/^/    /' "$D/small-ratio-$kap.slopes"; done
echo "|E| at phsim's T2 (its 10x rule) against eta_E: $fr"; cat "$D/stats-E_substitution-ratio.csv"

# ---- V8: acceleration over the runs that substitute and learn v_2 with the head
A=$D/accel/sweep.csv
awk -F, -v cd="$(csv_col "$A" d)" -v c2="$(csv_col "$A" T2)" -v cw="$(csv_col "$A" accel_weak_with_head)" \
    -v ca="$(csv_col "$A" accel_weak_without_head)" 'NR == 1 { print "d,ratio" }
  NR > 1 && $c2 != "" && $cw != "" && $cw > 0 { print $cd "," ($ca != "" ? $ca / $cw : "") }' "$A" > "$D/accel-ratio.csv"
"$PHSIM" stats "$D/accel-ratio.csv" --by d --y ratio > "$D/stats-accel-ratio-substituted.csv"
AR=$D/stats-accel-ratio-substituted.csv
v8=FAIL; alo=$(col "$AR" last 5)
{ [ "$alo" = censored ] || below 1 "$alo"; } && v8=PASS
echo "== acceleration over the runs that substitute and learn v_2 with the head: d,n,censored,median,lo,hi of (time alone) / (time with the head)"; cat "$AR"
figure perd "$D/accel-ratio" "E8 V8: acceleration, the weak feature alone against with the head (paper preset)" \
  "steps to learn v_2 alone / with the head" \
  "rule (V8): at the largest d the whole 95% interval of the median ratio above 1.  Drawn: over the runs (of $S2 per d) that substitute and\\n\
learn v_2 with the head within the budget, the median ratio of the substituted neuron's time to v_2 without the head (its v_1 overlap\\n\
zeroed, E = I) to its time with the head, 95% bootstrap interval; alone never within the budget: censored (above every reached ratio)." \
  "file1='$AR'; label1='alone / with the head'; ref=1; reflabel='1: no acceleration'" "$AR"

anym=$(awk 'NR > 1 && $9 == "any-m-fails" { printf "%s(d=%s,m=%s)", (n++ ? " " : ""), $1, $2 }' "$D/collapse.txt")
ok=PASS
for v in $v1 $v2 $v3 $v4 $v5 $v6 $v7 $v8; do [ "$v" = PASS ] || ok=FAIL; done
verdict E8 "$ok" "V1 T1~d^$(echo "$slope" | awk '{ printf "%.3f+-%.3f", $1, 1.96 * $2 }') $v1; V2 phase I off-target/||E-I|| intervals fall with d $v2; V3 (T2-T1)/T1 at the largest d $(g3 "$(col "$R2" last 4)") [$(g3 "$(col "$R2" last 5)"), $(g3 "$(col "$R2" last 6)")] $v3; V4 head keeps both features (Wilson reaches 0.9, above no head) $v4; V5 ||E-I||_end < 1/d $v5; V6 no-head collapse = race prediction $v6; V7 |E| at the pull's end ~ (eta_E/eta)^slope,$s7 $v7; V8 acceleration ratio at the largest d $(g3 "$(col "$AR" last 4)") [$(g3 "$alo"), $(g3 "$(col "$AR" last 6)")] $v8; 'any m' fails at: ${anym:-nowhere}; tables and figures in $D" || true
