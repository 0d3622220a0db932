"""phsim from Python: the prediction-head mechanism of Wen & Li (NeurIPS
2022), simulated by libphsim in this process (ctypes, no compiler).

    import phsim
    r = phsim.run(engine="order", d=100, seed=2, steps=200000, log_every=100)
    r.summary["phases"], r.trajectory[["step", "cos_1_1", "cos_2_2"]]
    phsim.grad(d=100)["loss"]
    phsim.sweep(grid={"seed": [1, 2, 3], "head": ["offdiag", "fixed"]}, steps=100000)

Names follow the command line (`phsim run`, `grad`, `sweep`, `keys`,
`config`); outputs are the CLI's bit for bit.
"""
from . import _lib
from ._errors import ConfigError, DivergedError, Error, OutputError
from ._info import config, grad, keys, presets
from ._run import Result, run
from ._sweep import sweep
from ._trajectory import Row

__version__ = _lib.lib.phsim_version().decode()
#: The git commit libphsim was built from.
commit = _lib.lib.phsim_commit().decode()

__all__ = ["ConfigError", "DivergedError", "Error", "OutputError", "Result", "Row",
           "config", "grad", "keys", "presets", "run", "sweep", "commit"]
