#!/bin/sh
# E1 mechanism: head vs no head on the paper preset (spec section 5), over
# seeds.  For every seed: the phases I-IV of the head run, and at the head
# run's own state (phsim pull: the closed-form pulls with the run's head E
# and, counterfactually, with E = I, all else equal) on the substituted
# neuron w_i:
#   substitution  |pull along v_1 with E = I| / |with the head|, at T2: how
#                 much the head takes away w_i's reason to learn v_1;
#   turn          (|v_2 pull| / |v_1 pull|) with the head over the same with
#                 E = I, halfway through phase III (geometric mean of T2, T3):
#                 how far the head turns w_i's gradient towards v_2;
#   vs no head    |v_2 pull on w_i| in the head run over that in the no-head
#                 run at the same step (the no-head w_i is on v_1 by then).
# Figure: out/e1/mechanism.{png,pdf} with phase portraits over the force
# field; out/e1/portrait.gif.
. "$(dirname "$0")/common.sh"
SEEDS=$(pick 12 4)
STEPS=$(pick 400000 60000)
D=$OUT/e1
mkdir -p "$D"
"$PHSIM" sweep "$SPEC_STEP" --set steps="$STEPS" --set log_every=10 --grid seed=1:"$SEEDS":"$SEEDS" \
  --grid head=offdiag,fixed --keep-trajectories --out "$D/sweep" --jobs "$JOBS" 2>/dev/null
CSV=$D/sweep/sweep.csv
c() { csv_col "$CSV" "$1"; }
# one line per seed: seed idx_head idx_fixed fl_head fl_fixed T1 T2 T3 T4 i js
awk -F, -v cs="$(c seed)" -v ch="$(c head)" -v cf="$(c features_learned)" \
    -v t1="$(c T1)" -v t2="$(c T2)" -v t3="$(c T3)" -v t4="$(c T4)" \
    -v ci="$(c substituted_neuron)" -v cj="$(c strong_neuron)" '
  NR > 1 && $ch == "offdiag" { h[$cs] = $1; fh[$cs] = $cf; T1[$cs] = $t1; T2[$cs] = $t2;
    T3[$cs] = $t3; T4[$cs] = $t4; I[$cs] = $ci; J[$cs] = $cj }
  NR > 1 && $ch == "fixed" { f[$cs] = $1; ff[$cs] = $cf }
  END { for (s in h) printf "%s %06d %06d %s %s %s %s %s %s %s %s\n", s, h[s], f[s], fh[s], ff[s],
        (T1[s] == "" ? "-" : T1[s]), (T2[s] == "" ? "-" : T2[s]), (T3[s] == "" ? "-" : T3[s]),
        (T4[s] == "" ? "-" : T4[s]), (I[s] == "" ? "-" : I[s]), (J[s] == "" ? "-" : J[s]) }' \
  "$CSV" | sort -n > "$D/seeds.txt"
printf '%5s %7s %7s %7s %7s %7s %7s %9s %9s %9s\n' seed T1 T2 T3 T4 learned nohead subst turn vsnohead > "$D/table.txt"
: > "$D/subst.txt"
: > "$D/turn.txt"
: > "$D/vsnohead.txt"
both_head=0
collapsed_fixed=0
# pull DIR STEP NEURON FEATURE COLUMN: one entry of phsim pull
pull() { "$PHSIM" pull "$1" --at "$2" | awk -F, -v j="$3" -v l="$4" -v c="$5" '$1 == j && $2 == l { v = $c; print (v < 0 ? -v : v) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3g", a / b }'; }
while read -r s ih ifx fh ff T1 T2 T3 T4 i js; do
  [ "$fh" = 2 ] && both_head=$((both_head + 1))
  [ "$ff" = 1 ] && collapsed_fixed=$((collapsed_fixed + 1))
  sub=-
  turn=-
  vs=-
  if [ "$T2" != - ] && [ "$T3" != - ]; then
    H=$D/sweep/runs/$ih
    sub=$(ratio "$(pull "$H" "$T2" "$i" 1 4)" "$(pull "$H" "$T2" "$i" 1 3)")
    mid=$(awk -v a="$T2" -v b="$T3" 'BEGIN { printf "%d", int(sqrt(a * b) / 10) * 10 }')
    rh=$(ratio "$(pull "$H" "$mid" "$i" 2 3)" "$(pull "$H" "$mid" "$i" 1 3)")
    ri=$(ratio "$(pull "$H" "$mid" "$i" 2 4)" "$(pull "$H" "$mid" "$i" 1 4)")
    turn=$(ratio "$rh" "$ri")
    gh=$(at_step "$H/trajectory.csv" "$mid" "force_${i}_2")
    gf=$(at_step "$D/sweep/runs/$ifx/trajectory.csv" "$mid" "force_${i}_2")
    vs=$(awk -v a="$gh" -v b="$gf" 'BEGIN { printf "%.3g", (a < 0 ? -a : a) / (b < 0 ? -b : b) }')
    echo "$sub" >> "$D/subst.txt"
    echo "$turn" >> "$D/turn.txt"
    echo "$vs" >> "$D/vsnohead.txt"
  fi
  printf '%5s %7s %7s %7s %7s %7s %7s %9s %9s %9s\n' "$s" "$T1" "$T2" "$T3" "$T4" "$fh/2" "$ff/2" "$sub" "$turn" "$vs" >> "$D/table.txt"
done < "$D/seeds.txt"
cat "$D/table.txt"
read -r sub_med sub_min sub_max <<EOS
$(stats < "$D/subst.txt")
EOS
read -r turn_med turn_min turn_max <<EOS
$(stats < "$D/turn.txt")
EOS
read -r vs_med vs_min vs_max <<EOS
$(stats < "$D/vsnohead.txt")
EOS
n=$(wc -l < "$D/seeds.txt")
nsub=$(wc -l < "$D/subst.txt")
echo "substitution at T2 (|v_1 pull on w_i| with E = I / with the head): median $sub_med, range $sub_min..$sub_max over $nsub seeds"
echo "turn mid phase III ((v_2/v_1 pull) with the head / with E = I): median $turn_med, range $turn_min..$turn_max"
echo "v_2 pull on w_i, head run / no-head run, mid phase III: median $vs_med, range $vs_min..$vs_max"

# The figure: the first seed with every phase, head and no head.
read -r s ih ifx fh ff T1 T2 T3 T4 i js <<EOS
$(awk '$7 != "-" && $8 != "-" { print; exit }' "$D/seeds.txt")
EOS
if [ -n "${s:-}" ]; then
  H=$D/sweep/runs/$ih
  "$PHSIM" field "$H" --at "$T1" --neuron "$i" --n 17 --lim 2.6 > "$D/field-T1.csv"
  "$PHSIM" field "$H" --at "$T2" --neuron "$i" --n 17 --lim 2.6 > "$D/field-T2.csv"
  (cd "$PHSIM_PLOTS" && gnuplot -e "dir='$(cd "$D" && pwd)'; head_dir='$(cd "$H" && pwd)'; fixed_dir='$(cd "$D/sweep/runs/$ifx" && pwd)'; i=$i; js=$js; T1=$T1; T2=$T2; T3=$T3; T4=${T4#-}0; steps=$STEPS; seed=$s" mechanism.gp)
  # the animation: the field on w_i and both neurons' paths, 24 frames
  frames=$(pick 24 6)
  k=0
  for t in $(awk -v a="$T1" -v b="$T3" -v n="$frames" 'BEGIN { for (k = 0; k < n; k++) printf "%d ", int(a * (b / a) ^ (k / (n - 1)) / 10) * 10 }'); do
    k=$((k + 1))
    "$PHSIM" field "$H" --at "$t" --neuron "$i" --n 15 --lim 2.6 > "$D/frame-$k.csv"
    echo "$k $t" >> "$D/frames.txt.tmp"
  done
  mv "$D/frames.txt.tmp" "$D/frames.txt"
  (cd "$PHSIM_PLOTS" && gnuplot -e "dir='$(cd "$D" && pwd)'; head_dir='$(cd "$H" && pwd)'; i=$i; nframes=$k" anim.gp) 2> "$D/anim.log"
  rm -f "$D"/frame-*.csv
fi
ok=PASS
[ "$both_head" -gt "$((n / 2))" ] || ok=FAIL
[ "$both_head" -gt "$((n - collapsed_fixed))" ] || ok=FAIL
awk -v a="$sub_med" 'BEGIN { exit !(a >= 10) }' || ok=FAIL
awk -v a="$turn_med" 'BEGIN { exit !(a >= 10) }' || ok=FAIL
verdict E1 "$ok" "with the head $both_head of $n seeds learn both features, without it $((n - collapsed_fixed)); at T2 the head cuts w_i's v1 pull ${sub_med}x, mid phase III it turns the gradient ${turn_med}x towards v2 (medians over $nsub seeds); figure $D/mechanism.png"
