/* phsim_table.h: `phsim table`, runs side by side from their summaries.
 *
 * Per run: the head mode, the seed, which feature each neuron ends on
 * (|cos| >= threshold, '-' for none) and the first step it got there, the
 * feature each neuron's initial overlaps favour (the race), features
 * learned, the final loss and the status; then per head mode the number of
 * runs that learned every feature, and which phsim (version, commit) made
 * the runs. */
#ifndef PHSIM_TABLE_H
#define PHSIM_TABLE_H

#include <stdio.h>

#include "phsim_config.h"

/* Read DIR/summary.json of each of the n directories (every one checked
 * before anything is printed) and print the table to out.  PHSIM_EINPUT
 * with a message naming the file. */
int phsim_table_print(FILE *out, size_t n, const char *const *dirs,
                      char err[PHSIM_ERR_MAX]);

#endif
