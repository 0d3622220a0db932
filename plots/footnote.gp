# footnote.gp: the made_by footnote (style.gp) drawn once over a whole
# multiplot: an empty full-page panel that shows only the label.
if (exists("made_by")) {
  set origin 0, 0
  set size 1, 1
  unset border; unset tics; unset key; unset title; unset xlabel; unset ylabel
  unset object; unset label; unset grid; unset colorbox; unset logscale
  eval footnote_label
  plot [0:1][0:1] NaN notitle
}
