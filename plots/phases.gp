# phases.gp: shade and label the detected phases on the current plot.
# Uses T1..T4 (-1 = not reached) and steps; x is the step axis.
unset object
unset label
ph_end(t) = (t < 0 ? steps : t)
if (T1 > 0) {
  set object 1 rect from graph 0, graph 0 to first T1, graph 1 behind fc rgb "#f2f2f2" fs solid noborder
  set label 1 "I" at first xmin_ph**0.25 * T1**0.75, graph 0.96 center font ",10" tc rgb "#555555"
}
if (T1 > 0 && T2 > T1) {
  set object 2 rect from first T1, graph 0 to first T2, graph 1 behind fc rgb "#fde0c5" fs solid noborder
  set label 2 "II" at first sqrt(T1 * T2), graph 0.96 center font ",10" tc rgb "#555555"
}
if (T2 > 0) {
  set object 3 rect from first T2, graph 0 to first ph_end(T3), graph 1 behind fc rgb "#d6ecd2" fs solid noborder
  set label 3 "III" at first sqrt(T2 * ph_end(T3)), graph 0.84 center font ",10" tc rgb "#555555"
}
if (T3 > 0) {
  set object 4 rect from first T3, graph 0 to graph 1, graph 1 behind fc rgb "#dbe6f5" fs solid noborder
  set label 4 "IV" at first sqrt(T3 * steps), graph 0.96 center font ",10" tc rgb "#555555"
}
