"""A run's logged rows, copied from the C callback into numpy blocks, and
the trajectory table they make (trajectory.csv's columns and values)."""
import collections
import ctypes

import numpy as np

#: The arrays of a row after step and loss, in trajectory.csv's order:
#: (name, how many entries for m neurons and K features).
ARRAYS = (("rho", lambda m, K: m), ("a", lambda m, K: m * K), ("cos", lambda m, K: m * K),
          ("noise", lambda m, K: m), ("force", lambda m, K: m * K), ("E", lambda m, K: m * m))

#: A logged row as on_row sees it: arrays read-only, a/cos/force m x K, E m x m.
Row = collections.namedtuple("Row", "step loss rho a cos noise force E")


def columns(m, K):
    """trajectory.csv's header for m neurons and K features."""
    pairs = [(j, l) for j in range(1, m + 1) for l in range(1, K + 1)]
    names = ["step", "loss"] + [f"rho_{j}" for j in range(1, m + 1)]
    names += [f"a_{j}_{l}" for j, l in pairs] + [f"cos_{j}_{l}" for j, l in pairs]
    names += [f"noise_{j}" for j in range(1, m + 1)]
    names += [f"force_{j}_{l}" for j, l in pairs]
    names += [f"E_{i}_{j}" for i in range(1, m + 1) for j in range(1, m + 1)]
    return names


def width(m, K):
    """Reals in a row after its step: loss and the arrays."""
    return 1 + sum(count(m, K) for _, count in ARRAYS)


class Rows:
    """The rows of one run, in blocks of doubling size."""

    def __init__(self, m, K):
        self.m, self.K = m, K
        self.width = width(m, K)
        self.steps = []
        self.blocks = []
        self.free = 0  # unused rows in the last block

    def _room(self):
        """The last block, with a row free."""
        if self.free == 0:
            size = max(64, len(self.steps))
            self.blocks.append(np.empty((size, self.width)))
            self.free = size
        return self.blocks[-1]

    def add(self, row):
        """Copy a phsim_row (ctypes) in."""
        block = self._room()
        i = len(block) - self.free
        block[i, 0] = row.loss
        at = block.ctypes.data + (i * self.width + 1) * 8
        for name, count in ARRAYS:
            n = count(self.m, self.K) * 8
            ctypes.memmove(at, getattr(row, name), n)
            at += n
        self.free -= 1
        self.steps.append(row.step)

    def values(self):
        """All rows' reals as one array (rows x width)."""
        if not self.blocks:
            return np.empty((0, self.width))
        last = self.blocks[-1][:len(self.blocks[-1]) - self.free]
        return np.concatenate(self.blocks[:-1] + [last])

    def last(self):
        """The last row added as on_row sees it (read-only views)."""
        block = self.blocks[-1]
        values, at, arrays = block[len(block) - self.free - 1], 1, []
        shapes = {"a": (self.m, self.K), "cos": (self.m, self.K),
                  "force": (self.m, self.K), "E": (self.m, self.m)}
        for name, count in ARRAYS:
            n = count(self.m, self.K)
            view = values[at:at + n].reshape(shapes.get(name, (n,)))
            view.flags.writeable = False
            arrays.append(view)
            at += n
        return Row(self.steps[-1], float(values[0]), *arrays)

    def table(self):
        """The trajectory: a DataFrame when pandas imports, else a dict of
        numpy arrays; columns as trajectory.csv's."""
        names = columns(self.m, self.K)
        steps = np.array(self.steps, dtype=np.int64)
        values = self.values()
        try:
            import pandas as pd
        except ImportError:
            table = {"step": steps}
            table.update(zip(names[1:], values.T))
            return table
        frame = pd.DataFrame(values, columns=names[1:])
        frame.insert(0, "step", steps)
        return frame
