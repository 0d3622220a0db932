# table.gp: bar charts of an experiment's table (whitespace columns, one
# header line).  Variables: out (file stem), file, title_, ylabel_, xcol
# (the label column), ycols (space-separated column numbers), names
# (space-separated legend entries: a '_' in one is drawn as a space, except
# in "_{", enhanced text's subscript: 'no_head T_{3}'), ymax (<= 0:
# automatic), caption (the verdict's rule and the runs behind the bars:
# wrapped into lines under the plot at spaces), xlabel_ (optional).
array legend[words(names)]
do for [k=1:words(names)] {
  n_ = word(names, k)
  legend[k] = ""
  do for [i=1:strlen(n_)] {
    c_ = n_[i:i]
    legend[k] = legend[k] . ((c_ eq "_" && n_[i+1:i+1] ne "{") ? " " : c_)
  }
}
# the caption in lines of at most wrapw characters, broken at spaces (a
# word longer than that stays whole); ncap lines
wrapw = 120
capw = ""
ncap = 0
if (exists("caption")) {
  rest = caption
  ncap = 1
  while (strlen(rest) > wrapw) {
    cut = 0
    do for [i=1:wrapw+1] { if (rest[i:i] eq " ") { cut = i } }
    if (cut == 0) { cut = strstrt(rest, " ") }
    if (cut == 0) { break }
    capw = capw . rest[1:cut-1] . "\n"
    rest = rest[cut+1:]
    ncap = ncap + 1
  }
  capw = capw . rest
}
# the tallest bar (for an automatic y range)
set datafile separator whitespace
ytop = 0
do for [k=1:words(ycols)] {
  stats file every ::1 using int(word(ycols, k)) nooutput
  ytop = (STATS_max > ytop ? STATS_max : ytop)
}
if (!(ytop > 0)) { ytop = 1 }
do for [fmt in "png pdf"] {
  call 'style.gp' fmt out 7 (4.8 + 0.15 * (ncap > 1 ? ncap - 1 : 0))
  set datafile separator whitespace
  unset datafile columnheaders
  set style data histograms
  set style histogram clustered gap 1.5
  set style fill solid 0.85 border -1
  set boxwidth 0.9
  # -45: at -30 the 15 labels of E5 ("K=2,m=3") ran into each other;
  # the right margin keeps the last one inside the canvas; the top margin
  # leaves room for a key that takes two rows (E6, E7)
  set xtics rotate by -45 left
  set rmargin 5
  set grid noxtics
  set key at graph 0.5, screen 0.985 center top horizontal noopaque nobox
  set tmargin 5.5
  if (exists("xlabel_")) { set xlabel xlabel_ }
  if (ncap > 0) {
    set bmargin 6.5 + 1.1 * ncap
    set label 90 capw at screen 0.01, character (0.6 + 1.1 * ncap) left font ",8" tc rgb "#444444"
  }
  set title title_
  set ylabel ylabel_
  # automatic: 8% above the tallest bar (a bar at the top touched the
  # border)
  if (ymax > 0) { set yrange [0:ymax] } else { set yrange [0:1.08 * ytop] }
  plot for [k=1:words(ycols)] file every ::1 using int(word(ycols, k)):xtic(xcol) lt k title legend[k]
  unset output
}
