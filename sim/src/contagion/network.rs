//! Interbank network generation and reconstruction.
//!
//! Edge convention: an edge `(i, j)` means bank `i` has lent to bank `j`
//! (a non-zero cell `X[(i, j)]` of the exposure matrix). Edge lists are
//! sorted and never contain self loops.
//!
//! Randomness: every generator takes `uniform: &mut dyn FnMut() -> f64`,
//! which must return independent draws in the open interval `(0, 1)`. A draw
//! outside `(0, 1)` (or NaN) is reported as an error naming `uniform`. The
//! number and order of draws is documented per generator, so a caller that
//! seeds its own RNG gets reproducible networks.

use super::ContagionError;
use super::error::{check_len, check_nonneg, invalid};
use nalgebra::DMatrix;

/// Relative mismatch between total interbank assets and liabilities above
/// which the liability totals are rescaled (see [`ras`]).
pub const TOTALS_REL_TOL: f64 = 1e-9;

/// Takes one draw and checks it lies in `(0, 1)`.
fn draw(uniform: &mut dyn FnMut() -> f64) -> Result<f64, ContagionError> {
    let u = uniform();
    if u > 0.0 && u < 1.0 {
        Ok(u)
    } else {
        Err(invalid(
            "uniform (draw)".to_string(),
            u,
            "uniform draws must lie in the open interval (0, 1)",
        ))
    }
}

fn check_probability(argument: &'static str, p: f64) -> Result<(), ContagionError> {
    if (0.0..=1.0).contains(&p) {
        Ok(())
    } else {
        Err(invalid(
            argument.to_string(),
            p,
            "must be a probability in [0, 1]",
        ))
    }
}

/// Directed Erdős–Rényi graph G(n, p) with `p = mean_degree / (n - 1)`.
///
/// `mean_degree` is the expected out-degree (= expected in-degree). Exactly
/// `n (n - 1)` draws are taken, one per ordered pair `(i, j)`, `i != j`, in
/// row-major order; the edge is present if the draw is `< p`.
///
/// Errors: `mean_degree` not finite, negative, or above `n - 1`; a bad draw.
/// For `n <= 1` the result is empty (and `mean_degree` must be 0).
pub fn erdos_renyi(
    n: usize,
    mean_degree: f64,
    uniform: &mut dyn FnMut() -> f64,
) -> Result<Vec<(usize, usize)>, ContagionError> {
    let max_degree = n.saturating_sub(1) as f64;
    if !mean_degree.is_finite() || mean_degree < 0.0 || mean_degree > max_degree {
        return Err(invalid(
            "mean_degree".to_string(),
            mean_degree,
            "must be finite and in [0, n - 1]",
        ));
    }
    if n <= 1 {
        return Ok(Vec::new());
    }
    let p = mean_degree / max_degree;
    let mut edges = Vec::new();
    for i in 0..n {
        for j in 0..n {
            if i != j && draw(uniform)? < p {
                edges.push((i, j));
            }
        }
    }
    Ok(edges)
}

/// Directed core–periphery random graph.
///
/// Banks `0..n_core` form the core, `n_core..n` the periphery. Each ordered
/// pair `(i, j)`, `i != j`, is an edge (i lends to j) independently with
/// probability `p_core_core` (both core), `p_core_periphery` (i core, j
/// periphery), `p_periphery_core` (i periphery, j core) or
/// `p_periphery_periphery`. One draw per ordered pair, row-major.
///
/// Errors: `n_core > n`; a probability outside `[0, 1]`; a bad draw.
pub fn core_periphery(
    n: usize,
    n_core: usize,
    p_core_core: f64,
    p_core_periphery: f64,
    p_periphery_core: f64,
    p_periphery_periphery: f64,
    uniform: &mut dyn FnMut() -> f64,
) -> Result<Vec<(usize, usize)>, ContagionError> {
    if n_core > n {
        return Err(invalid(
            "n_core".to_string(),
            n_core as f64,
            "must not exceed n",
        ));
    }
    check_probability("p_core_core", p_core_core)?;
    check_probability("p_core_periphery", p_core_periphery)?;
    check_probability("p_periphery_core", p_periphery_core)?;
    check_probability("p_periphery_periphery", p_periphery_periphery)?;
    let mut edges = Vec::new();
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            let p = match (i < n_core, j < n_core) {
                (true, true) => p_core_core,
                (true, false) => p_core_periphery,
                (false, true) => p_periphery_core,
                (false, false) => p_periphery_periphery,
            };
            if draw(uniform)? < p {
                edges.push((i, j));
            }
        }
    }
    Ok(edges)
}

/// Barabási–Albert preferential attachment (scale-free degree distribution).
///
/// Starts from a complete graph on banks `0..=m`; each later bank `t` links
/// to `m` distinct existing banks chosen one after another with probability
/// proportional to their current (undirected) degree among those not yet
/// chosen for `t` (sampling without replacement, one draw per link, so
/// exactly `(n - m - 1) * m` draws and no rejection loop). Orientation: every
/// undirected link is returned in **both directions** (`(i, j)` and
/// `(j, i)`), i.e. reciprocal lending; callers wanting one direction can
/// thin the list themselves.
///
/// Errors: `m == 0` or `m >= n` (for `n > 0`); a bad draw. `n == 0` gives an
/// empty list.
pub fn scale_free(
    n: usize,
    m: usize,
    uniform: &mut dyn FnMut() -> f64,
) -> Result<Vec<(usize, usize)>, ContagionError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    if m == 0 || m >= n {
        return Err(invalid(
            "m".to_string(),
            m as f64,
            "must satisfy 1 <= m < n",
        ));
    }
    let mut degree = vec![0usize; n];
    let mut undirected: Vec<(usize, usize)> = Vec::new();
    for i in 0..=m {
        for j in (i + 1)..=m {
            undirected.push((i, j));
            degree[i] += 1;
            degree[j] += 1;
        }
    }
    for t in (m + 1)..n {
        let mut chosen: Vec<usize> = Vec::with_capacity(m);
        for _ in 0..m {
            let total: usize = (0..t)
                .filter(|k| !chosen.contains(k))
                .map(|k| degree[k])
                .sum();
            let target = draw(uniform)? * total as f64;
            let mut acc = 0.0;
            let mut pick = None;
            for k in (0..t).filter(|k| !chosen.contains(k)) {
                acc += degree[k] as f64;
                pick = Some(k);
                if target < acc {
                    break;
                }
            }
            // `pick` is always Some: t >= m + 1 > chosen.len() candidates exist.
            if let Some(k) = pick {
                chosen.push(k);
            }
        }
        for &k in &chosen {
            undirected.push((k, t));
            degree[k] += 1;
            degree[t] += 1;
        }
    }
    let mut edges: Vec<(usize, usize)> = undirected
        .iter()
        .flat_map(|&(a, b)| [(a, b), (b, a)])
        .collect();
    edges.sort_unstable();
    edges.dedup();
    Ok(edges)
}

/// A reconstructed exposure matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Reconstruction {
    /// Reconstructed exposures, `X[(i, j)]` = amount `i` lent to `j`; zero diagonal.
    pub exposures: DMatrix<f64>,
    /// Iterations performed (RAS sweeps, or greedy allocation steps).
    pub iterations: usize,
    /// Largest absolute deviation of any row or column sum from its target.
    pub max_error: f64,
    /// `true` if `max_error <= tol` was reached (for [`minimum_density`]:
    /// `max_error <= 1e-9 * max(1, S)`, which holds for every feasible input).
    pub converged: bool,
    /// `true` if the column (liability) totals were rescaled to match the sum
    /// of the row (asset) totals.
    pub scaled_liabilities: bool,
}

/// Validates totals and returns `(row_totals, col_totals, scaled)` with the
/// column totals rescaled if their sum differs from the row totals' sum by
/// more than [`TOTALS_REL_TOL`] (relative).
fn prepare_totals(
    row_totals: &[f64],
    col_totals: &[f64],
) -> Result<(Vec<f64>, Vec<f64>, bool), ContagionError> {
    let n = row_totals.len();
    check_len("col_totals", col_totals.len(), n)?;
    check_nonneg("row_totals", row_totals)?;
    check_nonneg("col_totals", col_totals)?;
    let sa: f64 = row_totals.iter().sum();
    let sl: f64 = col_totals.iter().sum();
    if !sa.is_finite() || !sl.is_finite() {
        return Err(invalid(
            "row_totals/col_totals (sum)".to_string(),
            if sa.is_finite() { sl } else { sa },
            "totals must have a finite sum",
        ));
    }
    let mut cols = col_totals.to_vec();
    let mut scaled = false;
    if (sa - sl).abs() > TOTALS_REL_TOL * sa.max(sl) {
        if sl <= 0.0 {
            return Err(ContagionError::Infeasible {
                message: format!(
                    "row_totals sum to {sa} but col_totals sum to 0: cannot rescale liabilities"
                ),
            });
        }
        let factor = sa / sl;
        for c in &mut cols {
            *c *= factor;
        }
        scaled = true;
    }
    Ok((row_totals.to_vec(), cols, scaled))
}

fn max_total_error(x: &DMatrix<f64>, rows: &[f64], cols: &[f64]) -> f64 {
    let n = rows.len();
    let mut err: f64 = 0.0;
    for i in 0..n {
        err = err.max((x.row(i).sum() - rows[i]).abs());
        err = err.max((x.column(i).sum() - cols[i]).abs());
    }
    err
}

/// Maximum-entropy reconstruction by RAS (iterative proportional fitting).
///
/// `row_totals[i]` = bank `i`'s total interbank assets `a_i`;
/// `col_totals[j]` = bank `j`'s total interbank liabilities `l_j`.
/// `support`: the allowed cells `(i, j)` (i lends to j); `None` means every
/// off-diagonal cell. The diagonal is always empty.
///
/// If the two totals' sums differ by more than [`TOTALS_REL_TOL`] relative,
/// the column totals are rescaled to the row totals' sum and
/// `scaled_liabilities` is set. The prior is `a_i l_j / S` on allowed cells
/// (the maximum-entropy solution without the diagonal constraint); each
/// iteration rescales all rows to their targets and then all columns.
/// `converged` is set once the largest absolute deviation of a row or column
/// sum (`max_error`, same units as the totals) is `<= tol`; otherwise the
/// loop stops after `max_iter` iterations with `converged = false` — this is
/// also what happens when the totals are infeasible on the support (for the
/// full support: some bank with `a_k + l_k > S`).
///
/// Errors: lengths differ; negative or non-finite totals; `tol` not finite
/// and `> 0`; a support cell out of range or on the diagonal; a bank with a
/// positive total but no allowed cell whose counterparty total is positive
/// (named in the message).
pub fn ras(
    row_totals: &[f64],
    col_totals: &[f64],
    support: Option<&[(usize, usize)]>,
    tol: f64,
    max_iter: usize,
) -> Result<Reconstruction, ContagionError> {
    let (rows, cols, scaled) = prepare_totals(row_totals, col_totals)?;
    if !tol.is_finite() || tol <= 0.0 {
        return Err(invalid("tol".to_string(), tol, "must be finite and > 0"));
    }
    let n = rows.len();
    let mut allowed = DMatrix::from_element(n, n, false);
    match support {
        None => {
            for i in 0..n {
                for j in 0..n {
                    allowed[(i, j)] = i != j;
                }
            }
        }
        Some(cells) => {
            for (k, &(i, j)) in cells.iter().enumerate() {
                if i >= n || j >= n {
                    return Err(ContagionError::Infeasible {
                        message: format!("support[{k}] = ({i}, {j}) is out of range for {n} banks"),
                    });
                }
                if i == j {
                    return Err(ContagionError::Infeasible {
                        message: format!(
                            "support[{k}] = ({i}, {j}) is on the diagonal (no self loans)"
                        ),
                    });
                }
                allowed[(i, j)] = true;
            }
        }
    }
    let total: f64 = rows.iter().sum();
    let mut x = DMatrix::zeros(n, n);
    for i in 0..n {
        for j in 0..n {
            if allowed[(i, j)] && rows[i] > 0.0 && cols[j] > 0.0 {
                x[(i, j)] = rows[i] * cols[j] / total;
            }
        }
    }
    for i in 0..n {
        if rows[i] > 0.0 && x.row(i).iter().all(|&v| v == 0.0) {
            return Err(ContagionError::Infeasible {
                message: format!(
                    "bank {i} has row_totals[{i}] = {} but no allowed cell to lend to a bank with positive liabilities",
                    rows[i]
                ),
            });
        }
        if cols[i] > 0.0 && x.column(i).iter().all(|&v| v == 0.0) {
            return Err(ContagionError::Infeasible {
                message: format!(
                    "bank {i} has col_totals[{i}] = {} but no allowed cell to borrow from a bank with positive assets",
                    cols[i]
                ),
            });
        }
    }
    let mut max_error = max_total_error(&x, &rows, &cols);
    let mut iterations = 0;
    while max_error > tol && iterations < max_iter {
        iterations += 1;
        for (i, &target) in rows.iter().enumerate() {
            let s = x.row(i).sum();
            if s > 0.0 {
                x.row_mut(i).scale_mut(target / s);
            }
        }
        for (j, &target) in cols.iter().enumerate() {
            let s = x.column(j).sum();
            if s > 0.0 {
                x.column_mut(j).scale_mut(target / s);
            }
        }
        max_error = max_total_error(&x, &rows, &cols);
    }
    Ok(Reconstruction {
        exposures: x,
        iterations,
        max_error,
        converged: max_error <= tol,
        scaled_liabilities: scaled,
    })
}

/// RAS reconstruction restricted to a given edge list (e.g. from
/// [`erdos_renyi`]); equivalent to `ras(row_totals, col_totals, Some(edges), tol, max_iter)`.
pub fn weighted_on_support(
    edges: &[(usize, usize)],
    row_totals: &[f64],
    col_totals: &[f64],
    tol: f64,
    max_iter: usize,
) -> Result<Reconstruction, ContagionError> {
    ras(row_totals, col_totals, Some(edges), tol, max_iter)
}

/// Sparse reconstruction in the spirit of the minimum-density method of
/// Anand, Craig & von Peter (2015), by a deterministic greedy heuristic.
///
/// Algorithm (after the same validation and liability rescaling as [`ras`]):
/// keep remaining assets `a` and liabilities `l`. Repeatedly take the bank
/// `i` with the largest remaining `a_i` and the bank `j != i` with the
/// largest remaining `l_j` (ties: lowest index), book `x = min(a_i, l_j)` on
/// `X[(i, j)]` and subtract it from both; the exhausted side is set to
/// exactly 0, so every step retires a bank's assets or liabilities and the
/// greedy phase takes at most `2n` steps and creates at most `2n - 1` links.
/// If only bank `i`'s liabilities remain for the largest lender `i`, the
/// largest *other* lender is used instead. If the greedy ends with a single
/// bank `k` holding both remaining assets and liabilities `r` (which would
/// need a self loan), an existing link `(i, j)` with `i, j != k` is rerouted:
/// `X[(i, j)] -= d`, `X[(i, k)] += d`, `X[(k, j)] += d` with
/// `d = min(r, X[(i, j)])`, which keeps every other total unchanged.
/// Amounts below `1e-13 * S` are treated as round-off and dropped.
///
/// Limits: this is a heuristic, not the ACvP optimisation (which trades off
/// link costs against deviations from the maximum-entropy matrix); it does
/// not guarantee the minimum number of links, only at most about `2n`
/// links plus a few from rerouting.
///
/// Errors: as [`ras`] for the totals; [`ContagionError::Infeasible`] naming
/// the bank if some bank has `a_k + l_k > S` (no matrix with an empty
/// diagonal matches the totals).
pub fn minimum_density(
    row_totals: &[f64],
    col_totals: &[f64],
) -> Result<Reconstruction, ContagionError> {
    let (rows, cols, scaled) = prepare_totals(row_totals, col_totals)?;
    let n = rows.len();
    let total: f64 = rows.iter().sum();
    for k in 0..n {
        if rows[k] + cols[k] > total * (1.0 + 1e-12) {
            return Err(ContagionError::Infeasible {
                message: format!(
                    "bank {k}: assets {} + liabilities {} exceed the system total {total}; no reconstruction without self loans exists",
                    rows[k], cols[k]
                ),
            });
        }
    }
    let eps = 1e-13 * total;
    let mut a = rows.clone();
    let mut l = cols.clone();
    let mut x = DMatrix::zeros(n, n);
    let argmax = |v: &[f64], skip: Option<usize>| -> Option<usize> {
        let mut best: Option<usize> = None;
        for (k, &val) in v.iter().enumerate() {
            if Some(k) == skip || val <= eps {
                continue;
            }
            match best {
                Some(b) if v[b] >= val => {}
                _ => best = Some(k),
            }
        }
        best
    };
    let mut iterations = 0;
    let mut leftover: Option<usize> = None;
    // Each step zeroes at least one entry of `a` or `l`: 2n + 1 steps suffice.
    for _ in 0..=(2 * n) {
        let Some(i) = argmax(&a, None) else {
            break;
        };
        let (i, j) = match argmax(&l, Some(i)) {
            Some(j) => (i, j),
            None => match argmax(&a, Some(i)) {
                // only bank i's liabilities remain: use another lender
                Some(i2) if l[i] > eps => (i2, i),
                _ => {
                    leftover = Some(i);
                    break;
                }
            },
        };
        iterations += 1;
        let amount = a[i].min(l[j]);
        x[(i, j)] += amount;
        if a[i] <= l[j] {
            a[i] = 0.0;
            l[j] -= amount;
        } else {
            l[j] = 0.0;
            a[i] -= amount;
        }
    }
    if let Some(k) = leftover {
        let mut r = a[k].min(l[k]);
        for i in 0..n {
            for j in 0..n {
                if r <= eps {
                    break;
                }
                if i == k || j == k || i == j || x[(i, j)] <= 0.0 {
                    continue;
                }
                let d = r.min(x[(i, j)]);
                x[(i, j)] -= d;
                x[(i, k)] += d;
                x[(k, j)] += d;
                r -= d;
                iterations += 1;
            }
        }
    }
    let max_error = max_total_error(&x, &rows, &cols);
    Ok(Reconstruction {
        exposures: x,
        iterations,
        max_error,
        converged: max_error <= 1e-9 * total.max(1.0),
        scaled_liabilities: scaled,
    })
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// SplitMix64 mapped to the open interval (0, 1): a small deterministic
    /// test RNG (no external crate).
    struct SplitMix(u64);
    impl SplitMix {
        fn next_uniform(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        }
    }

    fn rng(seed: u64) -> impl FnMut() -> f64 {
        let mut s = SplitMix(seed);
        move || s.next_uniform()
    }

    fn no_self_loops_sorted(edges: &[(usize, usize)], n: usize) {
        for w in edges.windows(2) {
            assert!(w[0] < w[1], "not sorted/unique: {:?}", w);
        }
        for &(i, j) in edges {
            assert!(i != j && i < n && j < n, "bad edge ({i}, {j})");
        }
    }

    #[test]
    fn generators_reproducible_for_same_stream() {
        let a = erdos_renyi(30, 4.0, &mut rng(7)).expect("valid");
        let b = erdos_renyi(30, 4.0, &mut rng(7)).expect("valid");
        assert_eq!(a, b);
        assert_ne!(a, erdos_renyi(30, 4.0, &mut rng(8)).expect("valid"));
        let a = core_periphery(30, 5, 0.9, 0.3, 0.3, 0.01, &mut rng(1)).expect("valid");
        let b = core_periphery(30, 5, 0.9, 0.3, 0.3, 0.01, &mut rng(1)).expect("valid");
        assert_eq!(a, b);
        let a = scale_free(50, 2, &mut rng(3)).expect("valid");
        let b = scale_free(50, 2, &mut rng(3)).expect("valid");
        assert_eq!(a, b);
    }

    #[test]
    fn generators_have_no_self_loops() {
        no_self_loops_sorted(&erdos_renyi(25, 24.0, &mut rng(1)).expect("valid"), 25);
        no_self_loops_sorted(
            &core_periphery(25, 5, 1.0, 1.0, 1.0, 1.0, &mut rng(2)).expect("valid"),
            25,
        );
        no_self_loops_sorted(&scale_free(40, 3, &mut rng(3)).expect("valid"), 40);
        // p = 1: complete directed graph.
        assert_eq!(erdos_renyi(6, 5.0, &mut rng(4)).expect("valid").len(), 30);
    }

    /// Directed G(n, p): |E| ~ Binomial(n(n-1), p), so the mean out-degree
    /// |E|/n has variance n(n-1)p(1-p)/n^2 per graph. Averaging R = 200
    /// graphs with n = 20, mean degree 3 (p = 3/19), the standard error is
    /// sqrt(20*19*p*(1-p)/400/200) ~= 0.0252; we require the average to be
    /// within 4 standard errors (~0.10) of 3 (a fixed seed, so no flakiness).
    #[test]
    fn erdos_renyi_mean_degree_within_four_standard_errors() {
        let (n, k, reps) = (20usize, 3.0f64, 200usize);
        let p = k / (n as f64 - 1.0);
        let mut u = rng(42);
        let mut sum = 0.0;
        for _ in 0..reps {
            sum += erdos_renyi(n, k, &mut u).expect("valid").len() as f64 / n as f64;
        }
        let mean = sum / reps as f64;
        let nf = n as f64;
        let se = (nf * (nf - 1.0) * p * (1.0 - p) / (nf * nf) / reps as f64).sqrt();
        assert!((mean - k).abs() <= 4.0 * se, "mean {mean}, se {se}");
    }

    #[test]
    fn core_periphery_blocks() {
        // Core-core complete, nothing else.
        let e = core_periphery(6, 3, 1.0, 0.0, 0.0, 0.0, &mut rng(5)).expect("valid");
        assert_eq!(e, vec![(0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)]);
        // Only core lends to periphery.
        let e = core_periphery(4, 1, 0.0, 1.0, 0.0, 0.0, &mut rng(5)).expect("valid");
        assert_eq!(e, vec![(0, 1), (0, 2), (0, 3)]);
    }

    #[test]
    fn scale_free_structure() {
        let (n, m) = (60usize, 2usize);
        let e = scale_free(n, m, &mut rng(9)).expect("valid");
        // seed clique (m+1 choose 2) + m per later node, each in 2 directions
        let undirected = (m + 1) * m / 2 + (n - m - 1) * m;
        assert_eq!(e.len(), 2 * undirected);
        for &(i, j) in &e {
            assert!(
                e.binary_search(&(j, i)).is_ok(),
                "missing reverse of ({i}, {j})"
            );
        }
        // every later node has out-degree >= m
        for t in 0..n {
            assert!(e.iter().filter(|&&(i, _)| i == t).count() >= m);
        }
    }

    #[test]
    fn generator_errors() {
        assert!(erdos_renyi(5, 5.0, &mut rng(1)).is_err());
        assert!(erdos_renyi(5, -1.0, &mut rng(1)).is_err());
        assert!(erdos_renyi(5, f64::NAN, &mut rng(1)).is_err());
        assert!(erdos_renyi(1, 0.0, &mut rng(1)).expect("valid").is_empty());
        let err = erdos_renyi(5, 2.0, &mut || 1.0).expect_err("bad draw");
        assert!(err.to_string().contains("uniform"), "{err}");
        assert!(core_periphery(5, 6, 0.5, 0.5, 0.5, 0.5, &mut rng(1)).is_err());
        assert!(core_periphery(5, 2, 1.5, 0.5, 0.5, 0.5, &mut rng(1)).is_err());
        assert!(scale_free(5, 0, &mut rng(1)).is_err());
        assert!(scale_free(5, 5, &mut rng(1)).is_err());
        assert!(scale_free(0, 3, &mut rng(1)).expect("valid").is_empty());
        assert!(scale_free(10, 2, &mut || 0.0).is_err());
    }

    fn assert_totals(x: &DMatrix<f64>, rows: &[f64], cols: &[f64], tol: f64) {
        for i in 0..rows.len() {
            assert_eq!(x[(i, i)], 0.0);
            assert!((x.row(i).sum() - rows[i]).abs() <= tol, "row {i}");
            assert!((x.column(i).sum() - cols[i]).abs() <= tol, "col {i}");
        }
    }

    /// Three banks with a = l = [1, 1, 1]: by symmetry the maximum-entropy
    /// matrix with empty diagonal is 0.5 in every off-diagonal cell.
    #[test]
    fn ras_symmetric_hand_example() {
        let r = ras(&[1.0, 1.0, 1.0], &[1.0, 1.0, 1.0], None, 1e-13, 1000).expect("valid");
        assert!(r.converged && !r.scaled_liabilities);
        for i in 0..3 {
            for j in 0..3 {
                let expect = if i == j { 0.0 } else { 0.5 };
                assert!((r.exposures[(i, j)] - expect).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn ras_rescales_mismatched_totals_and_respects_support() {
        // Liabilities sum to 6 instead of 3: rescaled by 1/2.
        let r = ras(&[1.0, 1.0, 1.0], &[2.0, 2.0, 2.0], None, 1e-12, 1000).expect("valid");
        assert!(r.scaled_liabilities && r.converged);
        assert_totals(&r.exposures, &[1.0, 1.0, 1.0], &[1.0, 1.0, 1.0], 1e-9);
        // Ring support 0->1->2->0 forces the unique solution X = ring of 1s.
        let ring = [(0, 1), (1, 2), (2, 0)];
        let r = weighted_on_support(&ring, &[1.0, 1.0, 1.0], &[1.0, 1.0, 1.0], 1e-12, 100)
            .expect("valid");
        assert!(r.converged);
        assert!((r.exposures[(0, 1)] - 1.0).abs() < 1e-12);
        assert_eq!(r.exposures[(1, 0)], 0.0);
    }

    #[test]
    fn ras_errors() {
        // Bank 2 has assets but no allowed cell at all.
        let err = ras(
            &[1.0, 0.0, 1.0],
            &[0.0, 2.0, 0.0],
            Some(&[(0, 1)]),
            1e-9,
            10,
        )
        .expect_err("no cell");
        assert!(err.to_string().contains("bank 2"), "{err}");
        assert!(ras(&[1.0], &[1.0, 1.0], None, 1e-9, 10).is_err());
        assert!(ras(&[1.0, -1.0], &[1.0, 1.0], None, 1e-9, 10).is_err());
        assert!(ras(&[1.0, 1.0], &[1.0, 1.0], Some(&[(0, 0)]), 1e-9, 10).is_err());
        assert!(ras(&[1.0, 1.0], &[1.0, 1.0], Some(&[(0, 5)]), 1e-9, 10).is_err());
        assert!(ras(&[1.0, 1.0], &[1.0, 1.0], None, 0.0, 10).is_err());
        assert!(ras(&[1.0, 1.0], &[0.0, 0.0], None, 1e-9, 10).is_err());
        // Infeasible on the full support (a_0 + l_0 = 4 > S = 3): no convergence.
        let r = ras(&[2.0, 1.0], &[2.0, 1.0], None, 1e-9, 50).expect("runs");
        assert!(!r.converged);
        assert_eq!(r.iterations, 50);
        let err = minimum_density(&[2.0, 1.0], &[2.0, 1.0]).expect_err("infeasible");
        assert!(err.to_string().contains("bank 0"), "{err}");
    }

    /// a = [5, 3, 2], l = [4, 4, 2], S = 10 (feasible: a_k + l_k <= 10).
    /// Greedy: (0 -> 1) 4  [a0 = 1, l1 = 0]; (1 -> 0) 3 [a1 = 0, l0 = 1];
    /// (2 -> 0) 1 [a2 = 1, l0 = 0]; tie a0 = a2 = 1 -> bank 0: (0 -> 2) 1
    /// [a0 = 0, l2 = 1]. Left: bank 2 with a2 = l2 = 1 (self loan needed).
    /// Reroute through link (0, 1): X01 = 3, X02 = 1 + 1 = 2, X21 = 1.
    /// Final: X01 = 3, X02 = 2, X10 = 3, X20 = 1, X21 = 1 (5 links).
    #[test]
    fn minimum_density_hand_example_with_reroute() {
        let r = minimum_density(&[5.0, 3.0, 2.0], &[4.0, 4.0, 2.0]).expect("valid");
        let expected =
            DMatrix::from_row_slice(3, 3, &[0.0, 3.0, 2.0, 3.0, 0.0, 0.0, 1.0, 1.0, 0.0]);
        assert!(
            (r.exposures.clone() - expected).abs().max() < 1e-12,
            "{}",
            r.exposures
        );
        assert!(r.converged);
        assert_totals(&r.exposures, &[5.0, 3.0, 2.0], &[4.0, 4.0, 2.0], 1e-12);
    }

    fn count_links(x: &DMatrix<f64>) -> usize {
        x.iter().filter(|&&v| v > 0.0).count()
    }

    /// Feasible totals: row/column sums of a random non-negative matrix with
    /// empty diagonal; the support is that matrix's non-zero pattern.
    fn feasible() -> impl Strategy<Value = (DMatrix<f64>, Vec<(usize, usize)>)> {
        (2usize..=12).prop_flat_map(|n| {
            proptest::collection::vec(prop_oneof![Just(0.0), 0.1..10.0f64], n * n).prop_map(
                move |cells| {
                    let x =
                        DMatrix::from_fn(n, n, |i, j| if i == j { 0.0 } else { cells[i * n + j] });
                    let support: Vec<(usize, usize)> = (0..n)
                        .flat_map(|i| (0..n).map(move |j| (i, j)))
                        .filter(|&(i, j)| x[(i, j)] > 0.0)
                        .collect();
                    (x, support)
                },
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

        #[test]
        fn ras_matches_totals_on_support((x, support) in feasible()) {
            let n = x.nrows();
            let rows: Vec<f64> = (0..n).map(|i| x.row(i).sum()).collect();
            let cols: Vec<f64> = (0..n).map(|j| x.column(j).sum()).collect();
            let r = ras(&rows, &cols, Some(&support), 1e-11, 20_000)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(r.converged, "max_error {}", r.max_error);
            for i in 0..n {
                prop_assert_eq!(r.exposures[(i, i)], 0.0);
                prop_assert!((r.exposures.row(i).sum() - rows[i]).abs() <= 1e-9);
                prop_assert!((r.exposures.column(i).sum() - cols[i]).abs() <= 1e-9);
                for j in 0..n {
                    if r.exposures[(i, j)] > 0.0 {
                        prop_assert!(support.contains(&(i, j)), "cell ({}, {}) off support", i, j);
                    }
                    prop_assert!(r.exposures[(i, j)] >= 0.0);
                }
            }
        }

        #[test]
        fn minimum_density_matches_totals_and_is_sparser((x, _support) in feasible()) {
            let n = x.nrows();
            let rows: Vec<f64> = (0..n).map(|i| x.row(i).sum()).collect();
            let cols: Vec<f64> = (0..n).map(|j| x.column(j).sum()).collect();
            let md = minimum_density(&rows, &cols).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(md.converged);
            for i in 0..n {
                prop_assert_eq!(md.exposures[(i, i)], 0.0);
                prop_assert!((md.exposures.row(i).sum() - rows[i]).abs() <= 1e-9);
                prop_assert!((md.exposures.column(i).sum() - cols[i]).abs() <= 1e-9);
                for j in 0..n {
                    prop_assert!(md.exposures[(i, j)] >= 0.0);
                }
            }
            let full = ras(&rows, &cols, None, 1e-9, 20_000).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(count_links(&md.exposures) <= count_links(&full.exposures));
        }

        #[test]
        fn erdos_renyi_reproducible_and_loop_free(n in 0usize..30, k in 0.0..1.0f64, seed in any::<u64>()) {
            let mean = k * n.saturating_sub(1) as f64;
            let a = erdos_renyi(n, mean, &mut rng(seed)).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let b = erdos_renyi(n, mean, &mut rng(seed)).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&a, &b);
            for &(i, j) in &a {
                prop_assert!(i != j && i < n && j < n);
            }
        }
    }
}
