# scaling.gp: a metric against a swept key on log-log axes, every run a
# point, with the fitted power law.  Variables: dir, xkey, ykey, slope,
# intercept, slope_se, expect (text).
do for [fmt in "png pdf"] {
  call 'style.gp' fmt (dir . "/plots/scaling-" . ykey) 6 4.5
  set logscale xy
  set format y "10^{%L}"
  set xlabel xkey
  set ylabel ykey
  set title sprintf("%s ∝ %s^{%.2f ± %.2f}   (%s)", ykey, xkey, slope, slope_se, expect)
  plot dir . "/sweep.csv" using xkey:ykey with points pt 7 ps 0.8 lc rgb "#0072B2" title "runs", \
       exp(intercept) * x**slope with lines lt 2 title sprintf("fit: slope %.2f", slope)
  unset output
}
