/* cli.h: the phsim command line's commands and their option tables.
 *
 * Each command is one cli_command: its operands, a description and a table
 * of long options.  options.c turns the table into getopt_long's, parses
 * argv in command-line order, and writes the usage text (synopsis and
 * option list) from the same table, so the two cannot drift. */
#ifndef PHSIM_CLI_H
#define PHSIM_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "phsim.h" /* the only phsim header the command line uses */

enum {
  CLI_REQUIRED = 1, /* the command refuses to run without it */
  CLI_REPEAT = 2    /* may be given more than once (all values kept) */
};

typedef struct {
  const char *name; /* long name without "--"; NULL ends a table */
  char letter;      /* short name, or 0 */
  const char *arg;  /* the value's name, NULL when the option takes none */
  int flags;        /* CLI_REQUIRED, CLI_REPEAT */
  const char *help;
} cli_option;

/* The table of a command without options (but -h). */
extern const cli_option cli_no_options[];

/* One argument: an option (its index in the table) or an operand. */
#define CLI_OPERAND (-1)
typedef struct {
  int opt;
  const char *value; /* the option's value or the operand; NULL for a flag */
} cli_arg;

typedef struct {
  cli_arg *args; /* in command-line order */
  size_t n;
  int argc;                /* the whole command line, for the provenance */
  const char *const *argv; /* of what a command writes (phsim_provenance.h) */
} cli_args;

typedef struct cli_command {
  const char *name;
  const char *operands;   /* as the synopsis shows them: "[CONFIG]", "DIR..." */
  int min_operands, max_operands; /* max < 0: any number */
  const char *summary;    /* one line of 'phsim help' */
  const char *description;
  const cli_option *options;
  int stoppable;          /* stops cleanly on SIGINT / SIGTERM */
  int (*main)(const struct cli_command *c, const cli_args *a);
  void (*usage_tail)(FILE *out); /* NULL, or more after the options */
} cli_command;

/* The status cli_parse returns after -h: the usage went to stdout. */
#define CLI_DONE (-1)

/* Parse argv[1..argc-1] (argv[0] is the command's name) into a, checking
 * the options, their values' presence, the required options and the number
 * of operands; -h prints the usage on stdout (CLI_DONE).  PHSIM_EINPUT after
 * one line on stderr naming what is wrong and what is allowed. */
int cli_parse(const cli_command *c, int argc, char **argv, cli_args *a);
void cli_args_free(cli_args *a);

/* The usage text: synopsis, description, options. */
void cli_usage(const cli_command *c, FILE *out);

/* The words of text from column col, wrapped before column 79 onto lines
 * indented by indent, and a newline. */
void cli_put_words(FILE *out, const char *text, size_t col, size_t indent);

/* The value of the last option opt, or NULL; how many times it was given. */
const char *cli_last(const cli_args *a, int opt);
size_t cli_count(const cli_args *a, int opt);
/* The k-th operand (from 0), or NULL. */
const char *cli_operand(const cli_args *a, size_t k);

/* "phsim: " and the message on stderr; returns st. */
int cli_fail(int st, const char *err);

/* A number from an option's value in [lo, hi], or a message naming the
 * option (PHSIM_EINPUT). */
int cli_number(const char *opt, const char *v, double lo, double hi, double *out);

/* The configuration from the operands (files) and option set_opt (key=value)
 * in command-line order, then validated; messages on stderr. */
int cli_config(const cli_args *a, int set_opt, phsim_config *cfg);
/* The same, keeping the init files validation read in init (the caller
 * frees it), so that a run reads them once. */
int cli_config_initial(const cli_args *a, int set_opt, phsim_config *cfg,
                       phsim_initial *init);

/* The commands (cmd_*.c). */
extern const cli_command cli_run, cli_grad, cli_config_cmd, cli_sweep, cli_merge,
    cli_plot, cli_field, cli_pull, cli_fit, cli_stats, cli_table, cli_keys, cli_serve;

#endif
