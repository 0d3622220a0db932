"""phsim.sweep: a grid of runs in process (phsim_study), and sweep.csv as a
table with proper types."""
import contextlib
import csv
import ctypes
import os
import tempfile

import numpy as np

from . import _info, _lib, _setup, _stop

#: sweep.csv's columns that are not reals (phsim_summary_columns in
#: sim/run/summary.c); learn_<l> are steps too.  Other columns are reals.
TEXT = {"status", "outcome"}
BOOLEAN = {"collapsed", "flow_faithful", "fragile"}
INTEGER = {"index", "features_learned", "E_peak_step", "T1", "T2", "T3", "T4",
           "strong_neuron", "substituted_neuron", "steps", "accel_weak_with_head",
           "accel_weak_without_head", "accel_strong_without_head"}


def key_kinds():
    """The kind (int, float, str) of each key's values, and of alpha_<l>-style
    components of list keys (float)."""
    kinds = {}
    for k in _info.keys():
        if k["choices"] or "path" in k["allowed"]:
            kinds[k["key"]] = str
        elif k["allowed"].startswith("an integer"):
            kinds[k["key"]] = int
        else:
            kinds[k["key"]] = float
    return kinds


def column_kind(name, kinds):
    """The kind of a sweep.csv column: int, float, bool or str."""
    if name in TEXT:
        return str
    if name in BOOLEAN:
        return bool
    if name in INTEGER or name.startswith("learn_"):
        return int
    return kinds.get(name, float)  # a grid key; alpha_<l>, pi_<l>: reals


def _cell(text, kind):
    """A cell of sweep.csv as a Python value (None when empty)."""
    if text == "" and kind is not str:
        return None
    if kind is bool:
        return text == "1"
    return kind(text)


def _column(values, kind):
    """A column as pandas would hold it (nullable Int64 and boolean where
    cells are missing, object for text), or as numpy without pandas."""
    missing = any(v is None for v in values)
    try:
        import pandas as pd
    except ImportError:
        pd = None
    if kind is float:
        return np.array([np.nan if v is None else v for v in values], dtype=float)
    if kind is str:
        return np.array(values, dtype=object)
    if pd is not None and (missing or kind is bool):
        return pd.array(values, dtype="Int64" if kind is int else "boolean")
    dtype = np.int64 if kind is int else bool
    if missing:
        mask = [v is None for v in values]
        return np.ma.MaskedArray([0 if v is None else v for v in values], mask=mask, dtype=dtype)
    return np.array(values, dtype=dtype)


def read_table(path):
    """sweep.csv as a DataFrame (pandas) or a dict of numpy arrays, typed."""
    with open(path, newline="") as f:
        header, *rows = list(csv.reader(f))
    kinds = key_kinds()
    table = {}
    for i, name in enumerate(header):
        kind = column_kind(name, kinds)
        table[name] = _column([_cell(row[i], kind) for row in rows], kind)
    try:
        import pandas as pd
    except ImportError:
        return table
    return pd.DataFrame(table)


@contextlib.contextmanager
def _directory(out):
    """out, or a temporary directory removed on exit."""
    if out is not None:
        yield os.fspath(out)
        return
    with tempfile.TemporaryDirectory(prefix="phsim-sweep-") as tmp:
        yield os.path.join(tmp, "sweep")


def _study(handle, directory, grid, jobs):
    """A phsim_study of handle's configuration over grid (the caller frees
    it with phsim_study_free)."""
    err = _setup.error_buffer()
    study = _lib.lib.phsim_study_alloc(handle, os.fsencode(directory), err)
    if not study:
        _setup.check(_lib.EINPUT if err.value else _lib.ENOMEM, err)
    try:
        for key, values in grid.items():
            spec = f"{key}={_setup.format_value(key, values)}".encode()
            _setup.check(_lib.lib.phsim_study_grid(study, spec, err), err)
        count = (os.cpu_count() or 1) if jobs is None else jobs
        _setup.check(_lib.lib.phsim_study_jobs(study, ctypes.c_uint(count), err), err)
    except BaseException:
        _lib.lib.phsim_study_free(study)
        raise
    return study


def sweep(grid, jobs=None, out=None, config=None, **keys):
    """Run a grid of runs (as `phsim sweep`) and return sweep.csv's table.

    grid: {key: values}, each as `--grid` takes it: a list ([1, 2, 3],
    ["offdiag", "fixed"]) or a range spec ("1:10:10", "1e-3:1e-1:5:log");
    several keys make the Cartesian product.  jobs: threads (default: the
    machine's cores; the results do not depend on it).  out: a directory
    that keeps sweep.json, sweep.csv and runs/ (default: a temporary one).
    Integers stay integers (Int64 where cells are missing, such as phase
    times never reached), yes/no columns are booleans.
    """
    with _setup.validated(config, keys) as handle, _directory(out) as directory:
        study = _study(handle, directory, grid, jobs)
        err, stop = _setup.error_buffer(), _stop.Stop()
        try:
            status = _stop.call(lambda: _lib.lib.phsim_study_run(study, err), stop)
        finally:
            _lib.lib.phsim_study_free(study)
        if status == _lib.EINTR:
            stop.raise_reason()
        _setup.check(status, err)
        return read_table(os.path.join(directory, "sweep.csv"))
