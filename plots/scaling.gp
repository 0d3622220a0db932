# scaling.gp: a metric against the swept key on log-log axes, in the
# paper's form: every faithful run a grey dot, per-x medians with 95%
# bootstrap percentile intervals, censored runs marked (open triangles
# down: reached by the first logged row, an upper bound; triangles up at
# the top: never reached within the budget), the fitted line of log median
# over the filled medians (open medians: most runs censored, left out of
# the fit) and the paper's exponent as a dashed reference through it.
# Variables (set by phsim plot): dir, name, xlabel_, ylabel_, nser,
# xtics_ (the grid's x values), nevertxt (what a run without a value means), label1..3, slope1..3, icpt1..3, slo1..3, shi1..3 (fit and its bootstrap
# interval), stepterm (1: x is gradient descent's step and the fit is
# log y = icpt + slope log x + stepc x, the first-order step error),
# stepc1..3, ssmed1..3, ssmin1..3, ssmax1..3 (each seed's own slope: median,
# range), ref (0: no reference), caption, rule (a verdict's rule, optional).
# Data: dir/plots/scaling-NAME-k.dat (x median lo hi used first never
# unfaithful fit), scaling-NAME-k-runs.dat (x value kind) and
# scaling-NAME-k-seeds.dat (each seed's uncensored values, one block each,
# drawn as thin lines).
dat(k) = sprintf("%s/plots/scaling-%s-%d.dat", dir, name, k)
runs(k) = sprintf("%s/plots/scaling-%s-%d-runs.dat", dir, name, k)
seeds(k) = sprintf("%s/plots/scaling-%s-%d-seeds.dat", dir, name, k)
stepc(k) = (k == 1 ? stepc1 : k == 2 ? stepc2 : stepc3)
ssmed(k) = (k == 1 ? ssmed1 : k == 2 ? ssmed2 : ssmed3)
ssmin(k) = (k == 1 ? ssmin1 : k == 2 ? ssmin2 : ssmin3)
ssmax(k) = (k == 1 ? ssmax1 : k == 2 ? ssmax2 : ssmax3)
# the fitted curve: a power, times exp(c x) with the step term
fitc(k, x) = exp(icpt(k) + stepc(k) * x) * x**slope(k)
steptxt = (stepterm ? " (+ c·x)" : "")
slope(k) = (k == 1 ? slope1 : k == 2 ? slope2 : slope3)
icpt(k) = (k == 1 ? icpt1 : k == 2 ? icpt2 : icpt3)
slo(k) = (k == 1 ? slo1 : k == 2 ? slo2 : slo3)
shi(k) = (k == 1 ? shi1 : k == 2 ? shi2 : shi3)
lab(k) = (k == 1 ? label1 : k == 2 ? label2 : label3)
# the y range from every value drawn; the x range from the grid
ylo = 1e300; yhi = 0; xlo = 1e300; xhi = 0
# (a series without a value, e.g. no run substituted: stats finds no
# points and leaves its variables undefined)
do for [k=1:nser] {
  undefine STATS_*
  stats runs(k) using 1:2 nooutput
  if (exists("STATS_records") && STATS_records > 0) {
    ylo = (STATS_min_y < ylo ? STATS_min_y : ylo); yhi = (STATS_max_y > yhi ? STATS_max_y : yhi)
  }
  undefine STATS_*
  stats dat(k) using 1 nooutput
  if (exists("STATS_records") && STATS_records > 0) {
    xlo = (STATS_min < xlo ? STATS_min : xlo); xhi = (STATS_max > xhi ? STATS_max : xhi)
  }
}
if (yhi <= 0) { ylo = 0.1; yhi = 10 }
ytop = yhi * 4            # where "never reached" is drawn
# x of the fit's centre (geometric), for the reference line
xc = sqrt(xlo * xhi)
# an x tic: a power of ten other than 1 as 10^{k} (as the heat maps'
# tics, plot.c's tic_text) when every tic is one, else plain digits from 1
# to 10^5 (200, 356, 1131), else 2 digits (0.0025, 3.2e+05)
xtic_k(w) = floor(log10(w) + 0.5)
xtic_pow(w) = w > 0 && xtic_k(w) != 0 && abs(w / 10.0**xtic_k(w) - 1) < 1e-9
# (10^{k} only when every tic is a power of ten: an axis of 0.005, 0.01,
# 0.02 reads as plain numbers, not 0.005, 10^{-2}, 0.02)
allpow = 1
do for [w in xtics_] { if (!xtic_pow(real(w))) { allpow = 0 } }
xtic_text(w) = allpow && xtic_pow(w) ? sprintf("10^{%d}", xtic_k(w)) : \
               (w >= 1 && w < 1e5) ? sprintf("%.0f", w) : sprintf("%.2g", w)
# each seed's own line where some seed has a slope (an empty file would
# make gnuplot warn); the macro holds only numbers, never data
stitle(k) = sprintf("each seed%s: slope median %.3f, range %.3f..%.3f", \
                    (nser > 1 ? " " . lab(k) : ""), ssmed(k), ssmin(k), ssmax(k))
seedlines = ""
do for [k=1:nser] {
  if (ssmed(k) == ssmed(k)) {
    seedlines = seedlines . sprintf("seeds(%d) using 1:2 with lines lt %d lw 0.6 dt 3 title stitle(%d), ", k, k, k)
  }
}
do for [fmt in "png pdf"] {
  call 'style.gp' fmt (dir . "/plots/scaling-" . name) 11 5.2
  set datafile separator whitespace
  unset datafile columnheaders
  set logscale xy
  set format y "10^{%L}"
  set xrange [xlo / 1.4 : xhi * 1.4]
  set yrange [ylo / 3 : ytop * 3]
  set xtics () 
  do for [w in xtics_] { set xtics add (xtic_text(real(w)) real(w)) }
  set mxtics default
  set xlabel xlabel_
  set ylabel ylabel_
  set key at screen 0.575, graph 1 left top vertical Left reverse samplen 2 spacing 1.1 noopaque nobox font ",9"
  set rmargin at screen 0.56
  set bmargin 6.5
  set label 90 caption at screen 0.01, screen 0.03 left font ",8" tc rgb "#444444"
  if (exists("rule")) { set bmargin 8; set label 89 ("verdict " . rule) at screen 0.01, screen 0.075 left font ",8" tc rgb "#444444" }
  set arrow 91 from graph 0, first ytop to graph 1, first ytop nohead dt 3 lc rgb "#999999" back
  set label 92 (nevertxt . " ▲") at graph 0.99, first ytop * 1.8 right font ",8" tc rgb "#666666"
  if (nser == 1) {
    set title sprintf("fit%s: slope %.3f, 95%% bootstrap interval [%.3f, %.3f]%s", steptxt, slope1, slo1, shi1, \
                      (ref != 0 ? sprintf("; paper: %g", ref) : "")) offset character (stepterm ? 8 : 0), 0
  } else {
    set title (ref != 0 ? sprintf("paper: slope %g%s", ref, (stepterm ? "; fits" . steptxt : "")) : "")
  }
  plot @seedlines for [k=1:nser] runs(k) using 1:($3 == 0 ? $2 : NaN) with points pt 7 ps 0.45 lc rgb "#b0b0b0" \
         title (k == 1 ? "each faithful run" : ""), \
       for [k=1:nser] runs(k) using 1:($3 == 1 ? $2 : NaN) with points pt 11 ps 1.1 lc rgb "#555555" \
         title (k == 1 ? "reached by the first logged row" : ""), \
       for [k=1:nser] runs(k) using 1:($3 == 2 ? ytop : NaN) with points pt 9 ps 1.1 lc rgb "#555555" \
         title (k == 1 ? nevertxt : ""), \
       for [k=1:nser] dat(k) using 1:2:3:4 with yerrorbars pt 7 ps 0 lt k lw 1.5 notitle, \
       for [k=1:nser] dat(k) using 1:($9 == 1 ? $2 : NaN) with points pt 7 ps 1.3 lt k \
         title sprintf("median %s", lab(k)), \
       for [k=1:nser] dat(k) using 1:($9 == 0 ? $2 : NaN) with points pt 6 ps 1.3 lt k \
         title (k == 1 ? "median, most runs censored (not fitted)" : ""), \
       for [k=1:nser] (slope(k) == slope(k) ? fitc(k, x) : NaN) with lines lt k lw 2 \
         title (slope(k) == slope(k) ? sprintf("fit %s%s: slope %.3f [%.3f, %.3f]", lab(k), \
                (stepterm ? sprintf(" (c = %.2g)", stepc(k)) : ""), slope(k), slo(k), shi(k)) : \
                sprintf("%s: under 3 fitted points, no fit", lab(k))), \
       (ref != 0 && slope1 == slope1 ? fitc(1, xc) * (x / xc)**ref : NaN) with lines \
         dt 2 lw 1.5 lc rgb "#333333" title sprintf("reference slope %g (paper)", ref)
  unset output
  unset label
  unset arrow
}
