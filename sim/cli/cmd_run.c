/* cmd_run.c: the commands that resolve one configuration: run, grad,
 * config. */
#include "cli.h"

#include <unistd.h>

#define SET_HELP \
  "set one configuration key (see 'phsim keys'); files and --set apply in " \
  "command-line order, the later wins"

enum { RUN_SET, RUN_OUT, RUN_NO_TIMING, RUN_FORCE };
static const cli_option run_options[] = {
    [RUN_SET] = {"set", 0, "key=value", CLI_REPEAT, SET_HELP},
    [RUN_OUT] = {"out", 0, "DIR", CLI_REQUIRED, "the output directory (created if missing)"},
    [RUN_NO_TIMING] = {"no-timing", 0, NULL, 0,
                       "write wall_seconds and steps_per_second as null, so that the "
                       "same configuration gives a byte-identical summary"},
    [RUN_FORCE] = {"force", 0, NULL, 0,
                   "replace the outputs of a sweep or of a run of another configuration "
                   "in DIR (else refused)"},
    {NULL, 0, NULL, 0, NULL}};

static int run_main(const cli_command *c, const cli_args *a) {
  (void)c;
  phsim_config cfg;
  phsim_initial init;
  int st = cli_config_initial(a, RUN_SET, &cfg, &init);
  if (st != PHSIM_OK) return st;
  const char *out = cli_last(a, RUN_OUT);
  phsim_run_opts opts = phsim_run_opts_default();
  opts.timing = cli_count(a, RUN_NO_TIMING) == 0;
  opts.argc = a->argc;
  opts.argv = a->argv;
  opts.initial = &init;
  char err[PHSIM_ERR_MAX];
  phsim_outdir od;
  st = phsim_outdir_claim_run(&od, out, &cfg, cli_count(a, RUN_FORCE) > 0, err);
  if (st == PHSIM_OK) {
    st = phsim_run_execute(&cfg, out, opts, err);
    phsim_outdir_release(&od);
  }
  phsim_initial_free(&init);
  return st == PHSIM_OK ? st : cli_fail(st, err);
}

const cli_command cli_run = {
    "run", "[CONFIG]", 0, 1,
    "train W and the head E; writes DIR/config, DIR/trajectory.csv, DIR/summary.json",
    "Train W and the head E by exact gradient descent on the closed-form\n"
    "population loss.  Writes into DIR:\n"
    "  config          the resolved configuration (phsim run DIR/config\n"
    "                  reproduces the run)\n"
    "  trajectory.csv  step, loss, rho_j, a_j_l, cos_j_l, noise_j, force_j_l,\n"
    "                  E_i_j every log_every steps (indices from 1)\n"
    "  summary.json    learn_step, features_learned, collapsed, E_peak, ...\n"
    "On a numerical fault the run stops, keeps its trajectory, marks the\n"
    "summary 'diverged' and exits with status 4; on SIGINT/SIGTERM it stops\n"
    "at the next logged step, marks it 'interrupted' and exits with 6.\n"
    "Progress goes to stderr: a bar on a terminal, else a line now and then.\n"
    "DIR is locked while the run writes.  CONFIG is a file of 'key = value'\n"
    "lines ('#' starts a comment).\n",
    run_options, 1, run_main, NULL};

enum { GRAD_SET };
static const cli_option config_options[] = {
    [GRAD_SET] = {"set", 0, "key=value", CLI_REPEAT, SET_HELP}, {NULL, 0, NULL, 0, NULL}};

static int grad_main(const cli_command *c, const cli_args *a) {
  (void)c;
  phsim_config cfg;
  int st = cli_config(a, GRAD_SET, &cfg);
  if (st != PHSIM_OK) return st;
  char err[PHSIM_ERR_MAX];
  st = phsim_grad_write(&cfg, stdout, err);
  if (st != PHSIM_OK) cli_fail(st, err);
  if (st == PHSIM_EINTR) {
    /* the computing thread cannot be joined: end the process at once */
    phsim_stdout_end(st, err);
    fflush(stderr);
    _exit(st);
  }
  return st;
}

const cli_command cli_grad = {
    "grad", "[CONFIG]", 0, 1, "print the loss, rho and the gradients at the initial state (JSON)",
    "Print {\"loss\", \"rho\", \"grad_W\", \"grad_E\"} at the initial state\n"
    "(seeded, or init_W / init_E) as JSON with 17 significant digits.\n"
    "grad_E holds dL/dE_ij for every entry, trainable or not.\n",
    config_options, 1, grad_main, NULL};

static int config_main(const cli_command *c, const cli_args *a) {
  (void)c;
  phsim_config cfg;
  int st = cli_config(a, GRAD_SET, &cfg);
  return st == PHSIM_OK ? phsim_config_write(&cfg, stdout) : st;
}

const cli_command cli_config_cmd = {
    "config", "[CONFIG]", 0, 1, "print the resolved configuration",
    "Print the resolved configuration in the config file format.\n", config_options, 0,
    config_main, NULL};
