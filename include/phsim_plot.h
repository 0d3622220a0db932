/* phsim_plot.h: figures from a run or a sweep directory, by the gnuplot
 * scripts in plots/ (found at $PHSIM_PLOTS, else next to the binary as
 * ../share/phsim/plots when installed or ../plots in a checkout, else in
 * the installed prefix).  Every figure is written as PNG (pngcairo) and PDF (pdfcairo).
 *   run:   DIR/run.{png,pdf} (plots/run.gp)
 *   sweep: one numeric swept key besides seed:
 *          DIR/plots/scaling-<metric>.{png,pdf} for T1, T3, E_substitution,
 *          E_peak (log-log, fitted slope; a metric with fewer than 3 positive
 *          values is left out); a non-numeric one (head=...): two or more: the phase diagram
 *          DIR/plots/phase-diagram.{png,pdf} of the first two keys, one map
 *          per value of the others, each cell the mean over seeds of
 *          features_learned and of log10 T3 (plots/heat.gp); seeds only, or
 *          one non-numeric key: DIR/plots/outcomes.{png,pdf}, runs by features
 *          learned per value of the key. */
#ifndef PHSIM_PLOT_H
#define PHSIM_PLOT_H

#include <stdio.h>

#include "phsim_config.h"

/* The figures of the run or sweep in dir; the path of each file written
 * goes on a line of written (unless NULL). */
int phsim_plot_dir(const char *dir, FILE *written, char err[PHSIM_ERR_MAX]);
/* The same with a verdict's rule (NULL: none; at most PHSIM_PLOT_RULE_MAX
 * bytes, else PHSIM_EINPUT) drawn under the caption of every sweep figure
 * (scaling and phase diagrams), so a figure says what it is judged by. */
#define PHSIM_PLOT_RULE_MAX 400
int phsim_plot_dir_rule(const char *dir, const char *rule, FILE *written,
                        char err[PHSIM_ERR_MAX]);

/* The plots/ directory (static storage). */
const char *phsim_plots_dir(void);

#endif
