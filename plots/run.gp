# run.gp: one run on one sheet.  Variables: dir, m, K, steps, T1..T4, head.
#   (a) |cos(w_j, v_l)|   (b) E - I   (c) |force_j_l|   (d) loss, noise
# with the detected phases shaded (I: one neuron learns the strong feature,
# II: substitution, III: acceleration, IV: the head returns).
f = dir . "/trajectory.csv"
xmin_ph = 10
do for [fmt in "png pdf"] {
  call 'style.gp' fmt (dir . "/run") 11 8
  set multiplot layout 2,2 title sprintf("{/:Bold phsim run} — head = %s, m = %d, K = %d", head, m, K) font ",12"
  set logscale x
  set xrange [xmin_ph:steps]
  set xlabel "step"
  load 'phases.gp'
  set ylabel "|cos(w_j, v_l)|"
  set yrange [0:1.05]
  set title "(a) alignment of every neuron with every feature"
  plot for [j=1:m] for [l=1:K] f using "step":(abs(column(sprintf("cos_%d_%d", j, l)))) \
       with lines lt j dt l title sprintf("w_%d · v_%d", j, l)
  set ylabel "E_{ij} − δ_{ij}"
  set autoscale y
  set title "(b) the prediction head"
  plot for [i=1:m] for [j=1:m] f using "step":(column(sprintf("E_%d_%d", i, j)) - (i == j ? 1 : 0)) \
       with lines lt (i == j ? 7 : (i - 1) * m + j) title sprintf("E_{%d%d}", i, j)
  set logscale y
  set format y "10^{%L}"
  set ylabel "|⟨−∇_{w_j} L, v_l⟩|"
  set title "(c) the pull on each neuron along each feature"
  plot for [j=1:m] for [l=1:K] f using "step":(abs(column(sprintf("force_%d_%d", j, l)))) \
       with lines lt j dt l title sprintf("on w_%d along v_%d", j, l)
  unset logscale y
  set format y "%g"
  set ylabel "loss, ‖P^⊥ w_j‖"
  set title "(d) loss and the neurons' noise"
  plot f using "step":"loss" with lines lt 6 lw 2.5 title "loss", \
       for [j=1:m] f using "step":(column(sprintf("noise_%d", j))) with lines lt j dt 3 title sprintf("‖P^⊥ w_%d‖", j)
  load 'footnote.gp'
  unset multiplot
  unset output
}
