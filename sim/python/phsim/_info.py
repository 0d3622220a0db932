"""phsim.grad, phsim.config, phsim.keys, phsim.presets."""
import json
import re

from . import _lib, _setup, _stop


def grad(config=None, **keys):
    """The loss, BatchNorm scales and gradients at the initial state: the
    object `phsim grad` prints ({"loss", "rho", "grad_W", "grad_E"})."""
    with _setup.setup(config, keys) as handle:
        err, stop = _setup.error_buffer(), _stop.Stop()
        ptr = _stop.call(lambda: _lib.lib.phsim_setup_grad_text(handle, err), stop)
    if stop.flag.value:
        stop.raise_reason()
    if not ptr:
        _setup.check(_lib.EINPUT if err.value else _lib.ENOMEM, err)
    return json.loads(_lib.take_text(ptr))


def config(config=None, **keys):
    """The resolved configuration (as `phsim config` resolves it), a dict
    as summary.json's "config"; checked as before a run."""
    with _setup.validated(config, keys) as handle:
        return _setup.resolved(handle)


def keys():
    """The configuration keys, as `phsim keys` lists them: dicts of key,
    help, allowed, choices and default."""
    ptr = _lib.lib.phsim_keys_text()
    if not ptr:
        raise MemoryError("phsim: no memory for the keys' text")
    return json.loads(_lib.take_text(ptr))


def presets():
    """The presets (the preset key's choices), each with what it sets."""
    key = next(k for k in keys() if k["key"] == "preset")
    names = "|".join(map(re.escape, key["choices"]))
    parts = re.split(rf"(?:^|[:;] )({names}) = ", key["help"])
    return dict(zip(parts[1::2], parts[2::2]))
