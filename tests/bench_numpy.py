"""bench_numpy.py: the hand-vectorised NumPy peer of `make bench`.

The same step as tests/bench_torch.py (the closed-form population loss of
NOTES section 3: orthogonal noise, BatchNorm, stop-gradient on the target;
plain gradient descent on W, m x d, and on E's trainable entries), with the
gradient written out by hand instead of autograd: what a user fluent in
NumPy would write.  float64, one thread (the BLAS told so before NumPy
loads).  Per step: Q = W' W'^T and the update 2 gQ W' are the O(m^2 d)
work, as in phsim.

With L = sum_j 2 (1 - rho_j), rho_j = N_j / sqrt(D_j T_j) (T_j held):
  dL/dN_j = -2 / sqrt(D_j T_j),  dL/dD_j = rho_j / D_j,
  dL/dE = gN C^T + 2 gD (E M),  dL/dC = (gN E)^T,  dL/dM = E^T diag(gD) E,
  dL/dB = kC c (dL/dC) Bt + 2 kM1 c (dL/dM) B,  dL/dA = 3 A^2 dL/dB,
  dL/dQ = nu1 s6 [(9 q q^T + 18 Q^2) dL/dM + diag(18 ((dL/dM) Q) q)],
  dL/dW' = 2 (dL/dQ) W'.
Needs python3-numpy (Debian); without it the script exits with status 3.
"""
import os
import sys

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import bench_peer  # noqa: E402

try:
    import numpy as np  # noqa: E402
except ImportError:
    sys.exit(3)


def moments(W, E, At, Rt, a):
    """B, Q, q, C, M, T, N, D of the step (spec section 3)."""
    A, Wp = W[:, :a.K], W[:, a.K:]
    Q = Wp @ Wp.T
    c = np.asarray(a.c)
    B, Bt = A ** 3, At ** 3
    C = a.kC * (B * c) @ Bt.T
    q = np.diagonal(Q)
    M = a.kM1 * (B * c) @ B.T + a.nu1 * a.s6 * (9.0 * np.outer(q, q) * Q + 6.0 * Q ** 3)
    qt = np.diagonal(Rt)
    T = a.kM2 * (Bt * Bt * c).sum(1) + a.nu2 * a.s6 * 15.0 * qt ** 3
    N = (E * C.T).sum(1)
    D = ((E @ M) * E).sum(1)
    return B, Bt, Q, q, C, M, T, N, D


def setup(a, W, E, mask):
    return np.array(W), np.array(E), np.array(mask)


def step(state, a):
    """One gradient-descent step, the gradient by hand."""
    W, E, mask = state
    A, Wp = W[:, :a.K], W[:, a.K:]
    B, Bt, Q, q, C, M, T, N, D = moments(W, E, A, Wp @ Wp.T, a)
    c = np.asarray(a.c)
    sqDT = np.sqrt(D * T)
    gN, gD = -2.0 / sqDT, (N / sqDT) / D
    gE = gN[:, None] * C.T + 2.0 * gD[:, None] * (E @ M)
    gC = (gN[:, None] * E).T
    gM = E.T @ (gD[:, None] * E)
    gB = a.kC * (gC @ Bt) * c + 2.0 * a.kM1 * (gM @ B) * c
    ns = a.nu1 * a.s6
    gQ = ns * (9.0 * np.outer(q, q) + 18.0 * Q ** 2) * gM
    gQ[np.diag_indices_from(gQ)] += ns * 18.0 * ((gM * Q) @ q)
    gW = np.empty_like(W)
    gW[:, :a.K] = 3.0 * A ** 2 * gB
    gW[:, a.K:] = 2.0 * gQ @ Wp
    return W - a.eta * gW, E - a.eta_E * gE * mask, mask


def rho(state, a):
    W, E, _ = state
    Wp = W[:, a.K:]
    *_, T, N, D = moments(W, E, W[:, :a.K], Wp @ Wp.T, a)
    return (N / np.sqrt(D * T)).tolist()


if __name__ == "__main__":
    bench_peer.run(__doc__, setup, step, rho)
