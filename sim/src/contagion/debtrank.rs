//! DebtRank contagion measures: the original single-hit algorithm of
//! Battiston et al. (2012, Sci. Rep. 2:541) and the differential DebtRank of
//! Bardoscia et al. (2015, "DebtRank: a microscopic foundation for shock propagation",
//! PLoS ONE 10(6): e0130406).
//!
//! Impact matrix: `W[(i, j)] = min(1, X[(i, j)] / E_i)`, the relative loss of
//! bank `i`'s equity if its debtor `j` defaults (`X[(i, j)]` = amount `i` lent
//! to `j`, `E_i` = `i`'s initial equity). Distress `h_i` in `[0, 1]` is the
//! relative equity loss of bank `i`.
//!
//! The single-hit algorithm uses this capped `W`, as Battiston et al. (2012) do. The differential
//! algorithm follows Bardoscia et al. (2015): it propagates with the uncapped interbank leverage
//! matrix `Lambda[(i, j)] = X[(i, j)] / E_i` and caps only the distress `h_i` at 1, so a partial
//! increment of a borrower's distress costs a lender `Lambda` times it even when the exposure
//! exceeds the lender's equity. The two differ only where some `X[(i, j)] > E_i`.
//!
//! Weighting choice: the reported value uses weights `v_i = E_i^+ / sum_k E_k^+`
//! (each bank's share of the system's positive initial equity), so `total`
//! is the fraction of system equity lost and lies in `[0, 1]`. Banks with
//! `E_i <= 0` get weight 0, are treated as already fully distressed
//! (`h_i(1) = 1` whatever `initial_distress` says), have a zero row in `W`,
//! and propagate their distress like any other initially distressed bank.
//! (This is DebtRank's convention for a bank with no equity to lose, whose relative loss is
//! undefined; it decides distress, not failure. The engine's failure rule is `E_i < 0`,
//! MODEL.md §5.6.)
//! If no bank has positive equity, all weights are 0 and so are `value` and
//! `total`.
//!
//! Battiston et al. (2012) weight each bank by its *relative economic value*, which the user
//! supplies (a share of total assets, of interbank liabilities, ...): the `_weighted` variants,
//! [`debtrank_single_hit_weighted`] and [`debtrank_differential_weighted`], take those weights
//! (non-negative, normalised here to sum to 1) instead of the equity shares.

use super::ContagionError;
use super::error::{
    check_finite, check_len, check_matrix_nonneg, check_nonneg, check_square, check_unit_vec,
    invalid,
};
use nalgebra::DMatrix;

/// Convergence tolerance of [`debtrank_differential`]: the iteration stops
/// once no `h_i` changes by more than this.
pub const DIFFERENTIAL_TOL: f64 = 1e-14;

/// Result of a DebtRank computation.
#[derive(Debug, Clone, PartialEq)]
pub struct DebtRank {
    /// Final distress `h_i(T)` of each bank, in `[0, 1]`.
    pub distress: Vec<f64>,
    /// DebtRank proper, `R = sum_i h_i(T) v_i - sum_i h_i(1) v_i`: the
    /// equity-weighted distress caused by propagation, excluding the initial
    /// shock.
    pub value: f64,
    /// `sum_i h_i(T) v_i`: total equity-weighted distress, initial shock included.
    pub total: f64,
    /// Number of update steps performed (0 if nothing propagates).
    pub rounds: usize,
    /// `true` if `max_rounds` was reached before the dynamics stopped.
    pub hit_limit: bool,
}

/// Validated inputs shared by both algorithms.
struct Prepared {
    w: DMatrix<f64>,
    h1: Vec<f64>,
    v: Vec<f64>,
}

/// Builds the impact matrix, the initial distress and the weights (the equity shares, or the
/// given `weights` normalised to sum to 1).
fn prepare(
    exposures: &DMatrix<f64>,
    equity: &[f64],
    initial_distress: &[f64],
    weights: Option<&[f64]>,
    capped: bool,
) -> Result<Prepared, ContagionError> {
    let n = check_square("exposures", exposures)?;
    check_matrix_nonneg("exposures", exposures, true)?;
    check_len("equity", equity.len(), n)?;
    check_finite("equity", equity)?;
    check_len("initial_distress", initial_distress.len(), n)?;
    check_unit_vec("initial_distress", initial_distress)?;
    let v = match weights {
        None => value_weights(equity),
        Some(w) => given_weights(w, n)?,
    };
    Ok(Prepared {
        w: if capped {
            impact_matrix_unchecked(exposures, equity)
        } else {
            leverage_matrix(exposures, equity)
        },
        h1: (0..n)
            .map(|i| {
                if equity[i] > 0.0 {
                    initial_distress[i]
                } else {
                    1.0
                }
            })
            .collect(),
        v,
    })
}

/// Given relative economic values, checked (length `n`, finite, `>= 0`, positive sum) and
/// normalised to sum to 1.
fn given_weights(w: &[f64], n: usize) -> Result<Vec<f64>, ContagionError> {
    check_len("weights", w.len(), n)?;
    check_nonneg("weights", w)?;
    let total: f64 = w.iter().sum();
    if !(total > 0.0 && total.is_finite()) {
        return Err(invalid(
            "weights (sum)".to_string(),
            total,
            "relative economic values must have a finite, positive sum",
        ));
    }
    Ok(w.iter().map(|x| x / total).collect())
}

/// Impact matrix `W[(i, j)] = min(1, X[(i, j)] / E_i)`, with a zero row for
/// banks with `E_i <= 0`.
///
/// Errors: `exposures` not square, negative/non-finite or non-zero diagonal;
/// `equity` of the wrong length or non-finite.
pub fn impact_matrix(
    exposures: &DMatrix<f64>,
    equity: &[f64],
) -> Result<DMatrix<f64>, ContagionError> {
    let n = check_square("exposures", exposures)?;
    check_matrix_nonneg("exposures", exposures, true)?;
    check_len("equity", equity.len(), n)?;
    check_finite("equity", equity)?;
    Ok(impact_matrix_unchecked(exposures, equity))
}

fn impact_matrix_unchecked(exposures: &DMatrix<f64>, equity: &[f64]) -> DMatrix<f64> {
    let n = equity.len();
    DMatrix::from_fn(n, n, |i, j| {
        if equity[i] > 0.0 {
            (exposures[(i, j)] / equity[i]).min(1.0)
        } else {
            0.0
        }
    })
}

/// Interbank leverage matrix `Lambda[(i, j)] = X[(i, j)] / E_i` (uncapped; a zero row for banks
/// with `E_i <= 0`), the propagation matrix of differential DebtRank.
fn leverage_matrix(exposures: &DMatrix<f64>, equity: &[f64]) -> DMatrix<f64> {
    let n = equity.len();
    DMatrix::from_fn(n, n, |i, j| {
        if equity[i] > 0.0 {
            exposures[(i, j)] / equity[i]
        } else {
            0.0
        }
    })
}

/// Relative economic value `v_i = max(E_i, 0) / sum_k max(E_k, 0)` (all zero
/// if no bank has positive equity).
fn value_weights(equity: &[f64]) -> Vec<f64> {
    let total: f64 = equity.iter().map(|e| e.max(0.0)).sum();
    if total > 0.0 && total.is_finite() {
        equity.iter().map(|e| e.max(0.0) / total).collect()
    } else {
        vec![0.0; equity.len()]
    }
}

/// The non-zero entries of each column `j` of `w`, as `(i, w[(i, j)])` with `i` ascending.
///
/// The updates sum `w[(i, j)] x_j` over `j` for each `i`; scattering each column's non-zero
/// terms into `add[i]` in ascending `j` adds the same non-zero terms in the same order as the
/// dense row sum (whose other terms are `+0`, which leave a sum unchanged), so the results are
/// bit-identical to the dense form (`sparse_updates_match_the_dense_form_bit_for_bit`) at a
/// cost proportional to the links rather than to `n^2`.
fn sparse_columns(w: &DMatrix<f64>) -> Vec<Vec<(usize, f64)>> {
    (0..w.ncols())
        .map(|j| {
            w.column(j)
                .iter()
                .enumerate()
                .filter(|&(_, &x)| x != 0.0)
                .map(|(i, &x)| (i, x))
                .collect()
        })
        .collect()
}

fn finish(h: Vec<f64>, h1: &[f64], v: &[f64], rounds: usize, hit_limit: bool) -> DebtRank {
    let total: f64 = h.iter().zip(v).map(|(a, b)| a * b).sum();
    let initial: f64 = h1.iter().zip(v).map(|(a, b)| a * b).sum();
    DebtRank {
        distress: h,
        value: total - initial,
        total,
        rounds,
        hit_limit,
    }
}

/// Node state in the single-hit algorithm.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Undistressed,
    Distressed,
    Inactive,
}

/// Original (single-hit) DebtRank of Battiston et al. (2012).
///
/// `initial_distress[i]` = `h_i(1)` in `[0, 1]`; banks with `h_i(1) > 0` start
/// Distressed, the others Undistressed. For `t >= 2`:
/// `h_i(t) = min(1, h_i(t-1) + sum_{j Distressed at t-1} W[(i, j)] h_j(t-1))`
/// for every bank; then a bank Distressed at `t-1` becomes Inactive, and an
/// Undistressed bank with `h_i(t) > 0` becomes Distressed. Each bank thus
/// propagates its distress exactly once (distress it receives after having
/// propagated is recorded but not passed on). Stops when no bank is
/// Distressed (at most `n` steps) or after `max_rounds` steps (`hit_limit`).
///
/// Errors: invalid `exposures` (see [`impact_matrix`]), `equity` or
/// `initial_distress` of the wrong length, non-finite equity, distress
/// outside `[0, 1]`.
pub fn debtrank_single_hit(
    exposures: &DMatrix<f64>,
    equity: &[f64],
    initial_distress: &[f64],
    max_rounds: usize,
) -> Result<DebtRank, ContagionError> {
    single_hit(
        prepare(exposures, equity, initial_distress, None, true)?,
        max_rounds,
    )
}

/// [`debtrank_single_hit`] with each bank weighted by a given relative economic value
/// `weights[i]` (Battiston et al. 2012, e.g. its share of total assets) instead of its equity
/// share: `value = sum_i (h_i(T) - h_i(1)) v_i` with `v = weights / sum(weights)`.
///
/// Errors: as [`debtrank_single_hit`], plus `weights` of the wrong length, negative or
/// non-finite, or summing to zero.
pub fn debtrank_single_hit_weighted(
    exposures: &DMatrix<f64>,
    equity: &[f64],
    initial_distress: &[f64],
    weights: &[f64],
    max_rounds: usize,
) -> Result<DebtRank, ContagionError> {
    single_hit(
        prepare(exposures, equity, initial_distress, Some(weights), true)?,
        max_rounds,
    )
}

fn single_hit(prepared: Prepared, max_rounds: usize) -> Result<DebtRank, ContagionError> {
    let Prepared { w, h1, v } = prepared;
    let n = h1.len();
    let columns = sparse_columns(&w);
    let mut h = h1.clone();
    let mut state: Vec<State> = h
        .iter()
        .map(|&x| {
            if x > 0.0 {
                State::Distressed
            } else {
                State::Undistressed
            }
        })
        .collect();
    let mut rounds = 0;
    let mut hit_limit = false;
    while state.contains(&State::Distressed) {
        if rounds >= max_rounds {
            hit_limit = true;
            break;
        }
        rounds += 1;
        let prev = h.clone();
        let mut add = vec![0.0; n];
        for j in (0..n).filter(|&j| state[j] == State::Distressed) {
            for &(i, wij) in &columns[j] {
                add[i] += wij * prev[j];
            }
        }
        for (i, hi) in h.iter_mut().enumerate() {
            *hi = (prev[i] + add[i]).min(1.0);
        }
        for i in 0..n {
            state[i] = match state[i] {
                State::Distressed | State::Inactive => State::Inactive,
                State::Undistressed if h[i] > 0.0 => State::Distressed,
                State::Undistressed => State::Undistressed,
            };
        }
    }
    Ok(finish(h, &h1, &v, rounds, hit_limit))
}

/// Differential DebtRank of Bardoscia et al. (2015).
///
/// With `h(0) = 0` and `h(1) = initial_distress`, iterate
/// `h_i(t+1) = min(1, h_i(t) + sum_j Lambda[(i, j)] (h_j(t) - h_j(t-1)))` with the uncapped
/// leverage `Lambda[(i, j)] = X[(i, j)] / E_i`:
/// every *increment* of distress is propagated, so distress reverberates
/// around cycles (unlike [`debtrank_single_hit`]). Stops when no `h_i`
/// changes by more than [`DIFFERENTIAL_TOL`], or after `max_rounds` updates
/// (`hit_limit`). Same validation as [`debtrank_single_hit`].
pub fn debtrank_differential(
    exposures: &DMatrix<f64>,
    equity: &[f64],
    initial_distress: &[f64],
    max_rounds: usize,
) -> Result<DebtRank, ContagionError> {
    differential(
        prepare(exposures, equity, initial_distress, None, false)?,
        max_rounds,
    )
}

/// [`debtrank_differential`] with each bank weighted by a given relative economic value
/// `weights[i]` instead of its equity share (see [`debtrank_single_hit_weighted`]).
///
/// Errors: as [`debtrank_single_hit_weighted`].
pub fn debtrank_differential_weighted(
    exposures: &DMatrix<f64>,
    equity: &[f64],
    initial_distress: &[f64],
    weights: &[f64],
    max_rounds: usize,
) -> Result<DebtRank, ContagionError> {
    differential(
        prepare(exposures, equity, initial_distress, Some(weights), false)?,
        max_rounds,
    )
}

fn differential(prepared: Prepared, max_rounds: usize) -> Result<DebtRank, ContagionError> {
    let Prepared { w, h1, v } = prepared;
    let n = h1.len();
    let columns = sparse_columns(&w);
    let mut h = h1.clone();
    let mut delta = h1.clone(); // h(1) - h(0)
    let mut rounds = 0;
    let mut hit_limit = false;
    loop {
        if delta.iter().all(|d| d.abs() <= DIFFERENTIAL_TOL) {
            break;
        }
        if rounds >= max_rounds {
            hit_limit = true;
            break;
        }
        rounds += 1;
        let mut add = vec![0.0; n];
        for (j, &dj) in delta.iter().enumerate().filter(|&(_, &d)| d != 0.0) {
            for &(i, wij) in &columns[j] {
                add[i] += wij * dj;
            }
        }
        let next: Vec<f64> = (0..n).map(|i| (h[i] + add[i]).min(1.0)).collect();
        for i in 0..n {
            delta[i] = next[i] - h[i];
        }
        h = next;
    }
    Ok(finish(h, &h1, &v, rounds, hit_limit))
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn assert_vec_close(a: &[f64], b: &[f64], tol: f64) {
        assert_eq!(a.len(), b.len());
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!((x - y).abs() <= tol, "index {i}: {x} vs {y}");
        }
    }

    /// Chain A <- B <- C: B lent 5 to A, C lent 5 to B, E = [10, 10, 10].
    /// W[(1,0)] = 5/10 = 0.5, W[(2,1)] = 0.5. A defaults: h(1) = [1, 0, 0].
    /// Single hit: t=2: h_B = 0.5*1 = 0.5; t=3: h_C = 0.5*0.5 = 0.25;
    /// t=4: C propagates to nobody. h = [1, 0.5, 0.25].
    /// v = [1/3, 1/3, 1/3]: total = 1.75/3, R = 0.75/3 = 0.25.
    /// No cycle, so the differential version gives the same vector.
    #[test]
    fn chain_single_hit_and_differential_agree() {
        let mut x = DMatrix::zeros(3, 3);
        x[(1, 0)] = 5.0;
        x[(2, 1)] = 5.0;
        let e = [10.0, 10.0, 10.0];
        let h1 = [1.0, 0.0, 0.0];
        let s = debtrank_single_hit(&x, &e, &h1, 100).expect("valid");
        assert_vec_close(&s.distress, &[1.0, 0.5, 0.25], 1e-12);
        assert!((s.value - 0.25).abs() < 1e-12);
        assert!((s.total - 1.75 / 3.0).abs() < 1e-12);
        assert_eq!(s.rounds, 3);
        assert!(!s.hit_limit);
        let d = debtrank_differential(&x, &e, &h1, 100).expect("valid");
        assert_vec_close(&d.distress, &[1.0, 0.5, 0.25], 1e-12);
        assert!((d.value - 0.25).abs() < 1e-12);
    }

    /// An exposure above the lender's equity: bank 1 lent 20 to bank 0 and has E_1 = 10, so
    /// Lambda[(1, 0)] = 2 while the capped W[(1, 0)] = 1. Bank 0 starts 30% distressed.
    /// Single hit (capped W): h_1 = 1 * 0.3 = 0.3. Differential (uncapped Lambda, Bardoscia et
    /// al. 2015): h_1 = min(1, 2 * 0.3) = 0.6. With 60% distress on bank 0 the differential
    /// value saturates: min(1, 1.2) = 1.
    #[test]
    fn differential_debtrank_propagates_with_the_uncapped_leverage() {
        let mut x = DMatrix::zeros(2, 2);
        x[(1, 0)] = 20.0;
        let e = [10.0, 10.0];
        let s = debtrank_single_hit(&x, &e, &[0.3, 0.0], 100).expect("valid");
        assert_vec_close(&s.distress, &[0.3, 0.3], 1e-15);
        let d = debtrank_differential(&x, &e, &[0.3, 0.0], 100).expect("valid");
        assert_vec_close(&d.distress, &[0.3, 0.6], 1e-15);
        assert!(
            (d.value - 0.3).abs() < 1e-15,
            "v = [0.5, 0.5]: R = 0.5 * 0.6"
        );
        let d = debtrank_differential(&x, &e, &[0.6, 0.0], 100).expect("valid");
        assert_vec_close(&d.distress, &[0.6, 1.0], 1e-15);
    }

    /// Two banks with mutual exposures: X[(0,1)] = X[(1,0)] = 0.5, E = [1, 1]
    /// so W = [[0, 0.5], [0.5, 0]], v = [0.5, 0.5], h(1) = [0.2, 0].
    ///
    /// Single hit: t=2: h_0 = 0.2 (bank 0 is its only distressed neighbour),
    ///   h_1 = 0.5*0.2 = 0.1; bank 0 -> Inactive, bank 1 -> Distressed.
    ///   t=3: h_0 = 0.2 + 0.5*0.1 = 0.25, h_1 = 0.1; bank 1 -> Inactive. Stop.
    ///   h = [0.25, 0.1]; total = 0.5*0.35 = 0.175; R = 0.175 - 0.1 = 0.075.
    /// Differential: increments bounce back and forth, each pass halved, so
    ///   h = (I - W)^{-1} h(1) = (1/0.75) [[1, 0.5], [0.5, 1]] [0.2, 0]
    ///     = [0.2/0.75, 0.1/0.75] = [4/15, 2/15];
    ///   total = 0.5*(6/15) = 0.2; R = 0.2 - 0.1 = 0.1 > 0.075.
    #[test]
    fn mutual_exposure_single_hit_and_differential_differ() {
        let x = DMatrix::from_row_slice(2, 2, &[0.0, 0.5, 0.5, 0.0]);
        let e = [1.0, 1.0];
        let h1 = [0.2, 0.0];
        let s = debtrank_single_hit(&x, &e, &h1, 100).expect("valid");
        assert_vec_close(&s.distress, &[0.25, 0.1], 1e-12);
        assert!((s.total - 0.175).abs() < 1e-12);
        assert!((s.value - 0.075).abs() < 1e-12);
        assert_eq!(s.rounds, 2);
        let d = debtrank_differential(&x, &e, &h1, 1000).expect("valid");
        assert_vec_close(&d.distress, &[4.0 / 15.0, 2.0 / 15.0], 1e-12);
        assert!((d.total - 0.2).abs() < 1e-12);
        assert!((d.value - 0.1).abs() < 1e-12);
        assert!(!d.hit_limit);
        // The reverberation needs many rounds; a limit of 3 is hit.
        let d3 = debtrank_differential(&x, &e, &h1, 3).expect("valid");
        assert!(d3.hit_limit);
        assert_eq!(d3.rounds, 3);
    }

    /// Star: hub 0 borrowed 30 from each of banks 1..=3 (E = 20 each, so the
    /// impact is capped: W[(k,0)] = min(1, 30/20) = 1). Hub equity 60.
    /// Hub defaults: every spoke is fully distressed. v = [60, 20, 20, 20]/120.
    /// total = 1; R = 1 - 0.5 = 0.5. Both algorithms agree.
    #[test]
    fn star_with_capped_impact() {
        let mut x = DMatrix::zeros(4, 4);
        for k in 1..4 {
            x[(k, 0)] = 30.0;
        }
        let e = [60.0, 20.0, 20.0, 20.0];
        let h1 = [1.0, 0.0, 0.0, 0.0];
        for r in [
            debtrank_single_hit(&x, &e, &h1, 10).expect("valid"),
            debtrank_differential(&x, &e, &h1, 10).expect("valid"),
        ] {
            assert_vec_close(&r.distress, &[1.0, 1.0, 1.0, 1.0], 1e-12);
            assert!((r.total - 1.0).abs() < 1e-12);
            assert!((r.value - 0.5).abs() < 1e-12);
        }
    }

    #[test]
    fn non_positive_equity_is_fully_distressed() {
        // Bank 0 has E = 0: h_0(1) = 1 and it propagates; weight 0.
        let mut x = DMatrix::zeros(2, 2);
        x[(1, 0)] = 2.0;
        let r = debtrank_single_hit(&x, &[0.0, 4.0], &[0.0, 0.0], 10).expect("valid");
        assert_vec_close(&r.distress, &[1.0, 0.5], 1e-12);
        assert!((r.total - 0.5).abs() < 1e-12);
        assert!((r.value - 0.5).abs() < 1e-12);
        let w = impact_matrix(&x, &[0.0, 4.0]).expect("valid");
        assert_eq!(w[(1, 0)], 0.5);
        assert_eq!(w[(0, 1)], 0.0);
    }

    #[test]
    fn given_weights_are_normalised_and_checked() {
        // Chain: bank 1 lent 5 to bank 0 (its whole equity), bank 0 defaults.
        let mut x = DMatrix::zeros(2, 2);
        x[(1, 0)] = 5.0;
        let e = [10.0, 5.0];
        let h1 = [1.0, 0.0];
        // Equity weights: R = 5/15; weights (1, 3) -> v = (1/4, 3/4), R = 3/4.
        let r = debtrank_single_hit(&x, &e, &h1, 10).expect("valid");
        assert!((r.value - 1.0 / 3.0).abs() < 1e-15);
        let r = debtrank_single_hit_weighted(&x, &e, &h1, &[1.0, 3.0], 10).expect("valid");
        assert!((r.value - 0.75).abs() < 1e-15);
        assert!((r.total - 1.0).abs() < 1e-15);
        let d = debtrank_differential_weighted(&x, &e, &h1, &[2.0, 6.0], 10).expect("valid");
        assert!((d.value - 0.75).abs() < 1e-15);
        for bad in [&[1.0][..], &[1.0, -1.0], &[0.0, 0.0], &[1.0, f64::NAN]] {
            let err = debtrank_single_hit_weighted(&x, &e, &h1, bad, 10).expect_err("bad");
            assert!(err.to_string().contains("weights"), "{err}");
        }
    }

    #[test]
    fn rejects_bad_inputs() {
        let x = DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 1.0, 0.0]);
        let err = debtrank_single_hit(&x, &[1.0, 1.0], &[1.5, 0.0], 5).expect_err("h > 1");
        assert!(err.to_string().contains("initial_distress[0]"), "{err}");
        assert!(debtrank_single_hit(&x, &[1.0], &[0.0, 0.0], 5).is_err());
        assert!(debtrank_differential(&x, &[1.0, f64::INFINITY], &[0.0, 0.0], 5).is_err());
        let bad = DMatrix::from_row_slice(2, 2, &[1.0, 1.0, 1.0, 0.0]);
        assert!(debtrank_differential(&bad, &[1.0, 1.0], &[0.0, 0.0], 5).is_err());
        assert!(impact_matrix(&DMatrix::zeros(2, 3), &[1.0, 1.0]).is_err());
    }

    /// The dense updates as first written (row sums over every `j`), kept as the oracle of the
    /// sparse ones: final distress of single-hit and of differential DebtRank.
    fn dense_reference(x: &DMatrix<f64>, e: &[f64], h1: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let n = e.len();
        let Prepared { w, h1: start, .. } = prepare(x, e, h1, None, true).expect("valid");
        let mut h = start.clone();
        let mut state: Vec<State> = h
            .iter()
            .map(|&x| {
                if x > 0.0 {
                    State::Distressed
                } else {
                    State::Undistressed
                }
            })
            .collect();
        let mut rounds = 0;
        while state.contains(&State::Distressed) && rounds < 1000 {
            rounds += 1;
            let prev = h.clone();
            for (i, hi) in h.iter_mut().enumerate() {
                let add: f64 = (0..n)
                    .filter(|&j| state[j] == State::Distressed)
                    .map(|j| w[(i, j)] * prev[j])
                    .sum();
                *hi = (prev[i] + add).min(1.0);
            }
            for i in 0..n {
                state[i] = match state[i] {
                    State::Distressed | State::Inactive => State::Inactive,
                    State::Undistressed if h[i] > 0.0 => State::Distressed,
                    State::Undistressed => State::Undistressed,
                };
            }
        }
        let single = h;
        let Prepared { w, h1: start, .. } = prepare(x, e, h1, None, false).expect("valid");
        let mut h = start.clone();
        let mut delta = start;
        let mut rounds = 0;
        while !delta.iter().all(|d| d.abs() <= DIFFERENTIAL_TOL) && rounds < 1000 {
            rounds += 1;
            let mut next = vec![0.0; n];
            for (i, nx) in next.iter_mut().enumerate() {
                let add: f64 = (0..n).map(|j| w[(i, j)] * delta[j]).sum();
                *nx = (h[i] + add).min(1.0);
            }
            for i in 0..n {
                delta[i] = next[i] - h[i];
            }
            h = next;
        }
        (single, h)
    }

    fn network() -> impl Strategy<Value = (DMatrix<f64>, Vec<f64>, Vec<f64>)> {
        (2usize..=12).prop_flat_map(|n| {
            (
                proptest::collection::vec(prop_oneof![Just(0.0), 0.0..10.0f64], n * n),
                proptest::collection::vec(-1.0..30.0f64, n),
                proptest::collection::vec(prop_oneof![Just(0.0), 0.0..=1.0f64], n),
            )
                .prop_map(move |(cells, e, h)| {
                    let x =
                        DMatrix::from_fn(n, n, |i, j| if i == j { 0.0 } else { cells[i * n + j] });
                    (x, e, h)
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn distress_bounded_and_monotone((x, e, h1) in network()) {
            let n = e.len();
            let s = debtrank_single_hit(&x, &e, &h1, n + 1).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let d = debtrank_differential(&x, &e, &h1, 100_000).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(!s.hit_limit);
            prop_assert!(s.rounds <= n);
            for i in 0..n {
                let start = if e[i] > 0.0 { h1[i] } else { 1.0 };
                for r in [&s, &d] {
                    prop_assert!(r.distress[i] >= start - 1e-15);
                    prop_assert!(r.distress[i] <= 1.0);
                }
                // differential propagates at least as much as single hit
                prop_assert!(d.distress[i] >= s.distress[i] - 1e-9);
            }
            for r in [&s, &d] {
                prop_assert!(r.value >= -1e-12);
                prop_assert!(r.total <= 1.0 + 1e-12);
                prop_assert!(r.value <= r.total + 1e-12);
            }
        }

        #[test]
        fn sparse_updates_match_the_dense_form_bit_for_bit((x, e, h1) in network()) {
            let dense = dense_reference(&x, &e, &h1);
            let s = debtrank_single_hit(&x, &e, &h1, 1000).map_err(|er| TestCaseError::fail(er.to_string()))?;
            let d = debtrank_differential(&x, &e, &h1, 1000).map_err(|er| TestCaseError::fail(er.to_string()))?;
            for i in 0..e.len() {
                prop_assert_eq!(s.distress[i].to_bits(), dense.0[i].to_bits());
                prop_assert_eq!(d.distress[i].to_bits(), dense.1[i].to_bits());
            }
        }

        #[test]
        fn no_shock_no_distress((x, e, _h) in network()) {
            let n = e.len();
            let e: Vec<f64> = e.iter().map(|v| v.abs() + 0.1).collect();
            let zero = vec![0.0; n];
            let s = debtrank_single_hit(&x, &e, &zero, 10).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let d = debtrank_differential(&x, &e, &zero, 10).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(s.total, 0.0);
            prop_assert_eq!(d.total, 0.0);
            prop_assert_eq!(d.rounds, 0);
        }
    }
}
