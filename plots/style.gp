# style.gp: phsim's one figure style.  `call 'style.gp' FMT STEM W H` sets a
# cairo terminal (FMT = png | pdf) writing STEM.FMT at W x H inches.
if (ARG1 eq "png") {
  set terminal pngcairo enhanced size (ARG3 * 100), (ARG4 * 100) font "DejaVu Sans,11" linewidth 1.5
} else {
  set terminal pdfcairo enhanced size (ARG3)*1in, (ARG4)*1in font "DejaVu Sans,9" linewidth 1.2
}
set output ARG2 . "." . ARG1
set datafile separator comma
set datafile columnheaders
set border 3 lw 1
set tics nomirror out scale 0.6
set grid back lc rgb "#e6e6e6" lw 0.8
set key default
set key top left reverse Left samplen 2 spacing 1.1 opaque box lc rgb "#cccccc"
# neuron j, feature l: colour by neuron, dash by feature
set linetype 1 lc rgb "#0072B2" lw 2
set linetype 2 lc rgb "#D55E00" lw 2
set linetype 3 lc rgb "#009E73" lw 2
set linetype 4 lc rgb "#CC79A7" lw 2
set linetype 5 lc rgb "#E69F00" lw 2
set linetype 6 lc rgb "#56B4E9" lw 2
set linetype cycle 6
# which phsim made the data (phsim plot sets made_by): a footnote in the
# bottom right corner; single plots draw it with their plot, multiplots by
# `load 'footnote.gp'` before `unset multiplot`.
footnote_label = 'set label 99 made_by at screen 0.995, screen 0.012 right font ",7" tc rgb "#999999" front'
if (exists("made_by")) { eval footnote_label }
