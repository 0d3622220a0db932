# mechanism_figure.sh: E1's figure (sourced by e1_mechanism.sh, which sets
# D, EARLY, STEPS, LE, PHSIM, PHSIM_PLOTS and writes $D/seeds.txt).  The
# first flow-faithful seed with every phase, head and no head; its first
# EARLY steps re-run, logged every step up to step EARLY/10 and every 20
# steps after, and spliced in front of the sweep's rows (same
# configuration and seed: the same numbers), so the logarithmic step axis
# starts at step 1 and phase I shows.

# sj FILE KEY: a phase time of summary.json ("-" when null or absent)
sj() { awk -v k="\"$2\":" '$1 == k { v = $2; sub(",", "", v); print (v == "null" ? "-" : v); exit }' "$1"; }
# learned FILE J L: learn_step[J][L] of summary.json (K = 2), "-" if null
learned() {
  awk -v want="$(( ($2 - 1) * 2 + $3 ))" '/"learn_step"/ { on = 1; next }
    on && /[0-9]|null/ { v = $1; sub(",", "", v); if (++n == want) { print (v == "null" ? "-" : v); exit } }' "$1"
}
# first NON-DASH values: the first that is not "-"
first() { for v in "$@"; do [ "$v" != - ] && { echo "$v"; return; }; done; echo -; }
# splice FINE MEDIUM MAIN OUT: rows of FINE below EARLY/10, of MEDIUM below
# EARLY, of MAIN from EARLY on
splice() {
  awk -F, -v e="$EARLY" 'FNR == 1 { f++; if (f == 1) print; next }
    (f == 1 && $1 < e / 10) || (f == 2 && $1 >= e / 10 && $1 < e) || (f == 3 && $1 >= e)' "$1" "$2" "$3" > "$4"
}
# early CONFIG NAME: the first EARLY/10 steps logged every step, the first
# EARLY every 20
early() {
  "$PHSIM" run "$1" --set steps="$((EARLY / 10))" --set log_every=1 --out "$D/$2-fine" --force 2>/dev/null
  "$PHSIM" run "$1" --set steps="$EARLY" --set log_every=20 --out "$D/$2" --force 2>/dev/null
}

read -r s ih ifx fh ff T1 T2 T3 T4 i js q <<EOS
$(awk '$12 == 1 && $7 != "-" && $8 != "-" { print; exit }' "$D/seeds.txt")
EOS
if [ -n "${s:-}" ]; then
  H=$D/sweep/runs/$ih
  F=$D/sweep/runs/$ifx
  early "$H/config" early-head
  early "$F/config" early-fixed
  splice "$D/early-head-fine/trajectory.csv" "$D/early-head/trajectory.csv" "$H/trajectory.csv" "$D/head.csv"
  splice "$D/early-fixed-fine/trajectory.csv" "$D/early-fixed/trajectory.csv" "$F/trajectory.csv" "$D/fixed.csv"
  EH=$D/early-head/summary.json
  EF=$D/early-fixed/summary.json
  # phase times at the resolution of the rows that contain them (T1 at
  # the medium run's 20 steps: the fine run stops at EARLY/10)
  p1=$(first "$(sj "$EH" T1)" "$T1"); p2=$(first "$(sj "$EH" T2)" "$T2")
  p3=$(first "$(sj "$EH" T3)" "$T3"); p4=$(first "$(sj "$EH" T4)" "$T4")
  f1=$(first "$(sj "$EF" T1)" "$(sj "$F/summary.json" T1)")
  fc=$(first "$(learned "$EF" "$i" 1)" "$(learned "$F/summary.json" "$i" 1)")
  # portraits: at T1 (before substitution) and mid phase III (after)
  pa=$p1
  pb=$(awk -v a="$p2" -v b="$p3" -v e="$EARLY" -v le="$LE" 'BEGIN { m = sqrt(a * b); printf "%d", (m < e / 10 ? int(m) : m < e ? int(m / 20) * 20 : int(m / le) * le) }')
  "$PHSIM" field "$H" --at "$pa" --neuron "$i" --n 15 --lim 1.2 > "$D/field-a.csv"
  "$PHSIM" field "$H" --at "$pb" --neuron "$i" --n 15 --lim 1.2 > "$D/field-b.csv"
  title="{/:Bold Substitution and acceleration} — teach preset (d = 100, α = (2, 1), η = 0.025, η_E = 0.0025), seed $s: w_$js learns v_1, the head substitutes it for w_$i, which then learns v_2"
  echo "figure: seed $s, T1 $p1, T2 $p2, T3 $p3, T4 $p4; no head: T1 $f1, w_$i on v_1 at $fc; portraits at $pa and $pb"
  echo "$s $p1 $p2 $p3 $p4 $f1 $fc $pa $pb" > "$D/figure.txt"
  (cd "$PHSIM_PLOTS" && gnuplot -e "dir='$D'; H='$D/head.csv'; F='$D/fixed.csv'; i=$i; js=$js; T1=$p1; T2=$(first "$p2" -1); T3=$(first "$p3" -1); T4=$(first "$p4" -1); F1=$f1; FC=$(first "$fc" -1); steps=$STEPS; seed=$s; Pa=$pa; Pb=$pb; title_='$title'${RULE:+; rule_='$RULE'}" mechanism.gp)
  # the animation: the field on w_i and its path, from T1 to T3
  frames=$(pick 24 6)
  k=0
  : > "$D/frames.txt.tmp"
  for t in $(awk -v a="$p1" -v b="$p3" -v n="$frames" -v e="$EARLY" -v le="$LE" 'BEGIN { for (k = 0; k < n; k++) { m = a * (b / a) ^ (k / (n - 1)); printf "%d ", (m < e / 10 ? int(m) : m < e ? int(m / 20) * 20 : int(m / le) * le) } }'); do
    k=$((k + 1))
    "$PHSIM" field "$H" --at "$t" --neuron "$i" --n 15 --lim 1.2 > "$D/frame-$k.csv"
    echo "$k $t" >> "$D/frames.txt.tmp"
  done
  mv "$D/frames.txt.tmp" "$D/frames.txt"
  (cd "$PHSIM_PLOTS" && gnuplot -e "dir='$D'; H='$D/head.csv'; i=$i; nframes=$k" anim.gp) 2> "$D/anim.log"
  rm -f "$D"/frame-*.csv
fi
