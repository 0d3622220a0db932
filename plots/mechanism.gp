# mechanism.gp: E1's sheet, in the paper's form.  Step axes are logarithmic
# from step 1 (the trajectories are logged every step early on), so phase I
# shows.  Variables: dir, H and F (the head and no-head trajectories),
# i (the substituted neuron), js (the neuron that learns v_1 first),
# T1..T4 (head run; -1 = not reached), F1 (no-head T1), FC (no-head: the
# step w_i learned v_1, -1 never), steps, seed, Pa, Pb (the steps of the
# two portraits), title_, rule_ (optional: a verdict's rule); reads dir/field-a.csv and dir/field-b.csv
# (phsim field on w_i at Pa and Pb).
xmin_ph = 1
ci(l) = sprintf("cos_%d_%d", i, l)
cj(l) = sprintf("cos_%d_%d", js, l)
fo(l) = sprintf("force_%d_%d", i, l)
ai(l) = sprintf("a_%d_%d", i, l)
aj(l) = sprintf("a_%d_%d", js, l)
arrow = 0.07
lim = 1.2
do for [fmt in "png pdf"] {
  call 'style.gp' fmt (dir . "/mechanism") 15 9.6
  # rule_ (optional): the verdict the sheet illustrates, a smaller second title line
  set multiplot layout 2,3 title (exists("rule_") ? title_ . "\n{/=9 " . rule_ . "}" : title_) font ",12"
  set logscale x
  set xrange [1:steps]
  set format x "10^{%L}"
  set xlabel "step"
  set key top left reverse Left samplen 1.5 spacing 1 opaque box lc rgb "#cccccc" font ",9"
  # ---- (a) head run, phases I-IV
  load 'phases.gp'
  set yrange [0:1.25]
  set ytics 0, 0.2, 1
  set ylabel "|cos(w_j, v_l)|"
  set title "(a) with the trainable head: phases I–IV"
  plot H using "step":(abs(column(cj(1)))) w l lt 1 title sprintf("w_%d · v_1", js), \
       H using "step":(abs(column(cj(2)))) w l lt 1 dt 2 title sprintf("w_%d · v_2", js), \
       H using "step":(abs(column(ci(1)))) w l lt 2 title sprintf("w_%d · v_1", i), \
       H using "step":(abs(column(ci(2)))) w l lt 2 dt 2 title sprintf("w_%d · v_2", i)
  # ---- (b) no head, its own phases: I, then w_i's own race, then collapse
  unset object
  unset label
  set object 1 rect from graph 0, graph 0 to first F1, graph 1 behind fc rgb "#f2f2f2" fs solid noborder
  set label 1 "I" at first F1**0.75, graph 0.96 center font ",10" tc rgb "#555555"
  fc_end = (FC > 0 ? FC : steps)
  set object 2 rect from first F1, graph 0 to first fc_end, graph 1 behind fc rgb "#f6d6d6" fs solid noborder
  set label 2 sprintf("w_%d → v_1", i) at first F1, graph 0.89 right font ",9" tc rgb "#555555"
  if (FC > 0) {
    set object 3 rect from first FC, graph 0 to graph 1, graph 1 behind fc rgb "#e0e0e0" fs solid noborder
    set label 3 "collapsed" at first sqrt(FC * steps), graph 0.96 center font ",10" tc rgb "#555555"
  }
  set title "(b) without a head (E = I): both neurons on v_1"
  plot F using "step":(abs(column(cj(1)))) w l lt 1 title sprintf("w_%d · v_1", js), \
       F using "step":(abs(column(cj(2)))) w l lt 1 dt 2 title sprintf("w_%d · v_2", js), \
       F using "step":(abs(column(ci(1)))) w l lt 2 title sprintf("w_%d · v_1", i), \
       F using "step":(abs(column(ci(2)))) w l lt 2 dt 2 title sprintf("w_%d · v_2", i)
  # ---- (c) pulls on w_i, head and none
  load 'phases.gp'
  set autoscale y
  set ytics autofreq
  set logscale y
  set format y "10^{%L}"
  set yrange [*:*]
  set ylabel sprintf("|⟨−∇_{w_%d} L, v_l⟩|", i)
  set title sprintf("(c) the pulls on w_%d: head (solid), none (dashed)", i)
  set key bottom left
  plot H using "step":(abs(column(fo(1)))) w l lt 3 title "along v_1, head", \
       F using "step":(abs(column(fo(1)))) w l lt 3 dt 2 title "along v_1, no head", \
       H using "step":(abs(column(fo(2)))) w l lt 4 title "along v_2, head", \
       F using "step":(abs(column(fo(2)))) w l lt 4 dt 2 title "along v_2, no head"
  # ---- (d) both off-diagonal entries, on a log scale: E_21 stays about
  # 30 times below E_12 and would be a flat line on a linear axis.
  set logscale y
  set format y "10^{%L}"
  set yrange [1e-7:1]
  set ylabel "|E_{12}|, |E_{21}|"
  set key top left
  set title sprintf("(d) the head: E_{%d%d} feeds f_%d into output %d", i, js, js, i)
  plot H using "step":(abs(column("E_1_2"))) w l lt 5 lw 2.5 title "|E_{12}|", \
       H using "step":(abs(column("E_2_1"))) w l lt 6 lw 2.5 dt 4 title "|E_{21}|"
  unset logscale y
  set format y "%g"
  # ---- (e), (f) portraits: the force on w_i over its own feature plane
  unset object
  unset label
  unset logscale x
  set format x "%g"
  set xrange [-lim:lim]
  set yrange [-lim:lim]
  set xtics autofreq
  set ytics autofreq
  set size ratio -1
  set xlabel sprintf("⟨w_%d, v_1⟩", i)
  set ylabel sprintf("⟨w_%d, v_2⟩", i)
  set palette defined (0 "#d9d9d9", 0.4 "#6baed6", 1 "#08306b")
  set colorbox vertical user origin graph 1.03, graph 0 size graph 0.04, graph 1
  set cblabel "log_{10} |force on w_i|" offset 1.2
  set key bmargin left horizontal maxcols 2 noopaque nobox font ",8" samplen 1.5
  set rmargin 9
  do for [k=1:2] {
    if (k == 2) { unset ylabel }
    ff = dir . (k == 1 ? "/field-a.csv" : "/field-b.csv")
    tk = (k == 1 ? Pa : Pb)
    set title sprintf("(%s) force on w_%d at step %d: %s", (k == 1 ? "e" : "f"), i, tk, \
                      (k == 1 ? "before substitution" : "after substitution"))
    plot ff using "x":"y":(arrow * column("fx") / column("norm")):(arrow * column("fy") / column("norm")):(log10(column("norm"))) \
           with vectors head size 0.035,20 filled lc palette notitle, \
         H using (column("step") <= tk ? column(ai(1)) : NaN):(column(ai(2))) w l lt 2 lw 2.5 title sprintf("w_%d, head (to step %d)", i, tk), \
         F using (column("step") <= tk ? column(ai(1)) : NaN):(column(ai(2))) w l lt 2 dt 2 lw 2 title sprintf("w_%d, no head", i), \
         H using (column("step") == tk ? column(ai(1)) : NaN):(column(ai(2))) w p pt 7 ps 1.4 lc rgb "#D55E00" title "now (head)"
  }
  unset multiplot
  unset output
  set size noratio
  unset colorbox
}
