# heat.gp: a phase diagram: one heat map per facet.  Variables: dir, nfacets,
# facet names facet1..., xlabel_, ylabel_, zlabel_, zmax, and the tic
# definitions in dir/plots/heat-tics.gp; data dir/plots/heat-<k>.dat with
# columns xi yi value.
do for [fmt in "png pdf"] {
  call 'style.gp' fmt (dir . "/plots/phase-diagram") (5.5 * nfacets) 4.8
  set datafile separator whitespace
  unset grid
  set multiplot layout 1, nfacets
  load dir . "/plots/heat-tics.gp"
  set xlabel xlabel_
  set ylabel ylabel_
  set cblabel zlabel_
  set cbrange [0:zmax]
  set palette defined (0 "#f7fbff", 0.5 "#6baed6", 1 "#08306b")
  set size ratio -1
  do for [k=1:nfacets] {
    set title word(facets, k)
    plot dir . sprintf("/plots/heat-%d.dat", k) using 1:2:3 with image notitle
  }
  unset multiplot
  unset output
}
