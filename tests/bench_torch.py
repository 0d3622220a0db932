"""bench_torch.py: the PyTorch-autograd peer of `make bench`.

What a user would write instead of phsim's population engine: the same
closed-form population loss (NOTES section 3; orthogonal noise, BatchNorm,
stop-gradient on the target) as a torch expression of the full weights W
(m x d) and the head E, differentiated by autograd, and plain gradient
descent on W and on E's trainable entries.  float64, one thread.

tests/bench.c writes the initial W and E and the model's constants, runs
this script (argument vector, no shell), and reads back the number of steps
done, the steps per second and the correlations rho_j after them; it then
runs phsim for as many steps from the same start and compares the rho_j (the
loss 4 - 2 sum rho_j would hide them: they start near 1e-9), so the
reference computes the same thing it is timed against.  The command line,
the timed loop and the result: tests/bench_peer.py.

Needs python3-torch (Debian: apt-get install python3-torch); without it the
script exits with status 3 and bench prints that the reference is skipped.
"""
import sys

import bench_peer

try:
    import torch
except ImportError:
    sys.exit(3)


def correlations(W, E, At, Rt, a):
    """rho_j = N_j / sqrt(D_j T_j) (spec section 3), with the target
    quantities At, Rt held constant (detached)."""
    A, Wp = W[:, :a.K], W[:, a.K:]
    Q = Wp @ Wp.T                      # R = W Pp W^T; Q = R (orthogonal noise)
    c = torch.tensor(a.c, dtype=torch.float64)
    B, Bt = A ** 3, At ** 3
    C = a.kC * (B * c) @ Bt.T          # C_rj
    q = torch.diagonal(Q)
    M = a.kM1 * (B * c) @ B.T + a.nu1 * a.s6 * (
        9.0 * q[:, None] * q[None, :] * Q + 6.0 * Q ** 3)
    qt = torch.diagonal(Rt)
    T = a.kM2 * (Bt * Bt * c).sum(1) + a.nu2 * a.s6 * 15.0 * qt ** 3
    N = (E * C.T).sum(1)               # N_j = sum_r E_jr C_rj
    D = ((E @ M) * E).sum(1)           # D_j = (E M E^T)_jj
    return N / torch.sqrt(D * T)


def population_loss(W, E, At, Rt, a):
    """L = sum_j 2 (1 - rho_j) (norm = bn)."""
    return (2.0 * (1.0 - correlations(W, E, At, Rt, a))).sum()


def setup(a, W, E, mask):
    torch.set_num_threads(1)
    f64 = torch.float64
    return torch.tensor(W, dtype=f64), torch.tensor(E, dtype=f64), torch.tensor(mask, dtype=f64)


def step(state, a):
    """One gradient-descent step."""
    W, E, head_mask = state
    with torch.no_grad():
        At = W[:, :a.K].clone()
        Wp = W[:, a.K:]
        Rt = Wp @ Wp.T
    W.requires_grad_(True)
    E.requires_grad_(True)
    loss = population_loss(W, E, At, Rt, a)
    gW, gE = torch.autograd.grad(loss, (W, E))
    with torch.no_grad():
        W = W.detach() - a.eta * gW
        E = E.detach() - a.eta_E * gE * head_mask
    return W, E, head_mask


def rho(state, a):
    W, E, _ = state
    with torch.no_grad():
        Wp = W[:, a.K:]
        return correlations(W, E, W[:, :a.K], Wp @ Wp.T, a).tolist()


if __name__ == "__main__":
    bench_peer.run(__doc__, setup, step, rho)
