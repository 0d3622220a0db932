#!/bin/sh
# E6 ablations on the paper preset: the trainable off-diagonal head
# (baseline) against a fully trainable head, no BatchNorm, no stop-gradient,
# and an EMA target (ema = 0.9); several seeds, exact dynamics.  Reports
# per variant: runs that learned every feature, that collapsed, that
# diverged, and the mean final loss.
. "$(dirname "$0")/common.sh"
D=$OUT/e6
mkdir -p "$D"
SEEDS=$(pick 12 4)
STEPS=$(pick 400000 60000)
printf '%-16s %6s %6s %6s %9s %10s\n' variant both one none diverged loss > "$D/table.txt"
for v in "baseline:head=offdiag" "full-head:head=full" "no-bn:norm=none" "no-stopgrad:stopgrad=false" "ema-0.9:ema=0.9" "no-head:head=fixed"; do
  name=${v%%:*}
  set_=${v#*:}
  "$PHSIM" sweep "$SPEC_STEP" --set engine=order --set stop=all --set steps="$STEPS" --set log_every=100 \
    --set "$set_" --grid seed=1:"$SEEDS":"$SEEDS" --out "$D/$name" --jobs "$JOBS" 2>/dev/null
  CSV=$D/$name/sweep.csv
  awk -F, -v name="$name" -v cf="$(csv_col "$CSV" features_learned)" -v cs="$(csv_col "$CSV" status)" \
      -v cl="$(csv_col "$CSV" loss_final)" '
    NR > 1 { n++; if ($cs == "diverged") d++; else if ($cf == 2) b++; else if ($cf == 1) o++; else z++
             if ($cl != "") { l += $cl; nl++ } }
    END { printf "%-16s %6d %6d %6d %9d %10.4g\n", name, b, o, z, d, (nl ? l / nl : 0) }' "$CSV" >> "$D/table.txt"
done
cat "$D/table.txt"
(cd "$PHSIM_PLOTS" && gnuplot -e "out='$D/ablations'; file='$D/table.txt'; xcol=1; ycols='2 3 4 5'; names='both-features one-feature none diverged'; ylabel_='runs (of $SEEDS seeds)'; title_='E6: ablations of the paper setting'; ymax=0" table.gp)
base=$(awk '$1 == "baseline" { print $2 }' "$D/table.txt")
nohead=$(awk '$1 == "no-head" { print $2 }' "$D/table.txt")
ok=PASS
[ "$base" -gt "$nohead" ] || ok=FAIL
verdict E6 "$ok" "figure $D/ablations.png; learned both features: $(awk 'NR > 1 { printf "%s%s %s/'"$SEEDS"'", (NR > 2 ? ", " : ""), $1, $2 }' "$D/table.txt")"
