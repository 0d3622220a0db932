#!/bin/sh
# test_install.sh: `make install` into a temporary prefix (DESTDIR), the
# files there, the example built against it by pkg-config, `phsim run` and
# `phsim plot` of the installed program from another directory, the Python
# package imported there, and `make uninstall` leaving no file.  Run from
# the checkout by test_install.
set -eu
MAKE=${MAKE:-make}
# Under `make test -jN` the jobserver's descriptors do not reach us: the
# inner make runs serially (variable overrides such as BUILD= are kept).
MAKEFLAGS=$(printf '%s' "${MAKEFLAGS:-}" | sed -e 's/--jobserver-[a-z]*=[^ ]*//g' \
  -e 's/\(^\| \)-j[0-9]*//g')
export MAKEFLAGS
T=$(mktemp -d "${TMPDIR:-/tmp}/phsim-install-XXXXXX")
trap 'rm -rf "$T"' EXIT
STAGE=$T/stage
PREFIX=/usr/local
ROOT=$STAGE$PREFIX
fail() { echo "test_install: $*" >&2; exit 1; }

$MAKE -s install DESTDIR="$STAGE" PREFIX="$PREFIX" >/dev/null || fail "make install failed"

for f in bin/phsim lib/pkgconfig/phsim.pc include/phsim/phsim_config.h \
         share/phsim/plots/style.gp share/phsim/plots/run.gp share/man/man1/phsim.1 \
         share/phsim/explorer/index.html share/phsim/explorer/vendor/uPlot.iife.min.js; do
  test -s "$ROOT/$f" || fail "$ROOT/$f is missing"
done
for f in lib/libphsim.a lib/libphsim.so lib/libphsim.so.0; do
  test -s "$ROOT/$f" || fail "$ROOT/$f is missing"
done
grep -q '^\.SS sweep' "$ROOT/share/man/man1/phsim.1" || fail "the man page has no 'sweep' command"
grep -q '^Requires.private: gsl jansson inih' "$ROOT/lib/pkgconfig/phsim.pc" || fail "phsim.pc: Requires.private"
"$ROOT/bin/phsim" --version | grep -q '^phsim ' || fail "phsim --version"

# The example, built against the installed library (the staged prefix seen
# through PKG_CONFIG_SYSROOT_DIR).
flags=$(PKG_CONFIG_PATH="$ROOT/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$STAGE" \
          pkg-config --cflags --libs phsim) || fail "pkg-config phsim"
# shellcheck disable=SC2086
# (A library built by `make sanitize` needs its program built the same way.)
san=
nm -D "$ROOT/lib/libphsim.so" 2>/dev/null | grep -q __asan_init && san="-fsanitize=address,undefined"
${CC:-cc} -std=c11 $san experiments/example.c -o "$T/example" $flags || fail "the example does not build"
LD_LIBRARY_PATH="$ROOT/lib" "$T/example" >/dev/null || fail "the example failed"

# The installed program from another directory finds its scripts (not
# through $PHSIM_PLOTS, which would take precedence).
unset PHSIM_PLOTS
mkdir "$T/x"
(cd "$T/x" && "$ROOT/bin/phsim" run --set d=20 --set steps=2000 --set log_every=10 --out r \
   >/dev/null 2>&1 && "$ROOT/bin/phsim" plot r >/dev/null) || fail "run and plot from $T/x"
test -s "$T/x/r/run.png" || fail "no run.png"

# The Python package, imported from another directory with PHSIM_LIB unset:
# it finds the installed library two levels above itself.
test -s "$ROOT/lib/python3/dist-packages/phsim/__init__.py" || fail "the Python package is missing"
if [ -n "$san" ]; then
  echo "test_install: an ASan-built library does not load into python3: the package's import is not tried"
else
  PYTHON=${PHSIM_PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
  (cd "$T/x" && env -u PHSIM_LIB PYTHONPATH="$ROOT/lib/python3/dist-packages" "$PYTHON" -c \
     'import phsim, sys; assert phsim._lib.path == sys.argv[1], phsim._lib.path; phsim.grad(d=5)' \
     "$ROOT/lib/libphsim.so") || fail "import phsim from the installed package"
fi

# The installed `phsim serve` finds the installed page (it says where).
unset PHSIM_EXPLORER
(cd "$T/x" && exec "$ROOT/bin/phsim" serve --port 0 >/dev/null 2>"$T/serve.err") &
pid=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do grep -q 'the page from' "$T/serve.err" && break; sleep 0.2; done
kill "$pid"; wait "$pid" || true
grep -q "the page from $ROOT/bin/../share/phsim/explorer" "$T/serve.err" ||
  fail "phsim serve: $(cat "$T/serve.err")"

$MAKE -s uninstall DESTDIR="$STAGE" PREFIX="$PREFIX" >/dev/null || fail "make uninstall failed"
left=$(find "$STAGE" ! -type d)
[ -z "$left" ] || fail "uninstall left: $left"
echo "test_install: install, example, plot from another directory, Python, uninstall: ok"
