"""tests/test_python.py: the Python binding (sim/python/phsim) against the
CLI: run, grad and sweep give the CLI's outputs bit for bit on every engine;
sweep's types; every error class with the CLI's message; Ctrl-C; threads.

    PYTHONPATH=sim/python python3 tests/test_python.py   (from the checkout)

$PHSIM names the phsim program (default bin/phsim); tests/test_python.c
runs this file under `make test`.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "sim", "python"))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import phsim  # noqa: E402
from phsim import _sweep, _trajectory  # noqa: E402

PHSIM = os.environ.get("PHSIM", os.path.join(ROOT, "bin", "phsim"))

#: A small configuration of each engine (about a second or less).
ENGINES = {
    "population": dict(engine="population", d=20, steps=2000, log_every=100),
    "order": dict(engine="order", d=20, steps=3000, log_every=50, alpha=[2, 1.5]),
    "sampled": dict(engine="sampled", d=20, N=64, steps=300, log_every=10),
    "flow": dict(engine="flow", d=20, steps=2000, log_every=100, m=3),
}
#: What differs between two runs of one configuration: timing and who ran it.
TIMING = ("wall_seconds", "steps_per_second", "provenance")


def cli(*args):
    """Run phsim with args; (exit status, stdout, stderr)."""
    p = subprocess.run([PHSIM, *args], capture_output=True, text=True, check=False)
    return p.returncode, p.stdout, p.stderr


def sets(keys):
    """--set arguments for keys, formatted as the binding formats them."""
    out = []
    for key, value in keys.items():
        out += ["--set", f"{key}={phsim._setup.format_value(key, value)}"]
    return out


def cli_run(keys, directory):
    """`phsim run --no-timing` of keys into directory; (status, stderr)."""
    status, _, err = cli("run", *sets(keys), "--no-timing", "--out", directory)
    return status, err


def untimed(summary):
    """summary without what a repeat may change (timing, provenance)."""
    return {k: v for k, v in summary.items() if k not in TIMING}


def read_trajectory(directory):
    """trajectory.csv of a run, every real read exactly (as a real, also
    when a column holds only integers, as E_1_1 = 1 with a fixed head)."""
    table = pd.read_csv(os.path.join(directory, "trajectory.csv"), float_precision="round_trip")
    return table.astype({name: float for name in table.columns[1:]})


def read_summary(directory):
    """summary.json of a run."""
    with open(os.path.join(directory, "summary.json")) as f:
        return json.load(f)


class Scratch(unittest.TestCase):
    """A temporary directory per test."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="phsim-python-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, name):
        """A path in the test's directory."""
        return os.path.join(self.tmp, name)


class RunEqualsCli(Scratch):
    """phsim.run gives `phsim run`'s summary and trajectory bit for bit."""

    def check_engine(self, name):
        keys = ENGINES[name]
        status, err = cli_run(keys, self.path("cli"))
        self.assertEqual(status, 0, err)
        result = phsim.run(**keys)
        self.assertEqual(untimed(result.summary), untimed(read_summary(self.path("cli"))))
        self.assertEqual(result.config, read_summary(self.path("cli"))["config"])
        expected = read_trajectory(self.path("cli"))
        self.assertEqual(list(result.trajectory.columns), list(expected.columns))
        pd.testing.assert_frame_equal(result.trajectory, expected, check_exact=True)

    def test_population(self):
        self.check_engine("population")

    def test_order(self):
        self.check_engine("order")

    def test_sampled(self):
        self.check_engine("sampled")

    def test_flow(self):
        self.check_engine("flow")

    def test_out_writes_the_files(self):
        result = phsim.run(out=self.path("api"), **ENGINES["order"])
        self.assertEqual(result.summary, read_summary(self.path("api")))
        pd.testing.assert_frame_equal(result.trajectory, read_trajectory(self.path("api")),
                                      check_exact=True)

    def test_provenance_is_this_library(self):
        provenance = phsim.run(**ENGINES["order"]).summary["provenance"]
        self.assertEqual(provenance["version"], phsim.__version__)
        self.assertEqual(provenance["commit"], phsim.commit)


class Api(Scratch):
    """grad, config, keys, presets, values, rows, the table without pandas."""

    def test_grad_equals_cli(self):
        keys = dict(d=7, m=3, alpha=[2, 1, 0.5], seed=9)
        status, out, err = cli("grad", *sets(keys))
        self.assertEqual(status, 0, err)
        self.assertEqual(phsim.grad(**keys), json.loads(out))

    def test_config_is_the_runs(self):
        keys = ENGINES["flow"]
        self.assertEqual(phsim.config(**keys), phsim.run(**keys).config)

    def test_config_file_then_keys(self):
        path = self.path("config")
        with open(path, "w") as f:
            f.write("d = 30\nseed = 4\n")
        cfg = phsim.config(path, seed=5)
        self.assertEqual((cfg["d"], cfg["seed"]), (30, 5))
        self.assertEqual(phsim.config({"d": 30}, d=31)["d"], 31)

    def test_values_round_trip(self):
        cfg = phsim.config(eta=0.1 + 0.2, alpha=np.array([2.0, 1 / 3]), accel=True,
                           steps=2e6, seed=np.int64(7))
        self.assertEqual(cfg["eta"], 0.1 + 0.2)
        self.assertEqual(cfg["alpha"], [2.0, 1 / 3])
        self.assertEqual((cfg["accel"], cfg["steps"], cfg["seed"]), ("true", 2000000, 7))
        with self.assertRaises(TypeError):
            phsim.config(d={"x": 1})

    def test_keys_presets_version(self):
        keys = phsim.keys()
        self.assertEqual(keys[0]["key"], "preset")
        self.assertIn("eta_E", [k["key"] for k in keys])
        self.assertEqual(set(phsim.presets()), {"teach", "paper"})
        self.assertTrue(phsim.presets()["teach"].startswith("d 100"))
        status, out, _ = cli("--version")
        self.assertEqual(status, 0)
        self.assertEqual(out.split()[1], phsim.__version__)

    def test_rows_and_progress(self):
        seen, steps = [], []
        result = phsim.run(on_row=seen.append, progress=lambda s, n: steps.append((s, n)),
                           **ENGINES["order"])
        table = result.trajectory
        self.assertEqual([r.step for r in seen], list(table["step"]))
        self.assertEqual(steps[-1], (3000, 3000))
        last = seen[-1]
        self.assertEqual(last.a.shape, (2, 2))
        self.assertEqual(last.E.shape, (2, 2))
        self.assertEqual(last.cos[1, 0], table["cos_2_1"].iloc[-1])
        self.assertEqual(last.E[0, 1], table["E_1_2"].iloc[-1])
        self.assertFalse(last.rho.flags.writeable)

    def test_callback_exception_stops_the_run(self):
        def fail(row):
            if row.step >= 1000:
                raise RuntimeError("enough")
        started = time.monotonic()
        with self.assertRaisesRegex(RuntimeError, "enough"):
            phsim.run(on_row=fail, d=20, steps=10**9, log_every=1000)
        self.assertLess(time.monotonic() - started, 10)

    def test_table_without_pandas(self):
        saved = sys.modules.get("pandas")
        sys.modules["pandas"] = None  # import pandas raises ImportError
        try:
            result = phsim.run(**ENGINES["order"])
            table = _sweep.read_table(self.sweep_csv())
        finally:
            sys.modules["pandas"] = saved
        self.assertIsInstance(result.trajectory, dict)
        self.assertEqual(list(result.trajectory), _trajectory.columns(2, 2))
        self.assertEqual(result.trajectory["step"].dtype, np.int64)
        self.assertIsInstance(table["T2"], np.ma.MaskedArray)
        self.assertTrue(table["T2"].mask.all())

    def sweep_csv(self):
        """sweep.csv of a small CLI sweep where T2 is never reached."""
        status, _, err = cli("sweep", "--set", "d=20", "--set", "steps=300",
                             "--grid", "seed=1,2", "--out", self.path("sw"))
        self.assertEqual(status, 0, err)
        return self.path("sw/sweep.csv")


class Sweep(Scratch):
    """phsim.sweep: the CLI's table, with types."""

    GRID = {"seed": [1, 2], "head": ["offdiag", "fixed"], "alpha_2": "0.5:1:2"}
    KEYS = dict(engine="order", d=20, steps=3000)

    def test_equals_cli_with_types(self):
        grid = [a for k, v in self.GRID.items()
                for a in ("--grid", f"{k}={phsim._setup.format_value(k, v)}")]
        status, _, err = cli("sweep", *sets(self.KEYS), *grid, "--out", self.path("cli"))
        self.assertEqual(status, 0, err)
        table = phsim.sweep(self.GRID, jobs=2, out=self.path("api"), **self.KEYS)
        with open(self.path("api/sweep.csv")) as a, open(self.path("cli/sweep.csv")) as b:
            self.assertEqual(a.read(), b.read())
        pd.testing.assert_frame_equal(table, _sweep.read_table(self.path("cli/sweep.csv")))
        expected = {"index": "int64", "seed": "int64", "head": "object", "alpha_2": "float64",
                    "status": "object", "collapsed": "boolean", "T1": "int64", "T2": "Int64",
                    "loss_final": "float64", "flow_faithful": "boolean", "learn_2": "Int64"}
        self.assertEqual({k: str(table[k].dtype) for k in expected}, expected)
        self.assertTrue(table["T2"].isna().all())
        self.assertEqual(list(table["index"]), list(range(8)))

    def test_temporary_directory(self):
        table = phsim.sweep({"seed": range(1, 4)}, **self.KEYS)
        self.assertEqual(list(table["seed"]), [1, 2, 3])


class Errors(Scratch):
    """ConfigError carries the CLI's message; DivergedError the partial run."""

    def assert_cli_message(self, call, *args):
        status, _, err = cli(*args)
        self.assertEqual(status, 2)
        with self.assertRaises(phsim.ConfigError) as caught:
            call()
        self.assertIn("phsim: " + str(caught.exception) + "\n", err)
        self.assertIsInstance(caught.exception, ValueError)

    def test_bad_value(self):
        self.assert_cli_message(lambda: phsim.run(d=0), "run", "--set", "d=0",
                                "--out", self.path("r"))

    def test_unknown_key(self):
        self.assert_cli_message(lambda: phsim.grad(dd=3), "grad", "--set", "dd=3")

    def test_cross_key_rule(self):
        self.assert_cli_message(lambda: phsim.config(P=4, Pf=8), "config", "--set", "P=4",
                                "--set", "Pf=8")

    def test_bad_grid(self):
        self.assert_cli_message(lambda: phsim.sweep({"alpha": "2:1,3:1"}, d=20), "sweep",
                                "--set", "d=20", "--grid", "alpha=2:1,3:1",
                                "--out", self.path("s"))

    def test_missing_config_file(self):
        missing = self.path("missing")
        self.assert_cli_message(lambda: phsim.run(missing), "run", missing,
                                "--out", self.path("r"))

    def test_diverged(self):
        keys = dict(norm="none", eta=1e6, d=20, steps=1000, log_every=10)
        status, err = cli_run(keys, self.path("cli"))
        self.assertEqual(status, 4)
        with self.assertRaises(phsim.DivergedError) as caught:
            phsim.run(out=self.path("api"), **keys)
        result = caught.exception.result
        self.assertEqual(result.summary["status"], "diverged")
        self.assertEqual(untimed(result.summary), untimed(read_summary(self.path("cli"))))
        pd.testing.assert_frame_equal(result.trajectory, read_trajectory(self.path("cli")),
                                      check_exact=True)
        self.assertIn(str(caught.exception).split(";")[0], err)


class Interrupt(unittest.TestCase):
    """Ctrl-C stops a run, a sweep and a gradient within a second."""

    def interrupt_after(self, call, seconds=0.3):
        """Call with SIGINT sent to this process after seconds; the time
        from the signal to KeyboardInterrupt."""
        sent = []

        def send():
            sent.append(time.monotonic())
            os.kill(os.getpid(), signal.SIGINT)

        timer = threading.Timer(seconds, send)
        timer.start()
        try:
            with self.assertRaises(KeyboardInterrupt):
                call()
        finally:
            timer.join()
        return time.monotonic() - sent[0]

    def test_run(self):
        late = self.interrupt_after(lambda: phsim.run(d=20, steps=10**12, log_every=10**6))
        self.assertLess(late, 1.0)
        self.assertEqual(phsim.run(**ENGINES["order"]).status, "ok")

    def test_sweep(self):
        late = self.interrupt_after(lambda: phsim.sweep({"seed": [1, 2]}, jobs=2, d=20,
                                                        steps=10**12, log_every=10**6))
        self.assertLess(late, 1.0)

    def test_grad(self):
        late = self.interrupt_after(lambda: phsim.grad(m=1500, d=20))
        self.assertLess(late, 1.0)


class Threads(unittest.TestCase):
    """Two runs on two threads at once give the bits of one after the other."""

    def test_two_threads(self):
        configs = [ENGINES["order"], dict(ENGINES["order"], seed=7)]
        alone = [phsim.run(**keys) for keys in configs]
        results = [None, None]

        def work(i):
            results[i] = phsim.run(**configs[i])

        threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for one, other in zip(alone, results):
            self.assertEqual(untimed(one.summary), untimed(other.summary))
            pd.testing.assert_frame_equal(one.trajectory, other.trajectory, check_exact=True)
        self.assertNotEqual(untimed(results[0].summary), untimed(results[1].summary))


class Notebook(Scratch):
    """experiments/mechanism.ipynb executes without an error (headless)."""

    def test_executes(self):
        notebook = os.path.join(ROOT, "experiments", "mechanism.ipynb")
        env = dict(os.environ, PHSIM_HEADLESS="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
        p = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "notebook", "--execute",
                            "--ExecutePreprocessor.timeout=300", "--output-dir", self.tmp,
                            notebook], capture_output=True, text=True, env=env, check=False)
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        self.assertTrue(os.path.exists(self.path("mechanism.ipynb")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
