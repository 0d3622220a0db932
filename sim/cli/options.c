/* options.c: a command's option table made into getopt_long's, argv parsed
 * in command-line order, and the usage text written from the same table. */
#define _GNU_SOURCE
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* Usage lines are wrapped before this column; option help starts at
 * HELP_COL. */
#define WIDTH 79
#define HELP_COL 24
/* getopt_long's value of option i of a table without a short name. */
#define LONG_ONLY 256

const cli_option cli_no_options[] = {{NULL, 0, NULL, 0, NULL}};

static size_t count_options(const cli_option *o) {
  size_t n = 0;
  while (o[n].name != NULL) n++;
  return n;
}

static int option_value(const cli_option *o, size_t i) {
  return o[i].letter ? o[i].letter : LONG_ONLY + (int)i;
}

/* The index of the option getopt_long returned as ch, or -1. */
static int option_index(const cli_option *o, int ch) {
  for (size_t i = 0; o[i].name != NULL; i++)
    if (option_value(o, i) == ch) return (int)i;
  return -1;
}

/* ---- the usage text ---------------------------------------------------- */

/* Write len bytes of s at column *col, first on a new line indented by
 * indent when they would cross WIDTH. */
static void put_item(FILE *out, const char *s, size_t len, size_t *col, size_t indent) {
  if (*col > indent && *col + 1 + len > WIDTH) {
    fprintf(out, "\n%*s", (int)indent, "");
    *col = indent;
  } else if (*col != indent) {
    fputc(' ', out);
    (*col)++;
  }
  fwrite(s, 1, len, out);
  *col += len;
}

void cli_put_words(FILE *out, const char *text, size_t col, size_t indent) {
  for (const char *p = text; *p != '\0';) {
    while (*p == ' ') p++;
    size_t len = strcspn(p, " ");
    if (len > 0) put_item(out, p, len, &col, indent);
    p += len;
  }
  fputc('\n', out);
}

/* "[--set key=value]...", "--out DIR": option o as the synopsis shows it. */
static void synopsis_item(const cli_option *o, char *buf, size_t n) {
  int req = (o->flags & CLI_REQUIRED) != 0;
  snprintf(buf, n, "%s--%s%s%s%s%s", req ? "" : "[", o->name, o->arg ? " " : "",
           o->arg ? o->arg : "", req ? "" : "]", o->flags & CLI_REPEAT ? "..." : "");
}

/* "usage: phsim NAME OPERANDS OPTIONS"; phsim's own (NAME "") on a second
 * line: "phsim COMMAND [ARGS]", then "phsim [--version]". */
static void put_synopsis(const cli_command *c, FILE *out) {
  char head[64], item[128];
  int k = snprintf(head, sizeof head, "usage: phsim%s%s", c->name[0] ? " " : "", c->name);
  size_t col = (size_t)k, indent = col + 1;
  fputs(head, out);
  if (c->operands[0] != '\0') put_item(out, c->operands, strlen(c->operands), &col, indent);
  if (c->name[0] == '\0') {
    fputs("\n       phsim", out);
    col = indent - 1;
  }
  for (const cli_option *o = c->options; o->name != NULL; o++) {
    synopsis_item(o, item, sizeof item);
    put_item(out, item, strlen(item), &col, indent);
  }
  fputc('\n', out);
}

static void put_option(FILE *out, const char *label, const char *help) {
  int k = fprintf(out, "  %s", label);
  if (k + 2 > HELP_COL) {
    fputc('\n', out);
    k = 0;
  }
  fprintf(out, "%*s", HELP_COL - k, "");
  cli_put_words(out, help, HELP_COL, HELP_COL);
}

void cli_usage(const cli_command *c, FILE *out) {
  put_synopsis(c, out);
  if (c->description != NULL) fputs(c->description, out);
  fputs("\noptions:\n", out);
  char label[128];
  for (const cli_option *o = c->options; o->name != NULL; o++) {
    snprintf(label, sizeof label, "%s%c%s--%s%s%s", o->letter ? "-" : "", o->letter,
             o->letter ? ", " : "", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    put_option(out, o->letter ? label : label + 1, o->help);
  }
  put_option(out, "-h, --help", "print this text and exit");
  if (c->usage_tail != NULL) c->usage_tail(out);
}

/* ---- parsing ------------------------------------------------------------ */

/* "--set, --out, -h": the options of c, for messages. */
static void allowed_options(const cli_command *c, char *buf, size_t n) {
  size_t k = 0;
  buf[0] = '\0';
  for (const cli_option *o = c->options; o->name != NULL && k < n; o++) {
    if (o->letter) k += (size_t)snprintf(buf + k, n - k, "-%c, ", o->letter);
    if (k < n) k += (size_t)snprintf(buf + k, n - k, "--%s, ", o->name);
  }
  if (k < n) snprintf(buf + k, n - k, "--help, -h");
}

/* The message for getopt_long's '?': an unknown option, or a flag given a
 * value. */
static int bad_option(const cli_command *c, char **argv) {
  char allowed[400], err[PHSIM_ERR_MAX];
  int i = option_index(c->options, optopt);
  allowed_options(c, allowed, sizeof allowed);
  if (i >= 0 || optopt == 'h')
    snprintf(err, sizeof err, "option '--%s' takes no value", i >= 0 ? c->options[i].name : "help");
  else if (optopt != 0)
    snprintf(err, sizeof err, "unknown option '-%c'; allowed: %s", optopt, allowed);
  else
    snprintf(err, sizeof err, "unknown option '%.*s'; allowed: %s",
             (int)strcspn(argv[optind - 1], "="), argv[optind - 1], allowed);
  return cli_fail(PHSIM_EINPUT, err);
}

/* The operands' name without brackets and dots: "CONFIG" of "[CONFIG]". */
static void operand_noun(const cli_command *c, char *buf, size_t n) {
  size_t k = 0;
  for (const char *p = c->operands; *p != '\0' && k + 1 < n; p++)
    if (*p != '[' && *p != ']' && *p != '.') buf[k++] = *p;
  buf[k] = '\0';
}

static int add_operand(const cli_command *c, cli_args *a, const char *v) {
  size_t have = 0;
  for (size_t i = 0; i < a->n; i++) have += a->args[i].opt == CLI_OPERAND;
  if (c->max_operands >= 0 && have >= (size_t)c->max_operands) {
    char err[PHSIM_ERR_MAX], noun[64];
    operand_noun(c, noun, sizeof noun);
    if (c->max_operands == 0)
      snprintf(err, sizeof err, "unexpected argument '%.300s'; allowed: no arguments", v);
    else if (c->max_operands == 1)
      snprintf(err, sizeof err, "unexpected argument '%.300s'; allowed: at most one %s", v, noun);
    else
      snprintf(err, sizeof err, "unexpected argument '%.300s'; allowed: at most %d %s", v,
               c->max_operands, noun);
    return cli_fail(PHSIM_EINPUT, err);
  }
  a->args[a->n++] = (cli_arg){CLI_OPERAND, v};
  return PHSIM_OK;
}

/* One result of getopt_long. */
static int take(const cli_command *c, int ch, char **argv, cli_args *a) {
  char err[PHSIM_ERR_MAX];
  int i = option_index(c->options, ch);
  if (ch == 1) return add_operand(c, a, optarg);
  if (ch == 'h') {
    cli_usage(c, stdout);
    return CLI_DONE;
  }
  if (ch == ':') {
    i = option_index(c->options, optopt);
    snprintf(err, sizeof err, "option '--%s' needs a value", i >= 0 ? c->options[i].name : "?");
    return cli_fail(PHSIM_EINPUT, err);
  }
  if (ch == '?' || i < 0) return bad_option(c, argv);
  a->args[a->n++] = (cli_arg){i, c->options[i].arg ? optarg : NULL};
  return PHSIM_OK;
}

/* Every required option and enough operands given. */
static int check_complete(const cli_command *c, const cli_args *a) {
  char err[PHSIM_ERR_MAX];
  for (size_t i = 0; c->options[i].name != NULL; i++)
    if ((c->options[i].flags & CLI_REQUIRED) && cli_count(a, (int)i) == 0) {
      snprintf(err, sizeof err, "missing '--%s %s'", c->options[i].name, c->options[i].arg);
      return cli_fail(PHSIM_EINPUT, err);
    }
  size_t have = 0;
  for (size_t i = 0; i < a->n; i++) have += a->args[i].opt == CLI_OPERAND;
  if (have < (size_t)c->min_operands) {
    char noun[64];
    operand_noun(c, noun, sizeof noun);
    snprintf(err, sizeof err, "missing '%s'; usage: phsim %s %s (see 'phsim help %s')", noun,
             c->name, c->operands, c->name);
    return cli_fail(PHSIM_EINPUT, err);
  }
  return PHSIM_OK;
}

/* getopt_long's table and short options ("-:" first: operands returned in
 * order, a missing value as ':'). */
static struct option *long_options(const cli_option *o, char *shorts) {
  size_t n = count_options(o), k = 0;
  struct option *lo = calloc(n + 2, sizeof *lo);
  if (lo == NULL) return NULL;
  k += (size_t)sprintf(shorts, "-:h");
  for (size_t i = 0; i < n; i++) {
    lo[i] = (struct option){o[i].name, o[i].arg ? required_argument : no_argument, NULL,
                            option_value(o, i)};
    if (o[i].letter) k += (size_t)sprintf(shorts + k, "%c%s", o[i].letter, o[i].arg ? ":" : "");
  }
  lo[n] = (struct option){"help", no_argument, NULL, 'h'};
  return lo;
}

int cli_parse(const cli_command *c, int argc, char **argv, cli_args *a) {
  char shorts[3 * 64 + 4];
  struct option *lo = count_options(c->options) < 64 ? long_options(c->options, shorts) : NULL;
  a->n = 0;
  a->args = calloc((size_t)argc + 1, sizeof *a->args);
  if (lo == NULL || a->args == NULL) {
    free(lo);
    cli_args_free(a);
    return cli_fail(PHSIM_ENOMEM, "out of memory parsing the command line");
  }
  int st = PHSIM_OK, ch;
  optind = 0; /* glibc: start afresh */
  opterr = 0;
  while (st == PHSIM_OK && (ch = getopt_long(argc, argv, shorts, lo, NULL)) != -1)
    st = take(c, ch, argv, a);
  for (; st == PHSIM_OK && optind < argc; optind++) st = add_operand(c, a, argv[optind]);
  free(lo);
  if (st == PHSIM_OK) st = check_complete(c, a);
  if (st != PHSIM_OK) cli_args_free(a);
  return st;
}

void cli_args_free(cli_args *a) {
  free(a->args);
  a->args = NULL;
  a->n = 0;
}

const char *cli_last(const cli_args *a, int opt) {
  const char *v = NULL;
  for (size_t i = 0; i < a->n; i++)
    if (a->args[i].opt == opt) v = a->args[i].value;
  return v;
}

size_t cli_count(const cli_args *a, int opt) {
  size_t n = 0;
  for (size_t i = 0; i < a->n; i++) n += a->args[i].opt == opt;
  return n;
}

const char *cli_operand(const cli_args *a, size_t k) {
  for (size_t i = 0; i < a->n; i++)
    if (a->args[i].opt == CLI_OPERAND && k-- == 0) return a->args[i].value;
  return NULL;
}

int cli_fail(int st, const char *err) {
  fprintf(stderr, "phsim: %s\n", err);
  return st;
}

int cli_number(const char *opt, const char *v, double lo, double hi, double *out) {
  char *end = NULL;
  double x = strtod(v, &end);
  if (end == v || *end != '\0' || !(x >= lo && x <= hi)) {
    fprintf(stderr, "phsim: option '%s': value '%s'; allowed: a number from %g to %g\n", opt, v,
            lo, hi);
    return PHSIM_EINPUT;
  }
  *out = x;
  return PHSIM_OK;
}

int cli_config(const cli_args *a, int set_opt, phsim_config *cfg) {
  return cli_config_initial(a, set_opt, cfg, NULL);
}

int cli_config_initial(const cli_args *a, int set_opt, phsim_config *cfg,
                       phsim_initial *init) {
  char err[PHSIM_ERR_MAX];
  int st = PHSIM_OK;
  phsim_config_default(cfg);
  for (size_t i = 0; i < a->n && st == PHSIM_OK; i++) {
    if (a->args[i].opt == CLI_OPERAND) st = phsim_config_read_file(cfg, a->args[i].value, err);
    else if (a->args[i].opt == set_opt) st = phsim_config_set_arg(cfg, a->args[i].value, err);
  }
  if (st == PHSIM_OK)
    st = init != NULL ? phsim_config_validate_initial(cfg, init, err)
                      : phsim_config_validate(cfg, err);
  return st == PHSIM_OK ? st : cli_fail(st, err);
}
