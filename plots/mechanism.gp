# mechanism.gp: E1's sheet.  Portraits: both neurons' paths in their own
# (<w, v_1>, <w, v_2>) planes, over the field that acts on w_i.  Variables: dir, head_dir, fixed_dir, i (the
# substituted neuron), js (the neuron that learns v_1 first), T1..T4,
# steps, seed.  Reads head_dir/ and fixed_dir/trajectory.csv and
# dir/field-T1.csv, dir/field-T2.csv (phsim field).
H = head_dir . "/trajectory.csv"
F = fixed_dir . "/trajectory.csv"
xmin_ph = 10
ci(l) = sprintf("cos_%d_%d", i, l)
cj(l) = sprintf("cos_%d_%d", js, l)
fo(l) = sprintf("force_%d_%d", i, l)
ai(l) = sprintf("a_%d_%d", i, l)
aj(l) = sprintf("a_%d_%d", js, l)
arrow = 0.17
do for [fmt in "png pdf"] {
  call 'style.gp' fmt (dir . "/mechanism") 14 8.5
  set multiplot layout 2,3 title sprintf("{/:Bold Substitution and acceleration} — paper preset, seed %d: w_%d learns v_1; the head substitutes it for w_%d, which then learns v_2", seed, js, i) font ",12"
  set logscale x
  set xrange [xmin_ph:steps]
  set xlabel "step"
  load 'phases.gp'
  set yrange [0:1.05]
  set ylabel "|cos(w_j, v_l)|"
  set title "(a) with the trainable head"
  plot H using "step":(abs(column(cj(1)))) w l lt 1 title sprintf("w_%d · v_1", js), \
       H using "step":(abs(column(cj(2)))) w l lt 1 dt 2 title sprintf("w_%d · v_2", js), \
       H using "step":(abs(column(ci(1)))) w l lt 2 title sprintf("w_%d · v_1", i), \
       H using "step":(abs(column(ci(2)))) w l lt 2 dt 2 title sprintf("w_%d · v_2", i)
  set title "(b) without a head (E = I): collapse onto v_1"
  plot F using "step":(abs(column(cj(1)))) w l lt 1 title sprintf("w_%d · v_1", js), \
       F using "step":(abs(column(cj(2)))) w l lt 1 dt 2 title sprintf("w_%d · v_2", js), \
       F using "step":(abs(column(ci(1)))) w l lt 2 title sprintf("w_%d · v_1", i), \
       F using "step":(abs(column(ci(2)))) w l lt 2 dt 2 title sprintf("w_%d · v_2", i)
  set autoscale y
  set logscale y
  set format y "10^{%L}"
  set ylabel sprintf("|⟨−∇_{w_%d} L, v_l⟩|", i)
  set title sprintf("(c) the pulls on w_%d: head (solid), none (dashed)", i)
  plot H using "step":(abs(column(fo(1)))) w l lt 3 title "along v_1, head", \
       F using "step":(abs(column(fo(1)))) w l lt 3 dt 2 title "along v_1, no head", \
       H using "step":(abs(column(fo(2)))) w l lt 4 title "along v_2, head", \
       F using "step":(abs(column(fo(2)))) w l lt 4 dt 2 title "along v_2, no head"
  unset logscale y
  set format y "%g"
  set ylabel sprintf("E_{%d%d}", i, js)
  set title sprintf("(d) the head entry that feeds f_%d into output %d", js, i)
  plot H using "step":(column(sprintf("E_%d_%d", i, js))) w l lt 5 lw 2.5 title sprintf("E_{%d%d}", i, js)
  unset logscale x
  unset object
  unset label
  set xrange [-2.6:2.6]
  set yrange [-2.6:2.6]
  set size ratio -1
  set xlabel "⟨w_j, v_1⟩"
  set ylabel "⟨w_j, v_2⟩"
  set palette defined (0 "#c6dbef", 1 "#08306b")
  unset colorbox
  set key bottom right
  do for [k=1:2] {
    ff = dir . sprintf("/field-T%d.csv", k)
    tk = (k == 1 ? T1 : T2)
    set title sprintf("(%s) force field on w_%d at step %d (%s)", (k == 1 ? "e" : "f"), i, tk, (k == 1 ? "T_1: v_1 learned by w_".js : "T_2: substitution done"))
    plot ff using "x":"y":(arrow * column("fx") / column("norm")):(arrow * column("fy") / column("norm")):(log10(column("norm"))) \
           with vectors head size 0.06,20 filled lc palette notitle, \
         H using (column(aj(1))):(column(aj(2))) w l lt 1 lw 2.5 title sprintf("w_%d, head", js), \
         F using (column(aj(1))):(column(aj(2))) w l lt 1 dt 2 lw 2 title sprintf("w_%d, no head", js), \
         H using (column(ai(1))):(column(ai(2))) w l lt 2 lw 2.5 title sprintf("w_%d, head", i), \
         F using (column(ai(1))):(column(ai(2))) w l lt 2 dt 2 lw 2 title sprintf("w_%d, no head", i), \
         H using (column("step") == tk ? column(ai(1)) : NaN):(column(ai(2))) w p pt 7 ps 1.4 lc rgb "#D55E00" notitle
  }
  unset multiplot
  unset output
  set size noratio
}
