//! Interbank clearing rules: Eisenberg–Noe, Rogers–Veraart and Furfine.
//!
//! Input convention: `liabilities[(i, j)]` = nominal amount bank `i` owes
//! bank `j` (`L = X^T` where `X` is the exposure matrix). `external[i]` is
//! bank `i`'s external (non-interbank) assets `e_i >= 0`, i.e. the cash it
//! has available for paying creditors in addition to what it receives from
//! other banks.
//!
//! With `pbar_i = sum_j L[(i, j)]` and the relative liability matrix
//! `Pi[(i, j)] = L[(i, j)] / pbar_i` (a row of zeros when `pbar_i = 0`),
//! a clearing vector satisfies `p = Phi(p)` with, for Eisenberg–Noe,
//! `Phi(p)_i = min(pbar_i, max(0, e_i + (Pi^T p)_i))`.

use super::ContagionError;
use super::error::{check_len, check_matrix_nonneg, check_nonneg, check_square, check_unit};
use nalgebra::{DMatrix, DVector};

/// Relative tolerance used to decide whether a bank can pay in full: bank `i`
/// defaults when `e_i + (Pi^T p)_i < pbar_i * (1 - DEFAULT_REL_TOL)`. This
/// stops round-off from declaring an exactly-solvent bank in default.
pub const DEFAULT_REL_TOL: f64 = 1e-12;

/// Maximum number of sweeps of the monotone fallback iteration used when a
/// fictitious-default linear system is numerically singular (see
/// [`eisenberg_noe`]).
pub const FALLBACK_MAX_SWEEPS: usize = 100_000;

/// Result of a clearing computation (Eisenberg–Noe or Rogers–Veraart).
#[derive(Debug, Clone, PartialEq)]
pub struct Clearing {
    /// Clearing payment `p_i`: total amount bank `i` actually pays to all of
    /// its interbank creditors (distributed pro rata, `Pi[(i, j)] * p_i` to `j`).
    pub payments: Vec<f64>,
    /// `true` if bank `i` cannot pay `pbar_i` in full (it is in the final
    /// fictitious-default set).
    pub defaulted: Vec<bool>,
    /// Total nominal interbank liabilities `pbar_i = sum_j L[(i, j)]`.
    pub total_liabilities: Vec<f64>,
    /// Number of linear-system solves (fictitious-default rounds) performed, at most `n`, and 0
    /// when nobody defaults; with a negative external net worth, the sweeps of the monotone
    /// iteration instead.
    pub rounds: usize,
    /// `true` if the monotone iteration (used when a fictitious-default system is singular, or
    /// when some external net worth is negative) hit [`FALLBACK_MAX_SWEEPS`] without converging
    /// and no exact solve could be certified as its limit. The payments are then a point of the
    /// iteration's descent, an upper bound on the greatest clearing vector. It happens when the
    /// defaulting banks form an almost closed group whose shortfalls nearly cancel, so that the
    /// payments drift down by tiny steps toward the first bank to reach 0.
    pub hit_limit: bool,
}

impl Clearing {
    /// Amount each creditor `j` receives: `sum_i Pi[(i, j)] * p_i`.
    ///
    /// `liabilities` must be the matrix the clearing was computed from.
    pub fn received(&self, liabilities: &DMatrix<f64>) -> Result<Vec<f64>, ContagionError> {
        let n = self.payments.len();
        check_len("total_liabilities", self.total_liabilities.len(), n)?;
        check_len("liabilities (rows)", liabilities.nrows(), n)?;
        check_len("liabilities (columns)", liabilities.ncols(), n)?;
        let mut out = vec![0.0; n];
        for i in 0..n {
            let pbar = self.total_liabilities[i];
            if pbar <= 0.0 {
                continue;
            }
            let ratio = self.payments[i] / pbar;
            for (j, o) in out.iter_mut().enumerate() {
                *o += liabilities[(i, j)] * ratio;
            }
        }
        Ok(out)
    }

    /// Loss of each creditor `j` on its interbank assets:
    /// `sum_i L[(i, j)] - sum_i Pi[(i, j)] * p_i` (what `j` was owed minus what
    /// it received). Non-negative up to round-off.
    pub fn losses_on_interbank_assets(
        &self,
        liabilities: &DMatrix<f64>,
    ) -> Result<Vec<f64>, ContagionError> {
        let received = self.received(liabilities)?;
        Ok(received
            .iter()
            .enumerate()
            .map(|(j, r)| {
                let owed: f64 = liabilities.column(j).iter().sum();
                (owed - r).max(0.0)
            })
            .collect())
    }

    /// Shortfall of each debtor: `pbar_i - p_i` (0 for banks that pay in full).
    pub fn shortfall(&self) -> Vec<f64> {
        self.total_liabilities
            .iter()
            .zip(&self.payments)
            .map(|(pbar, p)| (pbar - p).max(0.0))
            .collect()
    }

    /// Recovery rate of each debtor's creditors, `p_i / pbar_i` (1 when `pbar_i = 0`).
    pub fn recovery_rates(&self) -> Vec<f64> {
        self.total_liabilities
            .iter()
            .zip(&self.payments)
            .map(|(&pbar, &p)| if pbar > 0.0 { p / pbar } else { 1.0 })
            .collect()
    }
}

/// Greatest Eisenberg–Noe (2001) clearing vector, computed exactly by the
/// fictitious-default algorithm.
///
/// Algorithm: start from `p = pbar` and an empty default set `D`. Repeat:
/// add to `D` every bank with `e_i + (Pi^T p)_i < pbar_i` (the set only
/// grows); if nothing was added, stop; otherwise solve, with nalgebra's LU,
/// the linear system `p_i = e_i + (Pi^T p)_i` for `i in D` with `p_j = pbar_j`
/// for `j not in D`. Terminates after at most `n` solves.
///
/// If a system is singular (possible only for a closed group of defaulting
/// banks that owe only each other and have no external assets nor inflow),
/// the step falls back to the monotone iteration of the restricted map from
/// the current `p`, capped at [`FALLBACK_MAX_SWEEPS`] (reported through
/// [`Clearing::hit_limit`]).
///
/// `external` is each bank's external net worth `e_i` and may be negative: a bank whose senior
/// external creditors (depositors) are owed more than its external assets pays its interbank
/// creditors only what inflows leave after covering that shortfall, and nothing when they do not
/// cover it: `p = min(pbar, max(0, e + Pi^T p))`.
///
/// Errors: `liabilities` not square, negative/non-finite entries or non-zero
/// diagonal; `external` of the wrong length or non-finite.
pub fn eisenberg_noe(
    liabilities: &DMatrix<f64>,
    external: &[f64],
) -> Result<Clearing, ContagionError> {
    greatest_clearing(liabilities, external, 1.0, 1.0, &|| false)
}

/// Greatest Rogers–Veraart (2013) clearing vector with default costs, by their
/// Greatest Clearing Vector Algorithm.
///
/// A solvent bank pays `pbar_i`; a bank with `e_i + (Pi^T p)_i < pbar_i`
/// defaults and pays only `max(0, alpha * e_i + beta * (Pi^T p)_i)`
/// (`alpha`: recovery on external assets, `beta`: recovery on interbank
/// assets, both in `[0, 1]`); a negative `e_i` (a shortfall to senior external creditors) is
/// carried whole, not scaled by `alpha`. Default *status* is decided on the full assets
/// `e_i + (Pi^T p)_i`; the costs only reduce what a defaulter pays.
///
/// Algorithm (same skeleton as [`eisenberg_noe`]): start at `p = pbar`,
/// `D = {}`; repeat: `D <- {i : e_i + (Pi^T p)_i < pbar_i}`; stop if `D` did
/// not change; otherwise solve `p_i = alpha e_i + beta (Pi^T p)_i` on `D`
/// with `p_j = pbar_j` off `D`. With `alpha = beta = 1` this is exactly the
/// Eisenberg–Noe fictitious-default algorithm.
///
/// Errors: as [`eisenberg_noe`], plus `alpha` or `beta` outside `[0, 1]`.
pub fn rogers_veraart(
    liabilities: &DMatrix<f64>,
    external: &[f64],
    alpha: f64,
    beta: f64,
) -> Result<Clearing, ContagionError> {
    rogers_veraart_until(liabilities, external, alpha, beta, &|| false)
}

/// [`rogers_veraart`] (and, with `alpha = beta = 1`, [`eisenberg_noe`]), asking `stop` before each
/// round of the algorithm (each a linear solve on the default set, up to `n` of them):
/// [`ContagionError::Cancelled`] as soon as it says stop. The result is the same when it never
/// does.
pub fn rogers_veraart_until(
    liabilities: &DMatrix<f64>,
    external: &[f64],
    alpha: f64,
    beta: f64,
    stop: &dyn Fn() -> bool,
) -> Result<Clearing, ContagionError> {
    check_unit("alpha", alpha)?;
    check_unit("beta", beta)?;
    greatest_clearing(liabilities, external, alpha, beta, stop)
}

/// Greatest Eisenberg–Noe clearing vector when banks also owe *external* creditors, paid pari
/// passu with their interbank debt: the convention of Eisenberg & Noe's and Rogers & Veraart's
/// worked examples and of the `systemicrisk` (`default_clearing`, with `ea`, `el`) and
/// NetworkValuation packages.
///
/// `liabilities[(i, j)]` is what bank `i` owes bank `j`, `external_assets[i] >= 0` what bank
/// `i` holds outside the network and `external_liabilities[i] >= 0` what it owes outside it.
/// Bank `i`'s total debt is `pbar_i = sum_j L[(i, j)] + external_liabilities[i]`, and whatever
/// it pays, `p_i`, is shared among *all* its creditors in proportion to what each is owed:
/// `L[(i, j)] / pbar_i * p_i` to bank `j` and `external_liabilities[i] / pbar_i * p_i` outside.
/// So `p = min(pbar, external_assets + Pi^T p)` with `Pi` built on `pbar` (external creditors
/// included), which the packages write as `rowSums(L) + el`.
///
/// The returned [`Clearing`] is over the `n` banks: `payments[i] = p_i` and
/// `total_liabilities[i] = pbar_i` both *include* the external part (as the packages print
/// them); [`Clearing::received`] with the same `liabilities` gives what each bank receives from
/// the others; the external creditors receive `external_liabilities[i] * recovery_rates()[i]`.
///
/// (With senior external creditors instead, paid before any bank, pass
/// `external_assets - external_liabilities` as the external net worth of [`eisenberg_noe`].)
///
/// Errors: as [`eisenberg_noe`], plus `external_assets` or `external_liabilities` of the wrong
/// length, negative or non-finite.
pub fn eisenberg_noe_with_external(
    liabilities: &DMatrix<f64>,
    external_assets: &[f64],
    external_liabilities: &[f64],
) -> Result<Clearing, ContagionError> {
    with_external(liabilities, external_assets, external_liabilities, 1.0, 1.0)
}

/// Greatest Rogers–Veraart clearing vector with default costs when banks also owe external
/// creditors pari passu with interbank debt (see [`eisenberg_noe_with_external`] for the
/// convention and the result): a solvent bank pays `pbar_i`, a defaulting one
/// `alpha * external_assets[i] + beta * (Pi^T p)_i`, shared pro rata among all its creditors,
/// as `systemicrisk::default_clearing(L, ea, el, alpha, beta)` computes it.
///
/// Errors: as [`eisenberg_noe_with_external`], plus `alpha` or `beta` outside `[0, 1]`.
pub fn rogers_veraart_with_external(
    liabilities: &DMatrix<f64>,
    external_assets: &[f64],
    external_liabilities: &[f64],
    alpha: f64,
    beta: f64,
) -> Result<Clearing, ContagionError> {
    check_unit("alpha", alpha)?;
    check_unit("beta", beta)?;
    with_external(
        liabilities,
        external_assets,
        external_liabilities,
        alpha,
        beta,
    )
}

/// The external creditors as one more node: owed `external_liabilities[i]` by bank `i`, owing
/// nothing and holding nothing (`pbar = 0`, so it never defaults and its inflow matters to no
/// one). The clearing of the extended system, cut back to the `n` banks.
fn with_external(
    liabilities: &DMatrix<f64>,
    external_assets: &[f64],
    external_liabilities: &[f64],
    alpha: f64,
    beta: f64,
) -> Result<Clearing, ContagionError> {
    let n = check_square("liabilities", liabilities)?;
    check_matrix_nonneg("liabilities", liabilities, true)?;
    check_len("external_assets", external_assets.len(), n)?;
    check_nonneg("external_assets", external_assets)?;
    check_len("external_liabilities", external_liabilities.len(), n)?;
    check_nonneg("external_liabilities", external_liabilities)?;
    let extended = DMatrix::from_fn(n + 1, n + 1, |i, j| match (i < n, j < n) {
        (true, true) => liabilities[(i, j)],
        (true, false) => external_liabilities[i],
        _ => 0.0,
    });
    let mut e = external_assets.to_vec();
    e.push(0.0);
    let mut c = greatest_clearing(&extended, &e, alpha, beta, &|| false)?;
    c.payments.truncate(n);
    c.defaulted.truncate(n);
    c.total_liabilities.truncate(n);
    Ok(c)
}

/// What a defaulting bank `i` pays before interbank inflows: `alpha e_i` when its external net
/// worth is positive, the whole (negative) `e_i` otherwise — a shortfall to senior external
/// creditors is not reduced by default costs.
fn effective_external(external: &[f64], alpha: f64) -> Vec<f64> {
    external
        .iter()
        .map(|&e| if e >= 0.0 { alpha * e } else { e })
        .collect()
}

/// Shared implementation of the greatest-clearing-vector algorithms.
///
/// With every `e_i >= 0`: the fictitious-default algorithm (exact, at most `n` linear solves).
/// With some `e_i < 0` the map `p -> min(pbar, max(0, eff + beta Pi^T p))` has a floor that a
/// linear solve cannot see, so the greatest fixed point is found by the monotone iteration from
/// `pbar` (which decreases to it), then polished: the linear system on the banks that pay a
/// positive partial amount is solved exactly, and the result is kept if it is a fixed point.
fn greatest_clearing(
    liabilities: &DMatrix<f64>,
    external: &[f64],
    alpha: f64,
    beta: f64,
    stop: &dyn Fn() -> bool,
) -> Result<Clearing, ContagionError> {
    let n = check_square("liabilities", liabilities)?;
    check_matrix_nonneg("liabilities", liabilities, true)?;
    check_len("external", external.len(), n)?;
    super::error::check_finite("external", external)?;

    let pbar: Vec<f64> = (0..n).map(|i| liabilities.row(i).sum()).collect();
    for (i, &v) in pbar.iter().enumerate() {
        if !v.is_finite() {
            return Err(super::error::invalid(
                format!("liabilities row {i} sum"),
                v,
                "total liabilities must be finite",
            ));
        }
    }
    let pi = relative_liabilities(liabilities, &pbar);
    let eff = effective_external(external, alpha);

    let mut p = pbar.clone();
    let mut in_default = vec![false; n];
    let mut rounds = 0;
    let mut hit_limit = false;
    if external.iter().all(|&e| e >= 0.0) {
        // The default set strictly grows every round, so n + 1 checks suffice.
        for _ in 0..=n {
            if stop() {
                return Err(ContagionError::Cancelled);
            }
            let inflow = inflows(&pi, &p);
            let mut grew = false;
            for i in 0..n {
                if !in_default[i] && external[i] + inflow[i] < pbar[i] * (1.0 - DEFAULT_REL_TOL) {
                    in_default[i] = true;
                    grew = true;
                }
            }
            if !grew {
                break;
            }
            rounds += 1;
            let vars: Vec<usize> = (0..n).filter(|&i| in_default[i]).collect();
            match solve_default_system(&pi, &pbar, &eff, beta, &in_default, &vars, &p) {
                Some(x) => {
                    for (k, &i) in vars.iter().enumerate() {
                        p[i] = x[k].clamp(0.0, pbar[i]);
                    }
                }
                None => {
                    let converged = fallback_iteration(&pi, &pbar, &eff, beta, &in_default, &mut p);
                    hit_limit |= !converged;
                }
            }
        }
    } else {
        let floor = greatest_with_floor(&pi, &pbar, external, &eff, beta);
        p = floor.payments;
        rounds = floor.sweeps;
        hit_limit = floor.hit_limit;
        let inflow = inflows(&pi, &p);
        for i in 0..n {
            in_default[i] = external[i] + inflow[i] < pbar[i] * (1.0 - DEFAULT_REL_TOL);
        }
    }
    Ok(Clearing {
        payments: p,
        defaulted: in_default,
        total_liabilities: pbar,
        rounds,
        hit_limit,
    })
}

/// The first sweep of [`greatest_with_floor`] after which a polish is tried; later tries come
/// at twice the sweeps of the one before (64, 128, 256, ...), so a slowly converging iteration
/// stops after a few times the sweeps it needs and a quick one pays for no solve before its end.
const FIRST_POLISH_SWEEP: usize = 64;

/// The greatest fixed point of `p -> min(pbar, max(0, eff + beta Pi^T p))` (defaults decided on
/// the full assets `external + Pi^T p`), when some external net worth is negative.
struct Floor {
    payments: Vec<f64>,
    sweeps: usize,
    hit_limit: bool,
}

/// Monotone iteration of the full map from `pbar`, which decreases to the greatest fixed point
/// `p*`, polished by an exact linear solve.
///
/// The iteration can converge only geometrically: a cycle of defaulting banks that pass each
/// other 99% of what they receive takes some 100,000 sweeps to reach its limit 0. So a polish is
/// tried now and then ([`FIRST_POLISH_SWEEP`]) and the iteration stops as soon as one is
/// *certified*: the solve on the banks paying a partial amount gives a fixed point `q` whose
/// default set is the current iterate's. Then `q` is `p*`: `q <= p* <= p_k` (`q` is a fixed
/// point, `p*` the greatest and the iterate above it), the default set is the same on the whole
/// interval (it only grows as payments fall), so the map is affine there with the matrix of the
/// solve, whose spectral radius is below 1 (it is non-negative, with column sums at most 1, and
/// `I - M` is regular), and `p* - q`, a non-negative fixed point of that matrix, is 0.
fn greatest_with_floor(
    pi: &DMatrix<f64>,
    pbar: &[f64],
    external: &[f64],
    eff: &[f64],
    beta: f64,
) -> Floor {
    let n = pbar.len();
    let mut p = pbar.to_vec();
    let mut sweeps = 0;
    let mut next_polish = FIRST_POLISH_SWEEP;
    while sweeps < FALLBACK_MAX_SWEEPS {
        sweeps += 1;
        let inflow = inflows(pi, &p);
        let mut change: f64 = 0.0;
        for i in 0..n {
            let new = if external[i] + inflow[i] >= pbar[i] * (1.0 - DEFAULT_REL_TOL) {
                pbar[i]
            } else {
                (eff[i] + beta * inflow[i]).clamp(0.0, p[i])
            };
            change = change.max((new - p[i]).abs());
            p[i] = new;
        }
        if change == 0.0 {
            // Converged exactly; the polish removes the round-off the sweeps left.
            let payments = polish(pi, pbar, external, eff, beta, &p).map_or(p, |q| q.payments);
            return Floor {
                payments,
                sweeps,
                hit_limit: false,
            };
        }
        if sweeps == next_polish {
            next_polish *= 2;
            if let Some(q) = polish(pi, pbar, external, eff, beta, &p)
                && q.certified
            {
                return Floor {
                    payments: q.payments,
                    sweeps,
                    hit_limit: false,
                };
            }
        }
    }
    match polish(pi, pbar, external, eff, beta, &p) {
        Some(q) => Floor {
            payments: q.payments,
            sweeps,
            hit_limit: !q.certified,
        },
        None => Floor {
            payments: p,
            sweeps,
            hit_limit: true,
        },
    }
}

/// A fixed point found by [`polish`], and whether it is certainly the greatest.
struct Polished {
    payments: Vec<f64>,
    certified: bool,
}

/// The exact solve on the banks of `p` that pay a positive partial amount, the defaulters paying
/// nothing kept at 0 and the solvent at `pbar`; `None` unless the result is a fixed point of the
/// map (to `1e-12` of the largest debt). Certified when its default set is `p`'s (see
/// [`greatest_with_floor`]).
fn polish(
    pi: &DMatrix<f64>,
    pbar: &[f64],
    external: &[f64],
    eff: &[f64],
    beta: f64,
    p: &[f64],
) -> Option<Polished> {
    let n = p.len();
    let defaults = |p: &[f64]| -> Vec<bool> {
        let inflow = inflows(pi, p);
        (0..n)
            .map(|i| external[i] + inflow[i] < pbar[i] * (1.0 - DEFAULT_REL_TOL))
            .collect()
    };
    let in_default = defaults(p);
    // The banks paying a partial amount. A bank whose solved payment comes out negative pays
    // nothing at the fixed point: it joins those kept at 0 and the rest is solved again (at
    // most once per bank).
    let paying: Vec<usize> = (0..n).filter(|&i| in_default[i] && p[i] > 0.0).collect();
    let mut vars = paying.clone();
    let mut solved = in_default.clone();
    let x = loop {
        let x = solve_raw(pi, pbar, eff, beta, &solved, &vars)?;
        let negative: Vec<usize> = (0..vars.len()).filter(|&k| x[k] < 0.0).collect();
        if negative.is_empty() {
            break x;
        }
        for &k in &negative {
            solved[vars[k]] = true;
        }
        vars = vars
            .iter()
            .enumerate()
            .filter(|(k, _)| !negative.contains(k))
            .map(|(_, &i)| i)
            .collect();
    };
    let mut q = p.to_vec();
    for i in 0..n {
        if in_default[i] {
            q[i] = 0.0;
        }
    }
    for (k, &i) in vars.iter().enumerate() {
        q[i] = x[k].clamp(0.0, pbar[i]);
    }
    let inflow = inflows(pi, &q);
    let scale = pbar.iter().fold(1.0_f64, |m, &v| m.max(v));
    let is_fixed = (0..n).all(|i| {
        let phi = if external[i] + inflow[i] >= pbar[i] * (1.0 - DEFAULT_REL_TOL) {
            pbar[i]
        } else {
            (eff[i] + beta * inflow[i]).clamp(0.0, pbar[i])
        };
        (phi - q[i]).abs() <= 1e-12 * scale
    });
    if !is_fixed {
        return None;
    }
    // Certified when the default set is the iterate's and the map on the banks paying at the
    // iterate has spectral radius below 1 (see [`greatest_with_floor`]): with nobody newly at 0
    // that matrix is the one just solved.
    let certified =
        defaults(&q) == in_default && (vars.len() == paying.len() || leaks(pi, beta, &paying));
    Some(Polished {
        payments: q,
        certified,
    })
}

fn relative_liabilities(liabilities: &DMatrix<f64>, pbar: &[f64]) -> DMatrix<f64> {
    let n = pbar.len();
    DMatrix::from_fn(n, n, |i, j| {
        if pbar[i] > 0.0 {
            liabilities[(i, j)] / pbar[i]
        } else {
            0.0
        }
    })
}

/// `(Pi^T p)_i = sum_j Pi[(j, i)] p_j`.
fn inflows(pi: &DMatrix<f64>, p: &[f64]) -> Vec<f64> {
    let n = p.len();
    (0..n)
        .map(|i| (0..n).map(|j| pi[(j, i)] * p[j]).sum())
        .collect()
}

/// Solves `x_a = eff_a + beta sum_{b in vars} Pi[(b, a)] x_b + beta sum_{j not in D} Pi[(j, a)] pbar_j`
/// for `a in vars` (banks in `D` but not in `vars` pay 0). Returns `None` if the system is
/// singular or its solution not finite.
fn solve_raw(
    pi: &DMatrix<f64>,
    pbar: &[f64],
    eff: &[f64],
    beta: f64,
    in_default: &[bool],
    vars: &[usize],
) -> Option<DVector<f64>> {
    let k = vars.len();
    let n = pbar.len();
    if k == 0 {
        return Some(DVector::zeros(0));
    }
    let a = DMatrix::from_fn(k, k, |r, c| {
        let delta = if r == c { 1.0 } else { 0.0 };
        delta - beta * pi[(vars[c], vars[r])]
    });
    let b = DVector::from_fn(k, |r, _| {
        let i = vars[r];
        let fixed: f64 = (0..n)
            .filter(|&j| !in_default[j])
            .map(|j| pi[(j, i)] * pbar[j])
            .sum();
        eff[i] + beta * fixed
    });
    let x = a.lu().solve(&b)?;
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// Whether `I - beta Pi^T` restricted to `banks` is regular: the non-negative matrix
/// `beta Pi^T` there has column sums at most 1, so its spectral radius is at most 1 and equals 1
/// exactly when 1 is an eigenvalue (Perron–Frobenius), that is when the matrix is singular.
fn leaks(pi: &DMatrix<f64>, beta: f64, banks: &[usize]) -> bool {
    let k = banks.len();
    let a = DMatrix::from_fn(k, k, |r, c| {
        let delta = if r == c { 1.0 } else { 0.0 };
        delta - beta * pi[(banks[c], banks[r])]
    });
    a.lu().is_invertible()
}

/// The fictitious-default system on `vars` (see [`solve_raw`]), `None` also when a solved
/// payment is negative or above the bank's `previous` one (beyond round-off).
fn solve_default_system(
    pi: &DMatrix<f64>,
    pbar: &[f64],
    eff: &[f64],
    beta: f64,
    in_default: &[bool],
    vars: &[usize],
    previous: &[f64],
) -> Option<Vec<f64>> {
    if vars.is_empty() {
        return Some(Vec::new());
    }
    let x = solve_raw(pi, pbar, eff, beta, in_default, vars)?;
    let scale = pbar.iter().fold(1.0_f64, |m, &v| m.max(v));
    let tol = 1e-9 * scale;
    for (r, &i) in vars.iter().enumerate() {
        let v = x[r];
        if !v.is_finite() || v < -tol || v > previous[i] + tol {
            return None;
        }
    }
    Some(x.iter().copied().collect())
}

/// Monotone (downward) iteration of the restricted map on the default set,
/// starting from `p`. Returns `true` if it converged.
fn fallback_iteration(
    pi: &DMatrix<f64>,
    pbar: &[f64],
    eff: &[f64],
    beta: f64,
    in_default: &[bool],
    p: &mut [f64],
) -> bool {
    let n = p.len();
    let scale = pbar.iter().fold(1.0_f64, |m, &v| m.max(v));
    for _ in 0..FALLBACK_MAX_SWEEPS {
        let inflow = inflows(pi, p);
        let mut change: f64 = 0.0;
        for i in 0..n {
            let new = if in_default[i] {
                (eff[i] + beta * inflow[i]).clamp(0.0, p[i])
            } else {
                pbar[i]
            };
            change = change.max((new - p[i]).abs());
            p[i] = new;
        }
        if change <= 1e-15 * scale {
            return true;
        }
    }
    false
}

/// Result of a Furfine (2003) sequential-default simulation.
#[derive(Debug, Clone, PartialEq)]
pub struct FurfineResult {
    /// `true` if the bank failed (initially or during the cascade).
    pub failed: Vec<bool>,
    /// Round in which the bank failed: `Some(0)` for initially failed banks
    /// (and banks starting with capital `< 0`), `Some(r)` for round `r >= 1`,
    /// `None` for survivors.
    pub failed_round: Vec<Option<usize>>,
    /// Cumulative loss `sum_j lgd * X[(i, j)]` over failed debtors `j` whose
    /// failure was propagated, for every creditor `i` (failed or not).
    pub losses: Vec<f64>,
    /// Number of loss-propagation rounds executed.
    pub rounds: usize,
    /// `true` if the cascade was cut off by `max_rounds` while newly failed
    /// banks still had losses to propagate.
    pub hit_limit: bool,
}

/// Furfine (2003) sequential default algorithm with a fixed loss given default.
///
/// `exposures[(i, j)]` = amount `i` lent to `j`; `capital[i]` = loss-absorbing
/// capital; `initially_failed[i]` marks the banks failing in round 0;
/// `lgd` in `[0, 1]`.
///
/// Round `r >= 1`: every bank `i` loses `lgd * X[(i, j)]` on each bank `j` that
/// failed in round `r - 1` (losses are recorded for every creditor, including
/// ones that already failed); then every not-yet-failed bank whose losses exceed
/// its capital, `capital_i - losses_i < 0`, fails in round `r` (a bank left with
/// exactly zero survives, as in Gai & Kapadia 2010). The cascade stops when a
/// round produces no new failure, or when `max_rounds` propagation rounds have
/// run (`hit_limit` is then set if failures remain unpropagated).
///
/// A bank not flagged in `initially_failed` whose capital is already `< 0` is
/// treated as failed in round 0; one with capital exactly 0 survives until it
/// loses anything.
pub fn furfine(
    exposures: &DMatrix<f64>,
    capital: &[f64],
    initially_failed: &[bool],
    lgd: f64,
    max_rounds: usize,
) -> Result<FurfineResult, ContagionError> {
    let n = check_square("exposures", exposures)?;
    check_matrix_nonneg("exposures", exposures, true)?;
    check_len("capital", capital.len(), n)?;
    super::error::check_finite("capital", capital)?;
    check_len("initially_failed", initially_failed.len(), n)?;
    check_unit("lgd", lgd)?;

    let mut failed = vec![false; n];
    let mut failed_round = vec![None; n];
    let mut newly: Vec<usize> = Vec::new();
    for i in 0..n {
        if initially_failed[i] || capital[i] < 0.0 {
            failed[i] = true;
            failed_round[i] = Some(0);
            newly.push(i);
        }
    }
    let mut losses = vec![0.0; n];
    let mut round = 0;
    let mut hit_limit = false;
    while !newly.is_empty() {
        if round >= max_rounds {
            hit_limit = true;
            break;
        }
        round += 1;
        for &j in &newly {
            for (i, loss) in losses.iter_mut().enumerate() {
                *loss += lgd * exposures[(i, j)];
            }
        }
        newly.clear();
        for i in 0..n {
            if !failed[i] && capital[i] - losses[i] < 0.0 {
                failed[i] = true;
                failed_round[i] = Some(round);
                newly.push(i);
            }
        }
    }
    Ok(FurfineResult {
        failed,
        failed_round,
        losses,
        rounds: round,
        hit_limit,
    })
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    fn assert_vec_close(a: &[f64], b: &[f64], tol: f64) {
        assert_eq!(a.len(), b.len());
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!(close(*x, *y, tol), "index {i}: {x} vs {y}");
        }
    }

    /// Four-bank cascade with a cycle (hand-derived, textbook style).
    ///
    /// Liabilities: A->B 10, B->C 10, C->A 5, C->D 5 (A=0, B=1, C=2, D=3).
    /// pbar = [10, 10, 10, 0]; Pi[C,A] = Pi[C,D] = 0.5.
    /// External assets e = [1, 0.5, 0.5, 0].
    ///
    /// Round 1 (p = pbar): A has 1 + 0.5*10 = 6 < 10 -> default; B has
    ///   0.5 + 10 = 10.5 >= 10; C has 0.5 + 10 = 10.5 >= 10. D = {A}.
    ///   Solve p_A = 1 + 0.5*p_C with p_C = 10 -> p_A = 6.
    /// Round 2: B has 0.5 + 6 = 6.5 < 10 -> default; C has 10.5. D = {A, B}.
    ///   p_A = 1 + 0.5*10 = 6, p_B = 0.5 + p_A = 6.5.
    /// Round 3: C has 0.5 + 6.5 = 7 < 10 -> default. D = {A, B, C}.
    ///   p_A = 1 + 0.5 p_C, p_B = 0.5 + p_A, p_C = 0.5 + p_B
    ///   => p_C = 0.5 + 0.5 + 1 + 0.5 p_C = 2 + 0.5 p_C => p_C = 4,
    ///      p_A = 1 + 2 = 3, p_B = 3.5.
    /// Check: nobody else defaults (D owes nothing) -> p = [3, 3.5, 4, 0].
    /// Creditor losses: A is owed 5 by C, gets 0.5*4 = 2 -> 3;
    /// B owed 10 by A, gets 3 -> 7; C owed 10 by B, gets 3.5 -> 6.5;
    /// D owed 5 by C, gets 2 -> 3.
    fn four_bank() -> (DMatrix<f64>, Vec<f64>) {
        let mut l = DMatrix::zeros(4, 4);
        l[(0, 1)] = 10.0;
        l[(1, 2)] = 10.0;
        l[(2, 0)] = 5.0;
        l[(2, 3)] = 5.0;
        (l, vec![1.0, 0.5, 0.5, 0.0])
    }

    #[test]
    fn en_four_bank_cascade_hand_example() {
        let (l, e) = four_bank();
        let c = eisenberg_noe(&l, &e).expect("valid input");
        assert_vec_close(&c.payments, &[3.0, 3.5, 4.0, 0.0], 1e-9);
        assert_eq!(c.defaulted, vec![true, true, true, false]);
        assert_eq!(c.rounds, 3);
        assert!(!c.hit_limit);
        let losses = c.losses_on_interbank_assets(&l).expect("dims");
        assert_vec_close(&losses, &[3.0, 7.0, 6.5, 3.0], 1e-9);
        assert_vec_close(&c.shortfall(), &[7.0, 6.5, 6.0, 0.0], 1e-9);
        assert_vec_close(&c.recovery_rates(), &[0.3, 0.35, 0.4, 1.0], 1e-12);
    }

    /// Mutual debts of 10 with no external assets: p = pbar = [10, 10] is a
    /// clearing vector (each receives 10 and pays 10) and so is p = 0. The
    /// algorithm must return the *greatest* one, [10, 10].
    #[test]
    fn en_mutual_debts_greatest_vector() {
        let l = DMatrix::from_row_slice(2, 2, &[0.0, 10.0, 10.0, 0.0]);
        let c = eisenberg_noe(&l, &[0.0, 0.0]).expect("valid");
        assert_vec_close(&c.payments, &[10.0, 10.0], 1e-12);
        assert_eq!(c.defaulted, vec![false, false]);
        assert_eq!(c.rounds, 0);
    }

    /// A owes B 10, B owes A 5, e = 0. A has 5 < 10 -> defaults and pays
    /// p_A = 0 + p_B = 5; B then receives 5 >= 5 and pays in full. p = [5, 5].
    #[test]
    fn en_two_bank_partial_default() {
        let l = DMatrix::from_row_slice(2, 2, &[0.0, 10.0, 5.0, 0.0]);
        let c = eisenberg_noe(&l, &[0.0, 0.0]).expect("valid");
        assert_vec_close(&c.payments, &[5.0, 5.0], 1e-12);
        assert_eq!(c.defaulted, vec![true, false]);
    }

    /// Rogers–Veraart chain with alpha = 0.5, beta = 0.8 (hand-derived).
    ///
    /// A owes B 10, B owes C 10, C owes nothing; e = [4, 7, 0].
    /// Eisenberg–Noe: A has 4 < 10 -> p_A = 4; B has 7 + 4 = 11 >= 10 ->
    ///   pays 10. EN p = [4, 10, 0], only A defaults.
    /// Rogers–Veraart GA:
    ///   Round 1: D = {A} (4 < 10; B has 7 + 10 = 17). p_A = 0.5*4 + 0.8*0 = 2.
    ///   Round 2: B has 7 + 2 = 9 < 10 -> D = {A, B}.
    ///            p_B = 0.5*7 + 0.8*p_A = 3.5 + 1.6 = 5.1.
    ///   Round 3: D unchanged -> p = [2, 5.1, 0]. B defaults only because of
    ///   the default costs at A.
    #[test]
    fn rv_chain_hand_example_differs_from_en() {
        let mut l = DMatrix::zeros(3, 3);
        l[(0, 1)] = 10.0;
        l[(1, 2)] = 10.0;
        let e = [4.0, 7.0, 0.0];
        let en = eisenberg_noe(&l, &e).expect("valid");
        assert_vec_close(&en.payments, &[4.0, 10.0, 0.0], 1e-9);
        assert_eq!(en.defaulted, vec![true, false, false]);
        let rv = rogers_veraart(&l, &e, 0.5, 0.8).expect("valid");
        assert_vec_close(&rv.payments, &[2.0, 5.1, 0.0], 1e-9);
        assert_eq!(rv.defaulted, vec![true, true, false]);
        assert_eq!(rv.rounds, 2);
    }

    /// A slowly leaking cycle with a shortfall elsewhere (the case a random property test found):
    /// bank 0 owes bank 1 10, bank 1 owes bank 0 9.9 and bank 2 0.1, nobody has external assets
    /// and bank 3 owes 1 more to depositors than it holds. Both cycle banks default and pass on
    /// what they receive, 99% of it back: p_0 = p_1, p_1 = 0.99 p_0, so the greatest clearing
    /// vector is 0. The monotone iteration needs some 70,000 sweeps to get there (0.99^k * 10
    /// underflows); the certified polish stops it after the first try, without hitting the limit.
    #[test]
    fn a_slowly_leaking_cycle_clears_to_zero_without_hitting_the_limit() {
        let mut l = DMatrix::zeros(4, 4);
        l[(0, 1)] = 10.0;
        l[(1, 0)] = 9.9;
        l[(1, 2)] = 0.1;
        let e = [0.0, 0.0, 0.0, -1.0];
        let c = eisenberg_noe(&l, &e).expect("valid");
        assert_vec_close(&c.payments, &[0.0, 0.0, 0.0, 0.0], 1e-12);
        // Bank 3 owes no bank but cannot cover its depositors: in default, paying nothing.
        assert_eq!(c.defaulted, vec![true, true, false, true]);
        assert!(!c.hit_limit);
        assert_eq!(c.rounds, FIRST_POLISH_SWEEP, "stopped at the first polish");
        // A cycle that leaks nothing (a closed group owing only each other) is singular: the
        // polish cannot certify, and the limit is reported.
        let mut closed = DMatrix::zeros(3, 3);
        closed[(0, 1)] = 1.0;
        closed[(1, 0)] = 1.0;
        let c = eisenberg_noe(&closed, &[0.0, 0.0, -1.0]).expect("valid");
        assert_eq!(
            c.payments,
            vec![1.0, 1.0, 0.0],
            "a closed solvent cycle pays in full"
        );
        assert!(!c.hit_limit);
    }

    /// Rogers–Veraart on the four-bank cycle with alpha = 0.5, beta = 0.5.
    ///
    /// Defaults are as in EN (all of A, B, C; full assets only fall), so
    /// p_A = 0.5*1 + 0.5*(0.5 p_C), p_B = 0.5*0.5 + 0.5 p_A,
    /// p_C = 0.5*0.5 + 0.5 p_B.
    /// => p_C = 0.25 + 0.5(0.25 + 0.5(0.5 + 0.25 p_C))
    ///        = 0.25 + 0.125 + 0.125 + 0.0625 p_C = 0.5 + 0.0625 p_C
    /// => p_C = 0.5 / 0.9375 = 8/15, p_A = 0.5 + 0.25*8/15 = 0.5 + 2/15 = 19/30,
    ///    p_B = 0.25 + 0.5*19/30 = 0.25 + 19/60 = 34/60 = 17/30.
    #[test]
    fn rv_four_bank_cycle_hand_example() {
        let (l, e) = four_bank();
        let rv = rogers_veraart(&l, &e, 0.5, 0.5).expect("valid");
        assert_vec_close(
            &rv.payments,
            &[19.0 / 30.0, 17.0 / 30.0, 8.0 / 15.0, 0.0],
            1e-9,
        );
        assert_eq!(rv.defaulted, vec![true, true, true, false]);
    }

    #[test]
    fn rv_with_unit_costs_equals_en_on_example() {
        let (l, e) = four_bank();
        let en = eisenberg_noe(&l, &e).expect("valid");
        let rv = rogers_veraart(&l, &e, 1.0, 1.0).expect("valid");
        assert_vec_close(&en.payments, &rv.payments, 1e-12);
    }

    /// A owes B 10; B owes A 4 and C 6; e = 0.
    /// Round 1: A has 4 < 10 -> D = {A}, p_A = 0.4 * p_B = 4.
    /// Round 2: B has 4 < 10 -> D = {A, B}: p_A = 0.4 p_B, p_B = p_A
    /// => 0.6 p_B = 0 => p = [0, 0, 0] (nothing enters the system from outside).
    #[test]
    fn ring_without_external_assets_clears_to_zero() {
        let l = DMatrix::from_row_slice(3, 3, &[0.0, 10.0, 0.0, 4.0, 0.0, 6.0, 0.0, 0.0, 0.0]);
        let c = eisenberg_noe(&l, &[0.0, 0.0, 0.0]).expect("valid");
        assert_vec_close(&c.payments, &[0.0, 0.0, 0.0], 1e-9);
        assert_eq!(c.defaulted, vec![true, true, false]);
        assert_eq!(c.rounds, 2);
    }

    /// The defensive fallback for singular systems: a closed two-bank ring
    /// (A owes B 10, B owes A 5, both flagged in default, e = 0, beta = 1)
    /// gives the singular matrix [[1, -1], [-1, 1]]; the downward iteration
    /// from pbar = [10, 5] reaches the greatest solution [5, 5].
    #[test]
    fn singular_system_is_detected_and_fallback_converges() {
        let pi = DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 1.0, 0.0]);
        let pbar = [10.0, 5.0];
        let e = [0.0, 0.0];
        assert!(solve_default_system(&pi, &pbar, &e, 1.0, &[true, true], &[0, 1], &pbar).is_none());
        let mut p = pbar.to_vec();
        assert!(fallback_iteration(
            &pi,
            &pbar,
            &e,
            1.0,
            &[true, true],
            &mut p
        ));
        assert_vec_close(&p, &[5.0, 5.0], 1e-12);
    }

    #[test]
    fn rejects_bad_inputs() {
        let l = DMatrix::from_row_slice(2, 2, &[0.0, 1.0, -1.0, 0.0]);
        let err = eisenberg_noe(&l, &[0.0, 0.0]).expect_err("negative");
        assert!(err.to_string().contains("liabilities[(1, 0)]"), "{err}");
        let l = DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, 0.0]);
        assert!(eisenberg_noe(&l, &[0.0, 0.0]).is_err());
        let l = DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 1.0, 0.0]);
        assert!(eisenberg_noe(&l, &[0.0]).is_err());
        assert!(eisenberg_noe(&l, &[0.0, f64::NAN]).is_err());
        assert!(eisenberg_noe(&l, &[0.0, f64::INFINITY]).is_err());
        let l3 = DMatrix::zeros(2, 3);
        assert!(eisenberg_noe(&l3, &[0.0, 0.0]).is_err());
        assert!(rogers_veraart(&l, &[0.0, 0.0], 1.5, 0.5).is_err());
        assert!(rogers_veraart(&l, &[0.0, 0.0], 0.5, f64::NAN).is_err());
        assert!(furfine(&l, &[1.0, 1.0], &[false, false], 2.0, 5).is_err());
        assert!(furfine(&l, &[1.0], &[false, false], 0.5, 5).is_err());
        assert!(furfine(&l, &[1.0, 1.0], &[false], 0.5, 5).is_err());
        let c = eisenberg_noe(&l, &[0.0, 0.0]).expect("valid");
        assert!(c.received(&DMatrix::zeros(3, 3)).is_err());
    }

    #[test]
    fn empty_system() {
        let c = eisenberg_noe(&DMatrix::zeros(0, 0), &[]).expect("valid");
        assert!(c.payments.is_empty());
        let f = furfine(&DMatrix::zeros(0, 0), &[], &[], 0.5, 3).expect("valid");
        assert_eq!(f.rounds, 0);
    }

    /// Furfine chain: X[(1,0)] = 10 (B lent to A), X[(2,1)] = 10 (C lent to B).
    /// Capital = [5, 4, 6], A fails initially, lgd = 0.5.
    /// Round 1: B loses 0.5*10 = 5 > 4 -> fails in round 1.
    /// Round 2: C loses 0.5*10 = 5 < 6 -> survives. Round 2 has no new
    /// failure, so rounds = 2, losses = [0, 5, 5].
    #[test]
    fn furfine_chain_hand_example() {
        let mut x = DMatrix::zeros(3, 3);
        x[(1, 0)] = 10.0;
        x[(2, 1)] = 10.0;
        let r = furfine(&x, &[5.0, 4.0, 6.0], &[true, false, false], 0.5, 10).expect("valid");
        assert_eq!(r.failed, vec![true, true, false]);
        assert_eq!(r.failed_round, vec![Some(0), Some(1), None]);
        assert_vec_close(&r.losses, &[0.0, 5.0, 5.0], 1e-12);
        assert_eq!(r.rounds, 2);
        assert!(!r.hit_limit);

        // With lgd = 0.6 C loses exactly its capital 6: left with exactly zero, it survives
        // (losses must exceed capital); with lgd = 0.7 it loses 7 > 6 and fails in round 2.
        let r = furfine(&x, &[5.0, 4.0, 6.0], &[true, false, false], 0.6, 10).expect("valid");
        assert_eq!(6.0 - r.losses[2], 0.0);
        assert_eq!(r.failed_round, vec![Some(0), Some(1), None]);
        assert_eq!(r.rounds, 2);
        let r = furfine(&x, &[5.0, 4.0, 6.0], &[true, false, false], 0.7, 10).expect("valid");
        assert_eq!(r.failed_round, vec![Some(0), Some(1), Some(2)]);
        assert_eq!(r.rounds, 3);
        // Limit of one round: B's failure is never propagated.
        let r = furfine(&x, &[5.0, 4.0, 6.0], &[true, false, false], 0.7, 1).expect("valid");
        assert_eq!(r.failed, vec![true, true, false]);
        assert!(r.hit_limit);
        assert_eq!(r.rounds, 1);
    }

    /// The failure rule at its boundary: a bank that starts with capital exactly 0 and loses
    /// nothing, or whose losses equal its capital exactly, survives; a bank with capital below
    /// 0 fails in round 0.
    #[test]
    fn furfine_equity_exactly_zero_survives() {
        let mut x = DMatrix::zeros(3, 3);
        x[(1, 0)] = 4.0; // B lent 4 to A
        // A fails; B has capital 4 and loses exactly 4; C starts at exactly 0 and lends nothing.
        let r = furfine(&x, &[1.0, 4.0, 0.0], &[true, false, false], 1.0, 10).expect("valid");
        assert_eq!(r.failed, vec![true, false, false]);
        assert_eq!(r.losses[1], 4.0);
        // C starting below zero fails at once; B one unit short fails in round 1.
        let r = furfine(&x, &[1.0, 3.0, -1e-300], &[true, false, false], 1.0, 10).expect("valid");
        assert_eq!(r.failed_round, vec![Some(0), Some(1), Some(0)]);
    }

    /// Eisenberg–Noe at the boundary: a bank whose assets cover its debts exactly (zero
    /// equity) pays in full and is not in default.
    #[test]
    fn en_equity_exactly_zero_pays_in_full() {
        // A owes B 10 and holds 10 of external assets: equity exactly 0.
        let l = DMatrix::from_row_slice(2, 2, &[0.0, 10.0, 0.0, 0.0]);
        let c = eisenberg_noe(&l, &[10.0, 0.0]).expect("valid");
        assert_eq!(c.payments, vec![10.0, 0.0]);
        assert_eq!(c.defaulted, vec![false, false]);
        let c = eisenberg_noe(&l, &[9.0, 0.0]).expect("valid");
        assert_eq!(c.defaulted, vec![true, false]);
    }

    // ----- property tests -----

    /// Random network: n in 2..=12, about half the off-diagonal cells zero.
    fn network() -> impl Strategy<Value = (DMatrix<f64>, Vec<f64>)> {
        (2usize..=12).prop_flat_map(|n| {
            (
                proptest::collection::vec(prop_oneof![Just(0.0), 0.0..10.0f64], n * n),
                proptest::collection::vec(prop_oneof![Just(0.0), 0.0..8.0f64, -6.0..0.0f64], n),
            )
                .prop_map(move |(cells, e)| {
                    let l =
                        DMatrix::from_fn(n, n, |i, j| if i == j { 0.0 } else { cells[i * n + j] });
                    (l, e)
                })
        })
    }

    /// The clearing map of Rogers–Veraart (EN when alpha = beta = 1).
    fn phi(l: &DMatrix<f64>, e: &[f64], alpha: f64, beta: f64, p: &[f64]) -> Vec<f64> {
        let n = e.len();
        let pbar: Vec<f64> = (0..n).map(|i| l.row(i).sum()).collect();
        let pi = relative_liabilities(l, &pbar);
        let inflow = inflows(&pi, p);
        (0..n)
            .map(|i| {
                let eff = if e[i] >= 0.0 { alpha * e[i] } else { e[i] };
                if e[i] + inflow[i] >= pbar[i] {
                    pbar[i]
                } else {
                    (eff + beta * inflow[i]).max(0.0)
                }
            })
            .collect()
    }

    /// The contract when the limit was hit: the payments are a point of the monotone descent
    /// from `pbar` (`0 <= phi(p) <= p <= pbar`), so the greatest fixed point is below them, and
    /// they are not a fixed point (else the limit would not have been reported).
    fn check_upper_bound(
        l: &DMatrix<f64>,
        e: &[f64],
        alpha: f64,
        beta: f64,
        c: &Clearing,
    ) -> Result<(), TestCaseError> {
        let n = e.len();
        let pbar: Vec<f64> = (0..n).map(|i| l.row(i).sum()).collect();
        let scale = pbar.iter().chain(e).fold(1.0f64, |m, &v| m.max(v));
        prop_assert!(
            e.iter().any(|&x| x < 0.0),
            "the limit with no negative net worth"
        );
        let image = phi(l, e, alpha, beta, &c.payments);
        let mut gap: f64 = 0.0;
        for i in 0..n {
            prop_assert!(c.payments[i] >= 0.0 && c.payments[i] <= pbar[i]);
            prop_assert!(
                image[i] <= c.payments[i] + 1e-12 * scale,
                "not descending at {}",
                i
            );
            gap = gap.max(c.payments[i] - image[i]);
        }
        prop_assert!(gap > 0.0, "a fixed point reported as hitting the limit");
        Ok(())
    }

    fn check_clearing_properties(
        l: &DMatrix<f64>,
        e: &[f64],
        alpha: f64,
        beta: f64,
        c: &Clearing,
    ) -> Result<(), TestCaseError> {
        let n = e.len();
        let pbar: Vec<f64> = (0..n).map(|i| l.row(i).sum()).collect();
        let scale = pbar.iter().chain(e).fold(1.0f64, |m, &v| m.max(v));
        let tol = 1e-9 * scale;
        let received = c
            .received(l)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        if c.hit_limit {
            return check_upper_bound(l, e, alpha, beta, c);
        }
        for i in 0..n {
            let p = c.payments[i];
            // 0 <= p <= pbar
            prop_assert!(p >= 0.0 && p <= pbar[i], "p[{}]={} pbar={}", i, p, pbar[i]);
            let full = e[i] + received[i];
            if c.defaulted[i] {
                // limited liability: pays everything it has (after costs and senior claims)
                let eff = if e[i] >= 0.0 { alpha * e[i] } else { e[i] };
                prop_assert!((p - (eff + beta * received[i]).max(0.0)).abs() <= tol);
                prop_assert!(full <= pbar[i] + tol);
            } else {
                // absolute priority: pays in full, non-negative residual equity
                prop_assert!((p - pbar[i]).abs() <= tol);
                prop_assert!(full >= pbar[i] - tol);
            }
            // absolute priority: paid in full, or the residual (after costs and senior external
            // claims) is zero, or it is negative and the bank pays nothing
            let eff = if e[i] >= 0.0 { alpha * e[i] } else { e[i] };
            let residual = if c.defaulted[i] {
                eff + beta * received[i] - p
            } else {
                0.0
            };
            prop_assert!(
                (p - pbar[i]).abs() <= tol
                    || residual.abs() <= tol
                    || (residual < 0.0 && p.abs() <= tol)
            );
        }
        // conservation: paid == received
        let paid: f64 = c.payments.iter().sum();
        let got: f64 = received.iter().sum();
        prop_assert!((paid - got).abs() <= tol * n as f64);
        // fixed point of the map
        let image = phi(l, e, alpha, beta, &c.payments);
        for i in 0..n {
            prop_assert!(
                (image[i] - c.payments[i]).abs() <= tol,
                "fixed point at {}",
                i
            );
        }
        // greatest: Picard iterates from pbar decrease to the greatest fixed
        // point and never drop below it.
        let mut q = pbar.clone();
        let mut converged = false;
        for _ in 0..200_000 {
            let next = phi(l, e, alpha, beta, &q);
            let change = next
                .iter()
                .zip(&q)
                .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
            q = next;
            for i in 0..n {
                prop_assert!(q[i] >= c.payments[i] - tol, "Picard below result at {}", i);
            }
            if change <= 1e-14 * scale {
                converged = true;
                break;
            }
        }
        if converged {
            for i in 0..n {
                prop_assert!(
                    (q[i] - c.payments[i]).abs() <= 1e-7 * scale,
                    "not greatest at {}",
                    i
                );
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn en_properties((l, e) in network()) {
            let c = eisenberg_noe(&l, &e).map_err(|e| TestCaseError::fail(e.to_string()))?;
            check_clearing_properties(&l, &e, 1.0, 1.0, &c)?;
        }

        #[test]
        fn rv_properties((l, e) in network(), alpha in 0.0..=1.0f64, beta in 0.0..=1.0f64) {
            let c = rogers_veraart(&l, &e, alpha, beta).map_err(|e| TestCaseError::fail(e.to_string()))?;
            check_clearing_properties(&l, &e, alpha, beta, &c)?;
        }

        #[test]
        fn rv_unit_costs_equal_en((l, e) in network()) {
            let en = eisenberg_noe(&l, &e).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let rv = rogers_veraart(&l, &e, 1.0, 1.0).map_err(|e| TestCaseError::fail(e.to_string()))?;
            for i in 0..e.len() {
                prop_assert!((en.payments[i] - rv.payments[i]).abs() <= 1e-9);
            }
            prop_assert_eq!(en.defaulted, rv.defaulted);
        }

        #[test]
        fn rv_costs_never_increase_payments((l, e) in network(), alpha in 0.0..=1.0f64, beta in 0.0..=1.0f64) {
            let en = eisenberg_noe(&l, &e).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let rv = rogers_veraart(&l, &e, alpha, beta).map_err(|e| TestCaseError::fail(e.to_string()))?;
            for i in 0..e.len() {
                prop_assert!(rv.payments[i] <= en.payments[i] + 1e-9);
                prop_assert!(!en.defaulted[i] || rv.defaulted[i]);
            }
        }

        #[test]
        fn furfine_properties((x, cap) in network(), lgd in 0.0..=1.0f64, first in 0usize..12) {
            let n = cap.len();
            let mut init = vec![false; n];
            init[first % n] = true;
            let r = furfine(&x, &cap, &init, lgd, n + 1).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(!r.hit_limit);
            for i in 0..n {
                // losses equal lgd times exposures to failed banks
                let expected: f64 = (0..n).filter(|&j| r.failed[j]).map(|j| lgd * x[(i, j)]).sum();
                prop_assert!((r.losses[i] - expected).abs() <= 1e-9);
                // survivors keep capital >= 0; failures (other than initial ones) lost more
                if r.failed[i] {
                    prop_assert!(init[i] || cap[i] - r.losses[i] < 0.0);
                } else {
                    prop_assert!(cap[i] - r.losses[i] >= 0.0);
                    prop_assert!(r.failed_round[i].is_none());
                }
            }
        }
    }
}
