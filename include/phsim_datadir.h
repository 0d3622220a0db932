/* phsim_datadir.h: where phsim's own data files are (the gnuplot scripts,
 * the explorer's page): $ENV; else beside the program, as installed
 * (../share/phsim/NAME) or in a checkout (../plots or ../plots/NAME); else
 * the installed prefix's; else the same under the current directory. */
#ifndef PHSIM_DATADIR_H
#define PHSIM_DATADIR_H

#include <stddef.h>

typedef struct {
  const char *env;       /* the variable that overrides ("PHSIM_PLOTS") */
  const char *installed; /* beside the program: "../share/phsim/plots" */
  const char *checkout;  /* beside the program: "../plots" */
  const char *prefix;    /* the installed prefix's: "/usr/local/share/phsim/plots" */
  const char *probe;     /* a file the directory must hold: "style.gp" */
} phsim_datadir;

/* The first directory of where that holds where->probe (written into dir,
 * size bytes); the checkout's relative path when none does.  Returns dir. */
const char *phsim_datadir_find(const phsim_datadir *where, char *dir, size_t size);

#endif
