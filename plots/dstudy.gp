# dstudy.gp: E8's two figures of its own tables (experiments/e8_dstudy.sh).
#   dir/phase2-ratio.{png,pdf}: the median (T2 - T1) / T1 of the head runs
#     against d (log-log) with its 95% bootstrap interval, from
#     dir/stats-phase2-ratio.csv (d,n,censored,median,lo,hi; a median or
#     end that falls on a censored run reads "censored": drawn as an open
#     triangle up at the top, as scaling.gp does), the reference 1 (phase II
#     as long as phase I; "much shorter" is far below it).
#   dir/phase4-budget.{png,pdf}: the median ||E - I||_F of the head runs at
#     fractions f of the budget B(d) against f, one line per d, with
#     95% bootstrap intervals, from dir/phase4-budget.dat (the rows of
#     phase4-budget.csv, one block per d: d fraction budget_step n censored
#     past_T3 median lo hi), each d's 1/d (V5's bound) and the flow
#     engine's absolute tolerance 1e-14 as references.
# Variables: dir, cap2 and cap4 (the captions: rule, what is drawn, seeds).
f2 = dir . "/stats-phase2-ratio.csv"
f4 = dir . "/phase4-budget.dat"
isc(s) = (s eq "censored")
num(s) = isc(s) ? NaN : real(s)
set datafile separator comma
set datafile columnheaders
# the y range from every drawn number (the top line sits above them all, a
# lower end too: it can exceed every reached median when the median is
# censored); a censored entry counts as 1, the reference, so that stats
# always has a point (gnuplot stops on a stats without one: a mutation can
# censor every median)
numor1(s) = isc(s) ? 1.0 : real(s)
stats f2 using (numor1(strcol(4))) nooutput
yhi = STATS_max; ylo = STATS_min
stats f2 using (numor1(strcol(6))) nooutput
yhi = (STATS_max > yhi) ? STATS_max : yhi
stats f2 using (numor1(strcol(5))) nooutput
yhi = (STATS_max > yhi) ? STATS_max : yhi
ylo = (STATS_min < ylo) ? STATS_min : ylo
yhi = (yhi > 1 ? yhi : 1.0)
ylo = (ylo < 1 ? ylo : 1.0)
ytop = yhi * 4
stats f2 using 1 nooutput
xlo = STATS_min; xhi = STATS_max
do for [fmt in "png pdf"] {
  call 'style.gp' fmt (dir . "/phase2-ratio") 10 5.6
  set logscale xy
  set format x "10^{%L}"
  set format y "10^{%L}"
  set xrange [xlo / 2 : xhi * 2]
  set yrange [ylo / 3.0 : ytop * 3.0]
  set xlabel "d"
  set ylabel "(T_2 - T_1) / T_1  (phase II over phase I)"
  set title "E8: the length of phase II against d (head runs, paper preset)"
  set key at screen 0.99, graph 1 right top vertical Left reverse samplen 2 spacing 1.1 noopaque nobox font ",9" maxcols 1
  set rmargin at screen 0.6
  set bmargin 8
  set label 90 cap2 at screen 0.01, screen 0.115 left font ",8" tc rgb "#444444"
  set arrow 91 from graph 0, first ytop to graph 1, first ytop nohead dt 3 lc rgb "#999999" back
  set label 92 "censored: above every reached ratio" at graph 0.5, first ytop * 1.8 center font ",8" tc rgb "#666666"
  plot f2 using 1:(num(strcol(4))):(isc(strcol(5)) ? ytop : num(strcol(5))):(isc(strcol(6)) ? ytop : num(strcol(6))) \
         with yerrorbars pt 7 ps 1.3 lt 1 title "median and its 95% bootstrap interval", \
       f2 using 1:(isc(strcol(4)) ? ytop : NaN):(isc(strcol(5)) ? ytop : num(strcol(5))):(ytop) \
         with yerrorbars pt 8 ps 1.6 lt 1 title "median censored (no T_2 within the budget)", \
       f2 using 1:(isc(strcol(4)) ? ytop : num(strcol(4))):(strcol(3) eq "0" ? "" : sprintf("%s of %s censored", strcol(3), strcol(2))) \
         with labels left offset 0.8, 0.6 font ",8" tc rgb "#555555" notitle, \
       1 with lines dt 2 lw 1.5 lc rgb "#333333" title "1: phase II as long as phase I"
  unset output
  unset label
  unset arrow
}
# ---- phase IV against the budget (stats obeys the ranges and log axes set
# above: reset them)
reset
set datafile separator whitespace
unset datafile columnheaders
stats f4 using 2 nooutput
nblk = STATS_blocks
bxlo = STATS_min; bxhi = STATS_max
stats f4 using 8 nooutput
b_lo = STATS_min
stats f4 using 9 nooutput
b_hi = STATS_max
b_lo = (b_lo < 1e-14 ? b_lo : 1e-14)
# each d: its value and its budget B(d) (the step at f = 1)
array dval[nblk]
array bval[nblk]
do for [k = 0:nblk - 1] {
  stats f4 index k using 1:3 nooutput
  dval[k + 1] = STATS_min_x
  bval[k + 1] = STATS_max_y
}
b_hi = (b_hi > 1.0 / dval[1] ? b_hi : 1.0 / dval[1])
# the d lines side by side at each f (x times 1.12^(k - (nblk-1)/2))
sh(k) = 1.12 ** (k - (nblk - 1) / 2.0)
do for [fmt in "png pdf"] {
  call 'style.gp' fmt (dir . "/phase4-budget") 10 5.6
  set datafile separator whitespace
  unset datafile columnheaders
  set logscale xy
  set format y "10^{%L}"
  set xrange [bxlo / 2.5 : bxhi * 2.5]
  set xtics ("10^{-4}" 1e-4, "10^{-3}" 1e-3, "10^{-2}" 1e-2, "10^{-1}" 1e-1, "1" 1)
  set yrange [b_lo / 10 : b_hi * 10]
  set xlabel "fraction f of the budget B(d) at which ||E - I||_F is read (the d lines side by side)"
  set ylabel "||E - I||_F at f B(d)"
  set title "E8: phase IV, ||E - I||_F against d and the budget (head runs)"
  set key at screen 0.99, graph 1 right top vertical Left reverse samplen 2 spacing 1.1 noopaque nobox font ",9" maxcols 1
  set rmargin at screen 0.64
  set bmargin 8
  set label 90 cap4 at screen 0.01, screen 0.1 left font ",8" tc rgb "#444444"
  plot for [k = 0:nblk - 1] f4 index k using ($2 * sh(k)):7:8:9 with yerrorlines pt 7 ps 1.1 lt (k + 1) lw 1.5 \
         title sprintf("d = 10^{%d}, B = %.3g steps", int(log10(dval[k + 1]) + 0.5), bval[k + 1]), \
       for [k = 0:nblk - 1] f4 index k using ($2 * sh(k)):(1.0 / dval[k + 1]) with lines dt 2 lw 1 lt (k + 1) \
         title (k == 0 ? "1/d (V5's bound), same colour" : ""), \
       1e-14 with lines dt 3 lw 1.5 lc rgb "#333333" title "the flow engine's absolute tolerance 10^{-14}"
  unset output
  unset label
}
