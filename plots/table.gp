# table.gp: bar charts of an experiment's table (whitespace columns, one
# header line).  Variables: out (file stem), file, title_, ylabel_, xcol
# (the label column), ycols (space-separated column numbers), names
# (space-separated legend entries), ymax (<= 0: automatic), caption (the
# verdict's rule and the runs behind the bars: a line under the plot).
do for [fmt in "png pdf"] {
  call 'style.gp' fmt out 7 4.5
  set datafile separator whitespace
  unset datafile columnheaders
  set style data histograms
  set style histogram clustered gap 1.5
  set style fill solid 0.85 border -1
  set boxwidth 0.9
  set xtics rotate by -30 left
  set grid noxtics
  set key at graph 0.5, screen 0.985 center top horizontal noopaque nobox
  set tmargin 4.5
  if (exists("caption")) { set bmargin 6.5; set label 90 caption at screen 0.01, screen 0.03 left font ",8" tc rgb "#444444" }
  set title title_
  set ylabel ylabel_
  if (ymax > 0) { set yrange [0:ymax] } else { set yrange [0:*] }
  plot for [k=1:words(ycols)] file every ::1 using int(word(ycols, k)):xtic(xcol) lt k title word(names, k)
  unset output
}
