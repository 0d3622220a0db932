# dstudy.gp: E8's figures of its own tables (experiments/e8_dstudy.sh),
# one figure per call, chosen by `fig`:
#   fig = "perd": medians against d (log-log) with their 95% bootstrap
#     intervals, one or two series: file1 (and file2) as phsim stats writes
#     them (d,n,censored,median,lo,hi; a median or end that falls on a
#     censored run reads "censored": drawn as an open triangle up at the
#     top), label1 (label2); ref > 0 a dashed reference line at y = ref
#     (reflabel), otherwise none.
#   fig = "frac": fractions of runs against d (log x) with 95% Wilson
#     intervals, series k = 1..nser (at most 4) from file (whitespace: d,
#     then per series fraction lo hi), named fl1..fl4, optional predictions
#     (pred = 1: per series a fourth column, the prediction, drawn as a
#     dashed line in the series' colour).
#   fig = "budget": the median ||E - I||_F of the head runs at fractions f
#     of the budget B(d) against f, one line per d, with 95% bootstrap
#     intervals, from file (the rows of phase4-budget.csv, one block per d:
#     d fraction budget_step n censored past_T3 median lo hi), each d's 1/d
#     (V5's bound) and the flow engine's absolute tolerance 1e-14.
# Common variables: out (path without extension), title_, ylabel_, cap (the
# caption: the rule, what is drawn, seeds; "\n" a new line).
isc(s) = (s eq "censored")
num(s) = isc(s) ? NaN : real(s)
# for the y range: a censored entry, or one a log axis cannot show (0 where
# the head never moved), counts as 1, so that stats always has a point
numor1(s) = isc(s) ? 1.0 : (real(s) > 0 ? real(s) : 1.0)
label_of(k) = (k == 1 ? label1 : label2)
file_of(k) = (k == 1 ? file1 : file2)
nfiles = exists("file2") ? 2 : 1
ref = exists("ref") ? ref : 0

# ---- perd: medians against d -------------------------------------------
if (fig eq "perd") {
  set datafile separator comma
  set datafile columnheaders
  # the y range from every drawn number (numor1: a mutation can censor or
  # zero every median)
  yhi = -1e300; ylo = 1e300; xlo = 1e300; xhi = -1e300
  do for [k = 1:nfiles] {
    do for [c = 4:6] {
      stats file_of(k) using (numor1(strcol(c))) nooutput
      yhi = (STATS_max > yhi) ? STATS_max : yhi
      ylo = (STATS_min < ylo) ? STATS_min : ylo
    }
    stats file_of(k) using 1 nooutput
    xlo = (STATS_min < xlo) ? STATS_min : xlo; xhi = (STATS_max > xhi) ? STATS_max : xhi
  }
  if (ref > 0) { yhi = (yhi > ref ? yhi : ref); ylo = (ylo < ref ? ylo : ref) }
  ytop = yhi * 4.0
  do for [fmt in "png pdf"] {
    call 'style.gp' fmt out 10 5.6
    set datafile separator comma
    set datafile columnheaders
    set logscale xy
    set format x "10^{%L}"
    set format y "10^{%L}"
    set xrange [xlo / 2.0 : xhi * 8.0]  # room for the last point's label
    set yrange [ylo / 3.0 : ytop * 3.0]
    set xlabel "d"
    set ylabel ylabel_
    set title title_
    set key at screen 0.615, graph 1 left top vertical Left reverse samplen 2 spacing 1.1 noopaque nobox font ",9" maxcols 1
    set rmargin at screen 0.6
    set bmargin 8
    set label 90 cap at screen 0.01, screen 0.115 left font ",8" tc rgb "#444444"
    set arrow 91 from graph 0, first ytop to graph 1, first ytop nohead dt 3 lc rgb "#999999" back
    set label 92 "censored: above every reached value" at graph 0.5, first ytop * 1.8 center font ",8" tc rgb "#666666"
    plot for [k = 1:nfiles] file_of(k) using ($1 * (k == 1 ? 1 : 1.15)):(num(strcol(4))):(isc(strcol(5)) ? ytop : num(strcol(5))):(isc(strcol(6)) ? ytop : num(strcol(6))) \
           with yerrorbars pt 7 ps 1.3 lt k title sprintf("%s: median, 95%% interval", label_of(k)), \
         for [k = 1:nfiles] file_of(k) using ($1 * (k == 1 ? 1 : 1.15)):(isc(strcol(4)) ? ytop : NaN):(isc(strcol(5)) ? ytop : num(strcol(5))):(ytop) \
           with yerrorbars pt 8 ps 1.6 lt k title sprintf("%s: median censored", label_of(k)), \
         for [k = 1:nfiles] file_of(k) using ($1 * (k == 1 ? 1 : 1.15)):(isc(strcol(4)) ? ytop : num(strcol(4))):(strcol(3) eq "0" ? "" : sprintf("%s of %s censored", strcol(3), strcol(2))) \
           with labels left offset 0.8, 0.6 font ",8" tc rgb "#555555" notitle, \
         (ref > 0 ? ref : NaN) with lines dt 2 lw 1.5 lc rgb "#333333" title (ref > 0 ? reflabel : "")
    unset output
    unset label
    unset arrow
  }
}

# ---- frac: fractions of runs against d -----------------------------------
if (fig eq "frac") {
  set datafile separator whitespace
  pred = exists("pred") ? pred : 0
  ncol = pred ? 4 : 3       # columns per series
  flab(k) = (k == 1 ? fl1 : k == 2 ? fl2 : k == 3 ? fl3 : fl4)
  stats file using 1 nooutput
  xlo = STATS_min; xhi = STATS_max
  do for [fmt in "png pdf"] {
    call 'style.gp' fmt out 10 5.6
    set datafile separator whitespace
    unset datafile columnheaders
    set logscale x
    set format x "10^{%L}"
    set xrange [xlo / 2.0 : xhi * 2.0]
    set yrange [-0.02 : 1.08]
    set xlabel "d"
    set ylabel ylabel_
    set title title_
    set key at screen 0.615, graph 1 left top vertical Left reverse samplen 2 spacing 1.1 noopaque nobox font ",9" maxcols 1
    set rmargin at screen 0.6
    set bmargin 8
    set label 90 cap at screen 0.01, screen 0.115 left font ",8" tc rgb "#444444"
    plot for [k = 1:nser] file using ($1 * 1.08 ** (k - (nser + 1) / 2.0)):(column(2 + ncol * (k - 1))):(column(3 + ncol * (k - 1))):(column(4 + ncol * (k - 1))) \
           with yerrorlines pt 7 ps 1.2 lt k lw 1.5 title flab(k), \
         for [k = 1:nser] file using ($1 * 1.08 ** (k - (nser + 1) / 2.0)):(pred ? column(5 + ncol * (k - 1)) : NaN) \
           with lines dt 2 lw 1.2 lt k title (pred ? flab(k) . " (prediction)" : "")
    unset output
    unset label
  }
}

# ---- budget: ||E - I|| against the budget ---------------------------------
if (fig eq "budget") {
  set datafile separator whitespace
  unset datafile columnheaders
  stats file using 2 nooutput
  nblk = STATS_blocks
  bxlo = STATS_min; bxhi = STATS_max
  # (a value a log axis cannot show, 0 where the head never moved, counts
  # as the tolerance 1e-14 for the range)
  stats file using ($8 > 0 ? $8 : 1e-14) nooutput
  b_lo = STATS_min
  stats file using ($9 > 0 ? $9 : 1e-14) nooutput
  b_hi = STATS_max
  b_lo = (b_lo < 1e-14 ? b_lo : 1e-14)
  # each d: its value and its budget B(d) (the step at f = 1)
  array dval[nblk]
  array bval[nblk]
  do for [k = 0:nblk - 1] {
    stats file index k using 1:3 nooutput
    dval[k + 1] = STATS_min_x
    bval[k + 1] = STATS_max_y
  }
  b_hi = (b_hi > 1.0 / dval[1] ? b_hi : 1.0 / dval[1])
  # the d lines side by side at each f (x times 1.12^(k - (nblk-1)/2))
  sh(k) = 1.12 ** (k - (nblk - 1) / 2.0)
  do for [fmt in "png pdf"] {
    call 'style.gp' fmt out 10 5.6
    set datafile separator whitespace
    unset datafile columnheaders
    set logscale xy
    set format y "10^{%L}"
    set xrange [bxlo / 2.5 : bxhi * 2.5]
    set xtics ("10^{-4}" 1e-4, "10^{-3}" 1e-3, "10^{-2}" 1e-2, "10^{-1}" 1e-1, "1" 1)
    set yrange [b_lo / 10 : b_hi * 10]
    set xlabel "fraction f of the budget B(d) at which ||E - I||_F is read (the d lines side by side)"
    set ylabel "||E - I||_F at f B(d)"
    set title title_
    set key at screen 0.615, graph 1 left top vertical Left reverse samplen 2 spacing 1.1 noopaque nobox font ",9" maxcols 1
    set rmargin at screen 0.6
    set bmargin 8
    set label 90 cap at screen 0.01, screen 0.1 left font ",8" tc rgb "#444444"
    plot for [k = 0:nblk - 1] file index k using ($2 * sh(k)):7:8:9 with yerrorlines pt 7 ps 1.1 lt (k + 1) lw 1.5 \
           title sprintf("d = 10^{%d}, B = %.3g steps", int(log10(dval[k + 1]) + 0.5), bval[k + 1]), \
         for [k = 0:nblk - 1] file index k using ($2 * sh(k)):(1.0 / dval[k + 1]) with lines dt 2 lw 1 lt (k + 1) \
           title (k == 0 ? "1/d (V5's bound), same colour" : ""), \
         1e-14 with lines dt 3 lw 1.5 lc rgb "#333333" title "the flow engine's absolute tolerance 10^{-14}"
    unset output
    unset label
  }
}
