# heat.gp: a phase diagram: one heat map per facet.  Variables: dir, name,
# nfacets, facets (space-separated names), xlabel_, ylabel_, zlabel_, zmax
# (<= 0: automatic), and the tic definitions in dir/plots/heat-tics.gp; data
# dir/plots/heat-<name>-<k>.dat with columns xi yi value.
do for [fmt in "png pdf"] {
  call 'style.gp' fmt (dir . "/plots/phase-diagram-" . name) (5.5 * nfacets) 4.8
  set datafile separator whitespace
  unset grid
  unset key
  set multiplot layout 1, nfacets
  load dir . "/plots/heat-tics.gp"
  set xlabel xlabel_
  set ylabel ylabel_
  set cblabel zlabel_
  if (zmax > 0) { set cbrange [0:zmax] } else { set autoscale cb }
  set palette defined (0 "#f7fbff", 0.5 "#6baed6", 1 "#08306b")
  set size ratio -1
  do for [k=1:nfacets] {
    set title word(facets, k)
    plot dir . sprintf("/plots/heat-%s-%d.dat", name, k) using 1:2:3 with image pixels notitle
  }
  unset multiplot
  unset output
}
