import numpy as np
from scipy import stats

Z975 = 1.959963984540054

def g(v):
    return "%.15g" % v

def fisher_ci(r, n):
    z = np.arctanh(r)
    h = Z975 / np.sqrt(n - 3)
    return np.tanh(z - h), np.tanh(z + h)

def corr_block(label, x, y):
    x = np.asarray(x, float); y = np.asarray(y, float); n = len(x)
    pr = stats.pearsonr(x, y)
    sr = stats.spearmanr(x, y)
    r, p = float(pr.statistic), float(pr.pvalue)
    rho, ps = float(sr.statistic), float(sr.pvalue)
    lo, hi = fisher_ci(r, n)
    slo, shi = fisher_ci(rho, n)
    print(f"[{label}] n={n}")
    print(f"  pearson  r   = {g(r)}   p = {g(p)}")
    print(f"  pearson  95% Fisher-z CI = ({g(lo)}, {g(hi)})")
    print(f"  spearman rho = {g(rho)}   p = {g(ps)}")
    print(f"  spearman 95% Fisher-z CI (n-3) = ({g(slo)}, {g(shi)})")

print("=== a. Dataset A ===")
corr_block("A: x vs y", [1,2,3,4,5], [2,4,5,4,5])

print()
print("=== b. Dataset B ===")
x1 = [1,2,3,4,5,6,7,8,9,10]
x2 = [2,1,4,3,6,5,8,7,10,9]
x3 = [5,3,4,1,2,6,9,7,8,10]
y  = [3,4,6,5,8,7,11,10,12,14]
for name, xv in (("x1", x1), ("x2", x2), ("x3", x3)):
    corr_block(f"B: {name} vs y", xv, y)

X = np.column_stack([x1, x2, x3]).astype(float)
yv = np.asarray(y, float)
n, p = X.shape

# (i) Johnson (2000) SVD formulation
Z = (X - X.mean(0)) / X.std(0, ddof=1)
zy = (yv - yv.mean()) / yv.std(ddof=1)
P, d, Qt = np.linalg.svd(Z, full_matrices=False)   # Z = P diag(d) Qt
Zstar = P @ Qt                                       # orthonormal columns (SS = 1)
Zstar_s = Zstar * np.sqrt(n - 1)                     # rescale to unit variance (ddof=1)
beta_i = np.linalg.lstsq(Zstar_s, zy, rcond=None)[0]
B = np.linalg.lstsq(Zstar_s, Z, rcond=None)[0]       # Z ~= Zstar_s @ B ; B[k, j]
Lambda_i = B.T                                       # Lambda[j, k] = coef of Z*_k for Z_j
# closed form check: Lambda = Q D Q^T / sqrt(n-1)
Lambda_closed = Qt.T @ np.diag(d) @ Qt / np.sqrt(n - 1)
raw_i = (Lambda_i**2) @ (beta_i**2)

# (ii) correlation-matrix formulation
R = np.corrcoef(np.column_stack([X, yv]), rowvar=False)
Rxx = R[:p, :p]; rxy = R[:p, p]
L, V = np.linalg.eigh(Rxx)
Lam = V @ np.diag(np.sqrt(L)) @ V.T
beta_ii = np.linalg.inv(Lam) @ rxy
raw_ii = (Lam**2) @ (beta_ii**2)

# OLS R^2 with intercept
A = np.column_stack([np.ones(n), X])
coef = np.linalg.lstsq(A, yv, rcond=None)[0]
resid = yv - A @ coef
R2 = 1 - resid @ resid / np.sum((yv - yv.mean())**2)

print()
print("--- Johnson relative weights (raw) ---")
print("  (i)  SVD   :", [g(v) for v in raw_i], " sum =", g(raw_i.sum()))
print("  (ii) corr  :", [g(v) for v in raw_ii], " sum =", g(raw_ii.sum()))
print("  (i) beta   :", [g(v) for v in beta_i])
print("  (ii) beta  :", [g(v) for v in beta_ii])
print("  OLS R^2 (intercept, lstsq) =", g(R2))
print("  OLS coefs [b0,b1,b2,b3]     =", [g(v) for v in coef])
print("  rescaled weights (raw/R^2) =", [g(v) for v in raw_i / R2])
print("  max|Lambda_i - Lambda_closed| =", g(np.max(np.abs(Lambda_i - Lambda_closed))))
print("  max|Lambda_i - Lam(ii)|       =", g(np.max(np.abs(Lambda_i - Lam))))
print("  max|raw_i - raw_ii|           =", g(np.max(np.abs(raw_i - raw_ii))))
print("  |sum(raw_i) - R^2|            =", g(abs(raw_i.sum() - R2)))
print("  |sum(raw_ii) - R^2|           =", g(abs(raw_ii.sum() - R2)))
ok = (np.allclose(raw_i, raw_ii, rtol=0, atol=1e-12)
      and abs(raw_i.sum() - R2) < 1e-12 and abs(raw_ii.sum() - R2) < 1e-12)
print("  AGREE (1e-12) and sum == R^2:", ok)

print()
print("=== c. Student t two-sided p ===")
for t, df in ((1.5, 1), (2.0, 3), (2.5, 8), (0.3, 20), (4.0, 100)):
    print(f"  t={t} df={df}: p = {g(stats.t.sf(abs(t), df) * 2)}")
