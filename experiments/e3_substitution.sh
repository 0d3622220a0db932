#!/bin/sh
# E3 the head at the end of substitution: |E_{i j*}| at T2 (E_substitution)
# against eta_E / eta (eta = 1), exact reduced dynamics, logged every step.
# The paper: Theta(sqrt(eta_E / eta)), an exponent of 1/2.  The exponent is
# fitted seed by seed (each seed is one initial condition; pooling seeds
# mixes their different prefactors and which of them substitute at all) and
# reported as the median and range over seeds; the pooled fit too.
. "$(dirname "$0")/common.sh"
D=$OUT/e3
mkdir -p "$D"
SEEDS=$(pick 16 6)
"$PHSIM" sweep "$SPEC_STEP" --set engine=order --set stop=all --set steps="$(pick 5000000 300000)" --set log_every=1 \
  --grid eta_E=0.001:0.05:"$(pick 8 5)":log --grid seed=1:"$SEEDS":"$SEEDS" \
  --out "$D/sweep" --jobs "$JOBS" 2>/dev/null
: > "$D/slopes.txt"
for s in $(seq 1 "$SEEDS"); do
  f=$("$PHSIM" fit "$D/sweep/sweep.csv" --x eta_E --y E_substitution --loglog --where seed="$s" 2>/dev/null) || continue
  echo "seed $s: $f"
  echo "$f" | sed 's/.*slope=\([^ ]*\) .*/\1/' >> "$D/slopes.txt"
done
pooled=$("$PHSIM" fit "$D/sweep/sweep.csv" --x eta_E --y E_substitution --loglog)
echo "pooled: $pooled"
"$PHSIM" plot "$D/sweep"
read -r med lo hi <<EOS
$(stats < "$D/slopes.txt")
EOS
n=$(wc -l < "$D/slopes.txt")
ok=PASS
[ "$n" -ge 3 ] || ok=FAIL
awk -v a="$med" 'BEGIN { exit !(a > 0.35 && a < 0.65) }' || ok=FAIL
verdict E3 "$ok" "|E| at the end of substitution ~ (eta_E/eta)^$med (median over $n seeds with >= 3 substituting points, range $lo..$hi; paper: 1/2); figure $D/sweep/plots/scaling-E_substitution.png"
