/* main.c: the phsim command: its own options (--version, --help), then one
 * command of the table below (cli.h) with its arguments. */
#include "cli.h"

#include <string.h>

extern const cli_command cli_help;
static const cli_command *const commands[] = {
    &cli_run,   &cli_grad,  &cli_config_cmd, &cli_sweep, &cli_merge, &cli_plot, &cli_field,
    &cli_pull,  &cli_fit,   &cli_stats,      &cli_table, &cli_keys,  &cli_serve, &cli_help};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const cli_command *find_command(const char *name) {
  for (size_t i = 0; i < NCOMMANDS; i++)
    if (strcmp(commands[i]->name, name) == 0) return commands[i];
  return NULL;
}

static int unknown_command(const char *name) {
  fprintf(stderr, "phsim: unknown command '%s'; allowed:", name);
  for (size_t i = 0; i < NCOMMANDS; i++)
    fprintf(stderr, "%s %s", i ? "," : "", commands[i]->name);
  fputc('\n', stderr);
  return PHSIM_EINPUT;
}

/* The commands and the exit statuses, after phsim's own options. */
static void list_commands(FILE *out) {
  fputs("\ncommands:\n", out);
  for (size_t i = 0; i < NCOMMANDS; i++) {
    fprintf(out, "  %-7s ", commands[i]->name);
    cli_put_words(out, commands[i]->summary, 10, 10);
  }
  fputs("\n'phsim help COMMAND' or 'phsim COMMAND -h' shows a command's options.\n"
        "Exit status: 0 ok, 2 bad input, 3 output error, 4 numerical fault,\n"
        "6 interrupted (SIGINT/SIGTERM; complete outputs kept).\n",
        out);
}

enum { TOP_VERSION };
static const cli_option top_options[] = {
    [TOP_VERSION] = {"version", 'V', NULL, 0,
                     "print the version and the commit phsim was built from, and exit"},
    {NULL, 0, NULL, 0, NULL}};

static const cli_command top = {
    "", "COMMAND [ARGS]", 0, -1, "",
    "phsim: the prediction-head mechanism of Wen & Li (NeurIPS 2022), simulated\n"
    "exactly.  CONFIG, where a command takes one, is a file of 'key = value'\n"
    "lines ('#' starts a comment); files and --set apply in command-line\n"
    "order, the later wins.\n",
    top_options, 0, NULL, list_commands};

static int help_main(const cli_command *c, const cli_args *a) {
  (void)c;
  const char *name = cli_operand(a, 0);
  const cli_command *cmd = name != NULL ? find_command(name) : &top;
  if (cmd == NULL) return unknown_command(name);
  cli_usage(cmd, stdout);
  return PHSIM_OK;
}

const cli_command cli_help = {
    "help", "[COMMAND]", 0, 1, "this text, or a command's usage (as 'phsim COMMAND -h')",
    "Print phsim's usage, or that of COMMAND.\n", cli_no_options, 0, help_main, NULL};

static int keys_main(const cli_command *c, const cli_args *a) {
  (void)c;
  (void)a;
  phsim_config_print_keys(stdout);
  return PHSIM_OK;
}

const cli_command cli_keys = {
    "keys", "", 0, 0, "list the configuration keys, what they allow, their defaults",
    "List the configuration keys, what each allows and its default.\n", cli_no_options, 0,
    keys_main, NULL};

/* argv[0] is the command's name; the whole command line is line[0..words). */
static int run_command(const cli_command *c, int argc, char **argv, int words,
                       char **line) {
  /* The commands that can take long stop cleanly on SIGINT / SIGTERM (the
   * handlers go in first, before any parsing); the others end at once. */
  if (c->stoppable) phsim_interrupt_install();
  cli_args a;
  int st = cli_parse(c, argc, argv, &a);
  if (st == CLI_DONE) return PHSIM_OK;
  if (st != PHSIM_OK) return st;
  a.argc = words;
  a.argv = (const char *const *)line;
  st = c->main(c, &a);
  cli_args_free(&a);
  return st;
}

static int dispatch(int argc, char **argv) {
  int k = 1; /* phsim's own options end at the command */
  while (k < argc && argv[k][0] == '-' && argv[k][1] != '\0') k++;
  cli_args a;
  int st = cli_parse(&top, k, argv, &a);
  if (st != PHSIM_OK) return st == CLI_DONE ? PHSIM_OK : st;
  int version = cli_count(&a, TOP_VERSION) > 0;
  cli_args_free(&a);
  if (version) {
    printf("phsim %s (commit %s)\n", phsim_version(), phsim_commit());
    return PHSIM_OK;
  }
  if (k == argc) {
    cli_usage(&top, stderr);
    return PHSIM_EINPUT;
  }
  const cli_command *c = find_command(argv[k]);
  return c != NULL ? run_command(c, argc - k, argv + k, argc, argv) : unknown_command(argv[k]);
}

int main(int argc, char **argv) {
  phsim_stdout_begin();
  int st = dispatch(argc, argv);
  char err[PHSIM_ERR_MAX];
  if (phsim_stdout_end(st, err) != PHSIM_OK) {
    fprintf(stderr, "phsim: %s\n", err);
    if (st == PHSIM_OK) st = PHSIM_EIO;
  }
  return st;
}
