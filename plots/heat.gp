# heat.gp: a phase diagram: one heat map per facet, on the swept keys'
# ratio axes.  Variables: dir, name, nfacets, facets (space-separated
# names; "all" when there is one map), xlabel_, ylabel_, zlabel_, zmax
# (<= 0: automatic), nseeds, budget_ (the caption's budget: one number, or
# the rule and range when it differs per cell), unfaithful (runs left out),
# rule (a verdict's rule, optional), zlo, zhi (the colour range shared by
# every facet when zmax <= 0), and the tic definitions in
# dir/plots/heat-tics.gp.  Data dir/plots/heat-<name>-<k>.dat (xi yi value),
# -never.dat (cells where no run reached it: hatched grey), -part.dat
# (cells where only some did: "reached/runs") and -unf.dat (cells without
# a flow-faithful run: crossed).
facet_title(f) = (f eq "head=offdiag" ? "with the trainable head (head = offdiag)" : \
                  f eq "head=fixed" ? "without a head (E = I)" : f eq "all" ? "" : f)
fn(k, suf) = dir . sprintf("/plots/heat-%s-%d%s.dat", name, k, suf)
do for [fmt in "png pdf"] {
  # one map: a wider canvas and the caption on two lines (it was cut at
  # both edges)
  call 'style.gp' fmt (dir . "/plots/phase-diagram-" . name) (nfacets == 1 ? 7.5 : 4.6 * nfacets + 1.2) 5.4
  set datafile separator whitespace
  unset datafile columnheaders
  unset grid
  set multiplot layout 1, nfacets title sprintf("%d seeds per cell; %s;%soutcomes at the end of the budget%s", \
      nseeds, budget_, (nfacets == 1 ? "\n" : " "), \
      (unfaithful > 0 ? sprintf("; %d runs not flow-faithful left out", unfaithful) : "")) . \
      (exists("rule") ? "\nverdict " . rule : "") font ",10"
  load dir . "/plots/heat-tics.gp"
  set xlabel xlabel_
  set ylabel ylabel_
  set cblabel zlabel_
  if (zmax > 0) { set cbrange [0:zmax] } else { if (zlo == zlo) { set cbrange [zlo:zhi] } else { set cbrange [0:1] } }
  if (name eq "T3") {
    set palette defined (0 "#fff3b0", 0.5 "#e76f51", 1 "#6a040f")
  } else {
    set palette defined (0 "#f7fbff", 0.5 "#6baed6", 1 "#08306b")
  }
  set size ratio -1
  set key default
  set key bmargin center horizontal reverse Left samplen 1 noopaque nobox
  do for [k=1:nfacets] {
    set title facet_title(word(facets, k))
    plot fn(k, "") using 1:2:3 with image pixels notitle, \
         fn(k, "-never") using 1:2:(0.5):(0.5) with boxxyerror fs pattern 4 border lc rgb "#555555" \
           lc rgb "#777777" title (name eq "T3" ? "never within the budget" : ""), \
         fn(k, "-part") using 1:2:3 with labels font ",9" tc rgb "#000000" \
           title "", \
         (name eq "T3" ? NaN : 1/0) with points pt -1 title (name eq "T3" ? "k/n: k of n runs got there" : ""), \
         fn(k, "-unf") using 1:2 with points pt 2 ps 1.5 lc rgb "#c00000" title "no flow-faithful run"
  }
  load 'footnote.gp'
  unset multiplot
  unset output
}
