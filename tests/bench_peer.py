"""bench_peer.py: what the peers of `make bench` share (tests/bench_torch.py,
tests/bench_numpy.py): their command line, the start tests/bench.c writes,
the timed loop and the result it reads back.

A peer is what a user would write instead of phsim's population engine: the
same closed-form population loss (NOTES section 3; orthogonal noise,
BatchNorm, stop-gradient on the target) and plain gradient descent on the
full weights W (m x d) and on the head E's trainable entries, float64, one
thread.  It gives run() three functions: setup(a, W, E, mask) -> state from
nested lists, step(state, a) -> state after one step, and rho(state, a) ->
the correlations rho_j as floats.
"""
import argparse
import time


def parse(doc):
    """The arguments tests/bench.c passes (run_peer)."""
    p = argparse.ArgumentParser(description=doc.split("\n")[0])
    p.add_argument("--init", required=True, help="m d, then W's rows, then E's")
    p.add_argument("--out", required=True,
                   help="writes: steps steps_per_s rho_1 .. rho_m")
    p.add_argument("--K", type=int, required=True)
    p.add_argument("--eta", type=float, required=True)
    p.add_argument("--eta-E", dest="eta_E", type=float, required=True)
    p.add_argument("--head", choices=["offdiag", "full", "fixed"], required=True)
    p.add_argument("--seconds", type=float, default=1.5)
    for k in ("kC", "kM1", "kM2", "nu1", "nu2", "s6"):
        p.add_argument("--" + k, type=float, required=True)
    p.add_argument("--c", required=True, help="pi_l alpha_l^6, comma-separated")
    a = p.parse_args()
    a.c = [float(x) for x in a.c.split(",")]
    return a


def read_start(path):
    """W's and E's rows as lists of floats."""
    with open(path) as f:
        lines = [ln for ln in f.read().splitlines() if ln.strip()]
    m, _ = (int(x) for x in lines.pop(0).split())
    rows = [[float(x) for x in ln.split()] for ln in lines]
    return rows[:m], rows[m:2 * m]


def head_mask(head, m):
    """1 where E is trained."""
    return [[{"full": 1.0, "offdiag": float(i != j), "fixed": 0.0}[head]
             for j in range(m)] for i in range(m)]


def run(doc, setup, step, rho):
    """Steps from the start for at least --seconds (in chunks of 20); the
    count, the rate and rho after them to --out."""
    a = parse(doc)
    W, E = read_start(a.init)
    state = setup(a, W, E, head_mask(a.head, len(W)))
    steps, t0 = 0, time.perf_counter()
    while True:
        for _ in range(20):
            state = step(state, a)
        steps += 20
        elapsed = time.perf_counter() - t0
        if elapsed >= a.seconds:
            break
    with open(a.out, "w") as f:
        f.write("%d %.17g %s\n" % (steps, steps / elapsed,
                                    " ".join("%.17g" % x for x in rho(state, a))))
