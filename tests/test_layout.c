/* test_layout.c: the rules of the code's layout (NOTES section 0), checked
 * on the sources so they cannot erode:
 *   - no source includes the header of a module of a later layer;
 *   - the command line (sim/cli) includes no phsim header but phsim.h
 *     (through cli.h) and the server's (sim/serve, linked into the program,
 *     not the library): it is a client of the public API;
 *   - no engine includes a sibling engine's header, and engine.c, which
 *     dispatches through the type table, has no switch;
 *   - no function in sim/ is longer than 80 lines (a function starts at a
 *     line "name(...) {" in column 0 and ends at the next "}" in column 0). */
#include "testutil.h"

#include <dirent.h>

#define FUNCTION_LINES_MAX 80

typedef void (*line_check)(const char *path, const char *line, size_t no, void *ctx);

/* Call check on every line of every .c file (and .h if headers) in dir. */
static int each_line(const char *dir, int headers, line_check check, void *ctx) {
  DIR *d = opendir(dir);
  if (d == NULL) return 0;
  int files = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    size_t n = strlen(e->d_name);
    if (n < 3 || !(strcmp(e->d_name + n - 2, ".c") == 0 ||
                   (headers && strcmp(e->d_name + n - 2, ".h") == 0)))
      continue;
    char path[512], line[4096];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    for (size_t no = 1; fgets(line, sizeof line, f) != NULL; no++) check(path, line, no, ctx);
    check(path, NULL, 0, ctx); /* end of file */
    fclose(f);
    files++;
  }
  closedir(d);
  return files;
}

static void only_public_header(const char *path, const char *line, size_t no, void *ctx) {
  (void)ctx;
  if (line == NULL || strncmp(line, "#include \"", 10) != 0) return;
  if (strncmp(line + 10, "cli.h\"", 6) != 0 && strncmp(line + 10, "phsim.h\"", 8) != 0 &&
      strncmp(line + 10, "phsim_serve.h\"", 14) != 0)
    fail_msg("%s:%zu includes %.*s: the command line uses phsim.h only", path, no,
             (int)strcspn(line, "\n"), line);
}

static void test_cli_uses_the_public_header(void **s) {
  (void)s;
  assert_true(each_line("sim/cli", 1, only_public_header, NULL) >= 5);
}

/* The layers in order (NOTES section 0): a source may include the headers
 * of modules in its own layer and earlier ones, not later ones.  A
 * header's layer is where its source lives (phsim_X.h -> sim/<layer>/X.c);
 * headers without a source of the same name are not checked. */
static const char *const layer_order[] = {"base", "model", "engines", "run", "study",
                                          "api", "serve", "cli"};
#define NLAYERS (sizeof layer_order / sizeof layer_order[0])

/* The layer of header "phsim_X.h" (from the include line), or -1. */
static int header_layer(const char *line) {
  char name[128], path[256];
  if (sscanf(line, "#include \"phsim_%120[a-z_0-9].h\"", name) != 1) return -1;
  for (size_t l = 0; l < NLAYERS; l++) {
    snprintf(path, sizeof path, "sim/%s/%s.c", layer_order[l], name);
    if (access(path, F_OK) == 0) return (int)l;
  }
  return -1;
}

static void no_later_layer(const char *path, const char *line, size_t no, void *ctx) {
  const int own = *(const int *)ctx;
  if (line == NULL || strncmp(line, "#include \"phsim_", 16) != 0) return;
  const int l = header_layer(line);
  if (l > own)
    fail_msg("%s:%zu includes %.*s of the later layer sim/%s", path, no,
             (int)strcspn(line, "\n"), line, layer_order[l]);
}

static void test_layers_include_only_earlier_ones(void **s) {
  (void)s;
  int checked = 0;
  for (size_t l = 0; l < NLAYERS; l++) {
    char dir[64];
    snprintf(dir, sizeof dir, "sim/%s", layer_order[l]);
    int own = (int)l;
    checked += each_line(dir, 1, no_later_layer, &own);
  }
  assert_true(checked > 40);
}

/* The engines' own headers; each engine file may include only its own. */
static const char *const engine_headers[][2] = {{"population.c", "phsim_pop.h"},
                                                {"reduced.c", "phsim_reduced.h"},
                                                {"sampled.c", "phsim_sampled.h"},
                                                {"flow.c", "phsim_flow.h"}};

static void no_sibling_engine(const char *path, const char *line, size_t no, void *ctx) {
  (void)ctx;
  if (line == NULL) return;
  const char *base = strrchr(path, '/') + 1;
  if (strcmp(base, "engine.c") == 0 && strstr(line, "switch") != NULL)
    fail_msg("%s:%zu: engine.c dispatches through the type table, not a switch", path, no);
  if (strncmp(line, "#include \"", 10) != 0) return;
  for (size_t i = 0; i < 4; i++)
    if (strncmp(line + 10, engine_headers[i][1], strlen(engine_headers[i][1])) == 0 &&
        strcmp(base, engine_headers[i][0]) != 0)
      fail_msg("%s:%zu includes the engine header %s", path, no, engine_headers[i][1]);
}

static void test_engines_are_siblings(void **s) {
  (void)s;
  assert_true(each_line("sim/engines", 0, no_sibling_engine, NULL) >= 5);
}

typedef struct {
  size_t pending; /* line of a column-0 head "type name(" not yet opened */
  size_t start;   /* line of the open function's head, 0 outside */
  char name[128];
} function_span;

static int is_head(const char *line) {
  return (line[0] == '_' || (line[0] >= 'a' && line[0] <= 'z')) && strchr(line, '(') != NULL &&
         strchr(line, ';') == NULL && strchr(line, '=') == NULL;
}

static void short_functions(const char *path, const char *line, size_t no, void *ctx) {
  function_span *f = ctx;
  if (line == NULL) {
    f->pending = f->start = 0;
    return;
  }
  size_t n = strlen(line);
  if (f->start == 0 && is_head(line)) {
    f->pending = no;
    snprintf(f->name, sizeof f->name, "%.*s", (int)strcspn(line, "("), line);
  }
  if (f->start == 0 && f->pending != 0 && n >= 2 && strcmp(line + n - 2, "{\n") == 0) {
    f->start = f->pending;
    f->pending = 0;
  } else if (f->start == 0 && f->pending != 0 && strchr(line, ';') != NULL) {
    f->pending = 0; /* a prototype */
  } else if (f->start != 0 && line[0] == '}') {
    if (no - f->start + 1 > FUNCTION_LINES_MAX)
      fail_msg("%s:%zu: %s is %zu lines (at most %d)", path, f->start, f->name,
               no - f->start + 1, FUNCTION_LINES_MAX);
    f->start = 0;
  }
}

static void test_functions_are_short(void **s) {
  (void)s;
  static const char *const layers[] = {"sim/base", "sim/model", "sim/engines", "sim/run",
                                       "sim/study", "sim/api", "sim/serve", "sim/cli"};
  for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
    function_span f = {0, 0, ""};
    assert_true(each_line(layers[i], 0, short_functions, &f) > 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_layers_include_only_earlier_ones),
                                     cmocka_unit_test(test_cli_uses_the_public_header),
                                     cmocka_unit_test(test_engines_are_siblings),
                                     cmocka_unit_test(test_functions_are_short)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
