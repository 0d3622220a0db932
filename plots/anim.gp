# anim.gp: E1's teaching animation, dir/portrait.gif.  The force field on the
# substituted neuron w_i and its path, frame by frame from T1 to T3.
# Variables: dir, H (the head run's trajectory), i, nframes; dir/frames.txt
# lists "k step".
# The frames' steps from frames.txt, read by gnuplot itself (stats), never
# through a shell: dir may hold any character.
array T[nframes]
do for [k=1:nframes] {
  stats dir . "/frames.txt" using ($1 == k ? $2 : NaN) nooutput
  T[k] = STATS_max
}
set terminal gif animate delay 30 loop 0 size 640,600 font "DejaVu Sans,11"
set output dir . "/portrait.gif"
set datafile separator comma
set datafile columnheaders
set xrange [-1.2:1.2]
set yrange [-1.2:1.2]
set size ratio -1
set xlabel sprintf("⟨w_%d, v_1⟩", i)
set ylabel sprintf("⟨w_%d, v_2⟩", i)
set palette defined (0 "#d9d9d9", 0.4 "#6baed6", 1 "#08306b")
set cblabel "log_{10} |force|" offset 1.5
set rmargin 10
set key bottom right
ai(l) = sprintf("a_%d_%d", i, l)
arrow = 0.07
do for [k=1:nframes] {
  t = T[k]
  set title sprintf("force on w_%d and its path, step %d", i, t)
  ff = dir . sprintf("/frame-%d.csv", k)
  plot ff using "x":"y":(arrow * column("fx") / column("norm")):(arrow * column("fy") / column("norm")):(log10(column("norm"))) \
         with vectors head size 0.035,20 filled lc palette notitle, \
       H using (column("step") <= t ? column(ai(1)) : NaN):(column(ai(2))) w l lw 2.5 lc rgb "#D55E00" title sprintf("w_%d", i), \
       H using (column("step") == t ? column(ai(1)) : NaN):(column(ai(2))) w p pt 7 ps 1.5 lc rgb "#D55E00" notitle
}
unset output
