# common.sh: shared by the experiments (sourced).  Environment:
#   PHSIM  the binary (default bin/phsim)
#   OUT    where results go (default out)
#   QUICK  1 = the reduced version CI runs (default 0)
#   JOBS   threads for sweeps (default: all cores)
set -eu
PHSIM=${PHSIM:-bin/phsim}
OUT=${OUT:-out}
QUICK=${QUICK:-0}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
export PHSIM_PLOTS=${PHSIM_PLOTS:-$(cd "$(dirname "$0")/../plots" && pwd)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd) # absolute: gnuplot runs inside plots/
# OUT is written into gnuplot's command line as a string literal ('...'):
# only characters that cannot end or escape one
case "$OUT" in
  *[!A-Za-z0-9/._+-]*)
    echo "experiments: OUT '$OUT': allowed are letters, digits and / . _ + -" >&2
    exit 2
    ;;
esac

# pick FULL QUICK: the full value, or the reduced one when QUICK=1
pick() { if [ "$QUICK" = 1 ]; then echo "$2"; else echo "$1"; fi; }

# verdict NAME PASS|FAIL TEXT: print and record the experiment's verdict
verdict() {
  printf '%s verdict: %s — %s\n' "$1" "$2" "$3" | tee "$OUT/$(echo "$1" | tr 'A-Z' 'a-z')/verdict.txt"
  [ "$2" = PASS ]
}

# csv_col FILE NAME: the 1-based index of a CSV column
csv_col() { head -n 1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1; }

# at_step FILE STEP NAME: the value of column NAME in the row of STEP
at_step() {
  awk -F, -v s="$2" -v c="$(csv_col "$1" "$3")" 'NR > 1 && $1 == s { print $c; exit }' "$1"
}

# stats: median, min and max of the numbers on stdin ("median min max")
stats() {
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "nan nan nan"; exit }
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.4g %.4g %.4g\n", m, v[1], v[NR] }'
}

# faithful CSV: "F N" = runs with flow_faithful = 1 and all runs of a sweep
# table (E1-E4 leave the others out of every number and say how many).
faithful() {
  awk -F, -v c="$(csv_col "$1" flow_faithful)" 'NR > 1 { n++; if ($c == 1) f++ } END { printf "%d %d\n", f, n }' "$1"
}

# fitval FITFILE SERIES FIELD: a field (slope, lo, hi, points, used, first,
# never, unfaithful) of one series of a scaling fit written by phsim plot
# (DIR/plots/scaling-NAME.fit: per-x medians, bootstrap percentile
# intervals of the slope).
fitval() {
  awk -v s="series=$2" -v f="$3" '$1 == s { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }' "$1"
}

# g3 X: a number with 3 significant digits, anything else as it is
g3() { awk -v x="$1" 'BEGIN { if (x != "" && x == x + 0) printf "%.3g", x; else printf "%s", x }'; }

# small_ratio_exponent SEEDSDAT TAG: the exponent of |E| on r = eta_E/eta
# in the limit the paper's Theta(sqrt(eta_E/eta)) is about, r -> 0, with no
# fitted correction: over the smallest decade of the grid's ratios
# (r <= 10 r_min, r_min the smallest ratio any seed has a value at), each
# seed's least-squares slope of log |E| on log r over its values there (at
# least 2; SEEDSDAT: phsim plot's scaling-NAME-k-seeds.dat, one block of
# "r value" rows per seed; the slopes in TAG.slopes), their median and its
# exact 95% interval from the order statistics (the j-th smallest and
# largest slopes, j the largest with P(Binomial(n, 1/2) < j) <= 0.025: no
# bootstrap, whose percentile interval of a median over few seeds is their
# range, which covers it less often than it says).  Under 6 seeds no such
# interval exists: lo and hi are nan.  Prints "median lo hi seeds".
small_ratio_exponent() {
  awk 'FNR == NR { if (NF == 2 && $2 > 0 && (rmin == "" || $1 < rmin)) rmin = $1; next }
    function flush(   i, sx, sy, sxx, sxy) {
      if (n >= 2) {
        for (i = 1; i <= n; i++) { sx += X[i]; sy += Y[i]; sxx += X[i] * X[i]; sxy += X[i] * Y[i] }
        printf "%.9g\n", (n * sxy - sx * sy) / (n * sxx - sx * sx)
      }
      n = 0
    }
    NF == 0 { flush(); next }
    NF == 2 && $2 > 0 && $1 <= 10 * rmin * (1 + 1e-9) { n++; X[n] = log($1); Y[n] = log($2) }
    END { flush() }' "$1" "$1" | sort -g > "$2.slopes"
  awk '{ v[++n] = $1 }
    END {
      if (n == 0) { print "nan nan nan 0"; exit }
      m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
      # the largest j with P(X <= j - 1) <= 0.025, X ~ Binomial(n, 1/2)
      c = 1; cdf = 0; j = 0
      for (k = 0; k < n; k++) { cdf += c / 2 ^ n; if (cdf <= 0.025) j = k + 1; c = c * (n - k) / (k + 1) }
      if (j == 0) print m, "nan", "nan", n; else print m, v[j], v[n + 1 - j], n }' "$2.slopes"
}

# inside X LO HI: true when LO <= X <= HI (all numbers; false on nan)
inside() { awk -v x="$1" -v a="$2" -v b="$3" 'BEGIN { exit !(x == x + 0 && a == a + 0 && x >= a && x <= b) }'; }

# half_only LO HI: true when the interval [LO, HI] holds the paper's
# exponent 1/2 and neither neighbour, 0 (|E| independent of the rate ratio)
# nor 1 (proportional to it): E3's and V7's rule (false on nan)
half_only() { inside 0.5 "$1" "$2" && ! inside 0 "$1" "$2" && ! inside 1 "$1" "$2"; }

# number X: true when X is a finite decimal number (not empty, nan or inf:
# by its text, as mawk takes "nan" == "nan" + 0 for true)
number() { awk -v x="$1" 'BEGIN { exit !(x ~ /^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$/) }'; }

# head_vs_none: from lines "group head features" on stdin, per group the
# mean features of the head runs (head offdiag) minus those of the others;
# prints "better worse same groups"
head_vs_none() {
  awk '{ if ($2 == "offdiag") { h[$1] += $3; nh[$1]++ } else { g[$1] += $3; ng[$1]++ } }
    END { for (k in h) if (k in g) { c++; a = h[k] / nh[k] - g[k] / ng[k]; u += (a > 0); dn += (a < 0); s += (a == 0) }
          printf "%d %d %d %d\n", u, dn, s, c }'
}

# sign_test U D: the one-sided sign test's p, P(at least U of U + D pairs
# favour the claim | each way with probability 1/2) (ties left out)
sign_test() {
  awk -v u="$1" -v dn="$2" 'BEGIN { n = u + dn; if (n == 0) { print 1; exit }
    c = 1; p = 0; for (k = 0; k <= n; k++) { if (k >= u) p += c; c = c * (n - k) / (k + 1) }
    printf "%.3g\n", p / 2 ^ n }'
}
