//! Monte Carlo aggregates: summaries, type-7 quantiles, tail risk, binomial and paired-difference
//! confidence intervals, Student t quantiles and Pearson correlation.
//!
//! Reproducibility: every sum runs sequentially in index order of the input slice (no
//! parallelism, no hashing), and sorting uses [`f64::total_cmp`], a total order, so results are
//! bit-identical for identical inputs.
//!
//! NaN policy: no function here produces NaN from finite data and NaN-free parameters, including
//! empty samples, single observations and zero-variance samples, except [`student_t_quantile`]
//! for an invalid probability or degrees of freedom (documented there). NaN in the data or
//! parameters propagates to the affected outputs as documented per function; infinite data are
//! handled by the quantile functions but make means and variances infinite or NaN.

use std::error::Error;
use std::fmt;

use super::normal;

/// Mean, standard deviation (n-1), standard error of the mean, min, max, and the requested quantiles.
///
/// An empty sample (`n = 0`, e.g. an empty shard) has no statistic: its numeric fields are 0
/// placeholders that must not be shown as values. [`Summary::observed`] returns `None` for it, and
/// it serialises with `null` for the mean, standard deviation, standard error, min, max and every
/// quantile value (a summary with observations serialises its numbers as before).
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// Number of observations.
    pub n: usize,
    /// Arithmetic mean (0 for an empty sample: no statistic, see [`Summary::observed`]).
    pub mean: f64,
    /// Sample standard deviation with the n - 1 denominator (0 when n < 2).
    pub std_dev: f64,
    /// Standard error of the mean, `std_dev / sqrt(n)` (0 when n < 2).
    pub std_error: f64,
    /// Smallest observation (0 for an empty sample).
    pub min: f64,
    /// Largest observation (0 for an empty sample).
    pub max: f64,
    /// `(probability, value)` pairs, one per requested probability, in request order; values are
    /// type-7 quantiles as in [`quantile_sorted`].
    pub quantiles: Vec<(f64, f64)>,
}

impl Summary {
    /// The summary when it has at least one observation; `None` for an empty sample, which has no
    /// mean, spread, extremes or quantiles to report.
    pub fn observed(&self) -> Option<&Summary> {
        (self.n > 0).then_some(self)
    }
}

impl serde::Serialize for Summary {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        // `None` (null) in place of every statistic of an empty sample.
        let stat = |x: f64| (self.n > 0).then_some(x);
        let mut st = serializer.serialize_struct("Summary", 7)?;
        st.serialize_field("n", &self.n)?;
        st.serialize_field("mean", &stat(self.mean))?;
        st.serialize_field("std_dev", &stat(self.std_dev))?;
        st.serialize_field("std_error", &stat(self.std_error))?;
        st.serialize_field("min", &stat(self.min))?;
        st.serialize_field("max", &stat(self.max))?;
        let quantiles: Vec<(f64, Option<f64>)> =
            self.quantiles.iter().map(|&(p, v)| (p, stat(v))).collect();
        st.serialize_field("quantiles", &quantiles)?;
        st.end()
    }
}

/// Summarizes a sample: mean, standard deviation, standard error, min, max and type-7 quantiles
/// at each of `probs`.
///
/// Mean and variance use two passes in index order (the variance with the usual correction term
/// for the rounding error of the mean); a sample whose values are all equal gets exactly that
/// value as mean and exactly 0 as standard deviation.
///
/// * `n = 0`: every field is 0 and every quantile value is 0 (the probabilities are kept).
/// * `n = 1`: `std_dev = std_error = 0`, and mean, min, max and all quantiles equal the value.
///
/// A NaN in `xs` makes mean, standard deviation and standard error NaN; min and max skip NaN;
/// quantiles see NaN sorted by [`f64::total_cmp`] (positive NaN last). Sums of finite values are
/// assumed not to overflow (|x| well below 1e300).
pub fn summarize(xs: &[f64], probs: &[f64]) -> Summary {
    let n = xs.len();
    let Some(&first) = xs.first() else {
        return Summary {
            n: 0,
            mean: 0.0,
            std_dev: 0.0,
            std_error: 0.0,
            min: 0.0,
            max: 0.0,
            quantiles: probs.iter().map(|&p| (p, 0.0)).collect(),
        };
    };
    let (min, max) = xs
        .iter()
        .fold((first, first), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    let (mean, variance) = mean_and_variance(xs);
    let std_dev = variance.sqrt();
    let std_error = std_dev / (n as f64).sqrt();
    let quantiles = if probs.is_empty() {
        Vec::new()
    } else {
        let sorted = sorted_copy(xs);
        probs
            .iter()
            .map(|&p| (p, quantile_sorted(&sorted, p)))
            .collect()
    };
    Summary {
        n,
        mean,
        std_dev,
        std_error,
        min,
        max,
        quantiles,
    }
}

/// Mean and sample variance (n - 1 denominator; 0 when n < 2) by the corrected two-pass
/// algorithm, sequentially in index order. All-equal samples give `(x, 0)` exactly.
fn mean_and_variance(xs: &[f64]) -> (f64, f64) {
    let Some(&first) = xs.first() else {
        return (0.0, 0.0);
    };
    if xs.iter().all(|&x| x == first) {
        return (first, 0.0);
    }
    let nf = xs.len() as f64;
    let mut sum = 0.0;
    for &x in xs {
        sum += x;
    }
    let mean = sum / nf;
    if xs.len() < 2 {
        return (mean, 0.0);
    }
    let mut ss = 0.0;
    let mut s = 0.0;
    for &x in xs {
        let d = x - mean;
        ss += d * d;
        s += d;
    }
    let variance = ((ss - s * s / nf) / (nf - 1.0)).max(0.0);
    (mean, variance)
}

/// A copy of `xs` sorted ascending by [`f64::total_cmp`].
fn sorted_copy(xs: &[f64]) -> Vec<f64> {
    let mut v = xs.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    v
}

/// Quantile of ascending data by Hyndman and Fan's type 7 (R's default, NumPy's `linear`):
/// with `h = (n - 1) p`, the result interpolates linearly between the order statistics
/// `sorted[floor(h)]` and `sorted[floor(h) + 1]` (0-based) as `(1 - f) x_lo + f x_hi`,
/// `f = h - floor(h)`, exactly as R computes it.
///
/// `p` is clamped to `[0, 1]`; an empty slice gives 0; a NaN `p` gives NaN. The data must be
/// sorted ascending (as by [`f64::total_cmp`]); this is not checked. The result always lies
/// between the two order statistics; interpolating between -inf and +inf gives -inf for
/// `f < 1/2` and +inf otherwise (never NaN).
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return 0.0;
    }
    if p.is_nan() {
        return f64::NAN;
    }
    let p = p.clamp(0.0, 1.0);
    let h = (n - 1) as f64 * p;
    let floor = h.floor();
    let lo = (floor as usize).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    interpolate(sorted[lo], sorted[hi], h - floor)
}

/// `(1 - f) a + f b` for `a <= b`, `f` in `[0, 1]`, kept inside `[a, b]` and NaN-free for
/// infinite end points.
fn interpolate(a: f64, b: f64, f: f64) -> f64 {
    if f <= 0.0 || a == b {
        return a;
    }
    if f >= 1.0 {
        return b;
    }
    if a.is_finite() && b.is_finite() {
        let v = (1.0 - f) * a + f * b;
        return v.max(a).min(b);
    }
    if a == f64::NEG_INFINITY && b == f64::INFINITY {
        return if f < 0.5 { a } else { b };
    }
    if a == f64::NEG_INFINITY { a } else { b }
}

/// Type-7 quantiles of unsorted data at each of `probs` (in request order), from a copy sorted
/// with [`f64::total_cmp`]; see [`quantile_sorted`] for the definition and edge cases (an empty
/// `xs` gives 0 for every probability).
pub fn quantiles(xs: &[f64], probs: &[f64]) -> Vec<f64> {
    let sorted = sorted_copy(xs);
    probs.iter().map(|&p| quantile_sorted(&sorted, p)).collect()
}

/// Value at risk and expected shortfall of a loss sample (larger = worse) at `level` (e.g. 0.99):
/// VaR = the type-7 `level` quantile; ES = mean of the losses >= VaR.
///
/// Tail convention (see [`tail_risk`]): ES is the arithmetic mean of every sample loss `x_i` with
/// `x_i >= var`, ties with the VaR included, summed in input index order. This is the empirical
/// tail conditional expectation E[L | L >= VaR]; it is not the fractionally weighted
/// (Acerbi–Tasche) estimator.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct TailRisk {
    /// Confidence level used, `level` clamped to `[0, 1]`.
    pub level: f64,
    /// Value at risk: the type-7 `level` quantile of the losses.
    pub var: f64,
    /// Expected shortfall: mean of the losses that are `>= var` (ties included).
    pub es: f64,
}

/// Value at risk and expected shortfall of `losses` at `level` (e.g. 0.99).
///
/// * `var` = [`quantile_sorted`] of the sorted losses at `level` (type 7, `level` clamped to
///   `[0, 1]`).
/// * `es` = mean of all `losses[i] >= var`, in index order, ties with `var` included. Because a
///   type-7 quantile never exceeds the sample maximum, this set is never empty for n >= 1, and
///   `var <= es <= max`.
///
/// Example: for losses 1, 2, …, 100 at level 0.95, `h = 99 · 0.95 = 94.05`, so
/// `var = 0.95 · 95 + 0.05 · 96 = 95.05` and `es = mean(96, …, 100) = 98`.
///
/// Empty `losses`: `var = es = 0`. A NaN `level` gives NaN `var` and `es`.
pub fn tail_risk(losses: &[f64], level: f64) -> TailRisk {
    let level = if level.is_nan() {
        level
    } else {
        level.clamp(0.0, 1.0)
    };
    if losses.is_empty() {
        return TailRisk {
            level,
            var: 0.0,
            es: 0.0,
        };
    }
    let sorted = sorted_copy(losses);
    let var = quantile_sorted(&sorted, level);
    if var.is_nan() {
        return TailRisk {
            level,
            var,
            es: f64::NAN,
        };
    }
    let mut sum = 0.0;
    let mut count = 0_usize;
    for &x in losses {
        if x >= var {
            sum += x;
            count += 1;
        }
    }
    // count >= 1 always (the maximum is >= var); guard anyway rather than divide by zero.
    let es = if count == 0 { var } else { sum / count as f64 };
    TailRisk { level, var, es }
}

/// Wilson score interval for a binomial proportion.
///
/// With no trials (`n = 0`, e.g. an empty shard) there is no statistic: it serialises with `null`
/// for the estimate and both ends of the interval ([`Proportion::observed`] is `None`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Proportion {
    /// Number of successes (after clamping to at most `n`).
    pub successes: usize,
    /// Number of trials.
    pub n: usize,
    /// Point estimate `successes / n` (0 when `n = 0`).
    pub estimate: f64,
    /// Lower end of the Wilson interval, in `[0, estimate]`.
    pub low: f64,
    /// Upper end of the Wilson interval, in `[estimate, 1]`.
    pub high: f64,
    /// Two-sided confidence level used, clamped to `[0, 1]`.
    pub confidence: f64,
}

impl Proportion {
    /// The proportion when there was at least one trial; `None` when there was none.
    pub fn observed(&self) -> Option<&Proportion> {
        (self.n > 0).then_some(self)
    }
}

impl serde::Serialize for Proportion {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        // `None` (null) in place of the estimate and interval of no trials.
        let stat = |x: f64| (self.n > 0).then_some(x);
        let mut st = serializer.serialize_struct("Proportion", 6)?;
        st.serialize_field("successes", &self.successes)?;
        st.serialize_field("n", &self.n)?;
        st.serialize_field("estimate", &stat(self.estimate))?;
        st.serialize_field("low", &stat(self.low))?;
        st.serialize_field("high", &stat(self.high))?;
        st.serialize_field("confidence", &self.confidence)?;
        st.end()
    }
}

/// Wilson score interval for `successes` out of `n` at two-sided `confidence` (e.g. 0.95):
/// with `p = s/n` and `z =` [`normal_quantile_ci_z`]`(confidence)`,
/// `(p + z²/2n ± z √(p(1-p)/n + z²/4n²)) / (1 + z²/n)`, clipped to `[0, 1]`.
///
/// Edge cases: `successes > n` is clamped to `n`; `n = 0` gives estimate 0 and the
/// uninformative interval `[0, 1]`; 0 successes give `low = 0` exactly and `n` successes give
/// `high = 1` exactly; `confidence` is clamped to `[0, 1]` (0 gives `low = high = estimate`,
/// 1 gives `[0, 1]`). A NaN `confidence` gives NaN `low` and `high`.
pub fn proportion(successes: usize, n: usize, confidence: f64) -> Proportion {
    let s = successes.min(n);
    let confidence = if confidence.is_nan() {
        confidence
    } else {
        confidence.clamp(0.0, 1.0)
    };
    if n == 0 {
        let (low, high) = if confidence.is_nan() {
            (f64::NAN, f64::NAN)
        } else {
            (0.0, 1.0)
        };
        return Proportion {
            successes: s,
            n,
            estimate: 0.0,
            low,
            high,
            confidence,
        };
    }
    let nf = n as f64;
    let p = s as f64 / nf;
    let z = normal_quantile_ci_z(confidence);
    let (low, high) = if z.is_nan() {
        (f64::NAN, f64::NAN)
    } else if z.is_infinite() {
        (0.0, 1.0)
    } else {
        let z2 = z * z;
        let denom = 1.0 + z2 / nf;
        let center = (p + z2 / (2.0 * nf)) / denom;
        let half = z / denom * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
        let low = if s == 0 {
            0.0
        } else {
            (center - half).clamp(0.0, p)
        };
        let high = if s == n {
            1.0
        } else {
            (center + half).clamp(p, 1.0)
        };
        (low, high)
    };
    Proportion {
        successes: s,
        n,
        estimate: p,
        low,
        high,
        confidence,
    }
}

/// Paired difference b - a of two samples on common random numbers: mean, standard error, confidence interval (Student t with n-1 degrees of freedom), and the correlation of a and b.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct PairedDifference {
    /// Number of pairs.
    pub n: usize,
    /// Mean of `a`.
    pub mean_a: f64,
    /// Mean of `b`.
    pub mean_b: f64,
    /// Mean of the differences `b[i] - a[i]`.
    pub mean: f64,
    /// Standard error of `mean`: sample standard deviation of the differences (n - 1) over √n.
    pub std_error: f64,
    /// Lower end of the confidence interval `mean - t · std_error`.
    pub low: f64,
    /// Upper end of the confidence interval `mean + t · std_error`.
    pub high: f64,
    /// Two-sided confidence level used, clamped to `[0, 1]`.
    pub confidence: f64,
    /// Pearson correlation of `a` and `b` (see [`correlation`]); 0 when it is undefined (n < 2
    /// or a constant sample).
    pub correlation: f64,
}

/// Error of [`paired_difference`]: the two samples have different lengths, so they cannot be
/// paired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LengthMismatch {
    /// Length of the first sample (`a`).
    pub len_a: usize,
    /// Length of the second sample (`b`).
    pub len_b: usize,
}

impl fmt::Display for LengthMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "paired samples differ in length: a has {} values, b has {}",
            self.len_a, self.len_b
        )
    }
}

impl Error for LengthMismatch {}

/// Paired difference `b - a` of two samples drawn on common random numbers (pair `i` is
/// `(a[i], b[i])`): the mean difference, its standard error, a two-sided `confidence` interval
/// from Student's t with n - 1 degrees of freedom, both means, and the correlation of `a` and `b`.
///
/// Returns [`LengthMismatch`] when `a.len() != b.len()`; nothing is truncated.
///
/// Edge cases: `n = 0` gives every number 0; `n = 1` gives `std_error = 0` and
/// `low = high = mean`; identical differences give `std_error = 0` and `low = high = mean`.
/// `confidence` is clamped to `[0, 1]`; with a positive standard error, 1 gives infinite bounds.
/// A NaN `confidence` gives NaN bounds; NaN data give NaN means and bounds (correlation 0).
pub fn paired_difference(
    a: &[f64],
    b: &[f64],
    confidence: f64,
) -> Result<PairedDifference, LengthMismatch> {
    if a.len() != b.len() {
        return Err(LengthMismatch {
            len_a: a.len(),
            len_b: b.len(),
        });
    }
    let n = a.len();
    let confidence = if confidence.is_nan() {
        confidence
    } else {
        confidence.clamp(0.0, 1.0)
    };
    let diffs: Vec<f64> = a.iter().zip(b).map(|(&x, &y)| y - x).collect();
    let (mean_a, _) = mean_and_variance(a);
    let (mean_b, _) = mean_and_variance(b);
    let (mean, variance) = mean_and_variance(&diffs);
    let std_error = if n < 2 {
        0.0
    } else {
        (variance / n as f64).sqrt()
    };
    let (low, high) = if confidence.is_nan() {
        (f64::NAN, f64::NAN)
    } else if std_error == 0.0 || n < 2 {
        (mean, mean)
    } else {
        let t = -student_t_quantile((1.0 - confidence) / 2.0, (n - 1) as f64);
        let half = t * std_error;
        (mean - half, mean + half)
    };
    Ok(PairedDifference {
        n,
        mean_a,
        mean_b,
        mean,
        std_error,
        low,
        high,
        confidence,
        correlation: correlation(a, b).unwrap_or(0.0),
    })
}

/// Two-sided standard normal critical value `z` with `P(|Z| <= z) = confidence`, i.e.
/// `Φ⁻¹((1 + confidence)/2)`, computed as `-Φ⁻¹((1 - confidence)/2)` for full accuracy at high
/// confidence. Example: 0.95 gives 1.959963984540054.
///
/// `confidence` is clamped to `[0, 1]`: 0 gives 0 and 1 gives `+inf`. NaN gives NaN.
pub fn normal_quantile_ci_z(confidence: f64) -> f64 {
    if confidence.is_nan() {
        return f64::NAN;
    }
    let c = confidence.clamp(0.0, 1.0);
    // + 0.0 turns the -0.0 of c = 0 into +0.0.
    -normal::inv_cdf((1.0 - c) / 2.0) + 0.0
}

/// Degrees of freedom above which [`student_t_quantile`] returns the normal quantile (the t
/// quantile exceeds it by about (z³ + z)/(4 dof), below 2e-7 relative there).
const T_NORMAL_DOF: f64 = 1e7;

/// Quantile of Student's t distribution with `dof` degrees of freedom: the `t` with
/// `P(T <= t) = p`.
///
/// Method: closed forms for `dof = 1` (Cauchy) and `dof = 2`; otherwise the regularized
/// incomplete beta function `P(|T| > t) = I_{dof/(dof+t²)}(dof/2, 1/2)` (evaluated by Lentz's
/// continued fraction, with its complement computed directly so neither tail loses precision) is
/// inverted by Newton's method safeguarded by bisection, on the side of `p` that is smaller.
/// Relative accuracy about 2e-14 (the tests require 1e-13 against 60-digit references). For `dof > 1e7` (including
/// `+inf`) the standard normal quantile is returned (the t quantile differs from it by less than
/// about 2e-7 relative there).
///
/// Edge cases: `p = 0` gives `-inf`, `p = 1` gives `+inf`, `p = 0.5` gives 0. `p` outside
/// `[0, 1]`, `dof <= 0`, or any NaN gives NaN. Quantiles beyond `f64::MAX` (tiny `p` with tiny
/// `dof`) give `±inf`.
pub fn student_t_quantile(p: f64, dof: f64) -> f64 {
    if p.is_nan() || dof.is_nan() || !(0.0..=1.0).contains(&p) || dof <= 0.0 {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    if p == 0.5 {
        return 0.0;
    }
    // Work with the smaller tail q = min(p, 1 - p); 1 - p is exact for p >= 0.5.
    let (q, sign) = if p < 0.5 { (p, -1.0) } else { (1.0 - p, 1.0) };
    let t = if dof > T_NORMAL_DOF {
        -normal::inv_cdf(q)
    } else if dof == 1.0 {
        // Cauchy: P(T > t) = 1/2 - atan(t)/π.
        if q < 0.25 {
            1.0 / (std::f64::consts::PI * q).tan()
        } else {
            (std::f64::consts::PI * (0.5 - q)).tan()
        }
    } else if dof == 2.0 {
        // P(T > t) = (1 - t/√(2 + t²))/2.
        (1.0 - 2.0 * q) / (2.0 * q * (1.0 - q)).sqrt()
    } else {
        t_upper_quantile(q, dof)
    };
    sign * t
}

/// Probabilities `(P(0 < T <= t), P(T > t))` of Student's t with `dof` degrees of freedom at
/// `t >= 0`, the smaller one computed directly (they add up to 1/2).
fn t_probs(t: f64, dof: f64) -> (f64, f64) {
    let u = t / dof.sqrt();
    if dof >= LARGE_DOF {
        // Lentz's continued fraction for I_x(dof/2, 1/2) is ill-conditioned for large dof
        // (errors grow like √dof · ε); use the large-dof expansion for the tail instead.
        let z0 = (u * u).ln_1p();
        if z0 <= 1.0 {
            let tail = t_tail_large_dof(dof, z0);
            if tail < 0.25 {
                return (0.5 - tail, tail);
            }
        }
    }
    // x = dof/(dof + t²), y = 1 - x = t²/(dof + t²), both without cancellation, and their logs
    // (ln x stays finite where x itself underflows).
    let (x, y, ln_x, ln_y) = if u > 1e150 {
        // ln u from logs: t / √dof itself may overflow for tiny dof.
        let ln_x = -2.0 * (t.ln() - 0.5 * dof.ln());
        let x = ln_x.exp();
        (x, 1.0, ln_x, -x)
    } else {
        let uu = u * u;
        let x = 1.0 / (1.0 + uu);
        let y = uu / (1.0 + uu);
        let ln_x = -uu.ln_1p();
        let ln_y = if y > 0.5 { (-x).ln_1p() } else { y.ln() };
        (x, y, ln_x, ln_y)
    };
    let (i_x, i_y) = beta_inc_pair_logs(dof / 2.0, 0.5, x, y, ln_x, ln_y);
    (0.5 * i_y, 0.5 * i_x)
}

/// Degrees of freedom from which [`t_probs`] uses [`t_tail_large_dof`].
const LARGE_DOF: f64 = 1000.0;

/// Taylor coefficients of `sqrt(v / (1 - exp(-v)))` about `v = 0` (radius of convergence 2π);
/// exact rationals 1, 1/4, 1/96, -1/384, -1/10240, … rounded to `f64`.
const SQRT_BERNOULLI: [f64; 25] = [
    1.0,
    0.25,
    0.010_416_666_666_666_666,
    -0.002_604_166_666_666_666_5,
    -9.765_625e-5,
    5.154_079_861_111_111e-5,
    1.275_602_471_891_534_4e-6,
    -1.110_097_087_880_291e-6,
    -1.967_058_400_418_182_2e-8,
    2.483_631_988_471_567_7e-8,
    3.396_661_996_038_674_5e-10,
    -5.690_071_833_942_187e-10,
    -6.337_230_155_667_130_4e-12,
    1.325_131_515_587_890_3e-11,
    1.246_835_896_099_680_4e-13,
    -3.122_999_378_063_188_6e-13,
    -2.546_988_626_356_897e-15,
    7.426_702_350_918_158e-15,
    5.348_885_890_032_736_5e-17,
    -1.778_579_261_088_922e-16,
    -1.147_398_954_227_047_5e-18,
    4.283_476_654_726_128e-18,
    2.503_033_743_518_024_4e-20,
    -1.036_386_291_075_954_4e-19,
    -5.535_498_379_178_477e-22,
];

/// Upper tail `P(T > t)` for large `dof` (>= [`LARGE_DOF`]) given `z0 = ln(1 + t²/dof) <= 1`.
///
/// With `a = dof/2`, substituting `s = exp(-v)` in the incomplete beta integral gives
/// `I_x(a, 1/2) = (1/B(a, 1/2)) ∫_{z0}^∞ exp(-a v) v^(-1/2) g(v) dv`,
/// `g(v) = sqrt(v/(1 - exp(-v))) = Σ g_k v^k`, so term by term
/// `I_x = R Σ_k g_k T_k` with `T_k = Γ(k + 1/2, a z0)/(√π a^k)` and
/// `R = Γ(a + 1/2)/(Γ(a) √a)`. `T_0 = erfc(√(a z0)) = 2Φ(-s)` with `s = √(dof z0)`, and
/// `T_{k+1} = ((k + 1/2) T_k + E_k)/a`, `E_0 = s φ(s)`, `E_{k+1} = z0 E_k`. All quantities are
/// positive except the `g_k`, whose terms fall off at least like `max(z0/2π, k/(2π a))^k`;
/// 25 terms reach full precision for `a >= 500`, `z0 <= 1`.
fn t_tail_large_dof(dof: f64, z0: f64) -> f64 {
    let a = dof / 2.0;
    let s = (dof * z0).sqrt();
    let mut tk = 2.0 * normal::cdf(-s);
    let mut ek = s * normal::pdf(s);
    let mut sum = tk;
    for (k, &g) in SQRT_BERNOULLI.iter().enumerate().skip(1) {
        tk = ((k as f64 - 0.5) * tk + ek) / a;
        ek *= z0;
        sum += g * tk;
    }
    // ln R = ln Γ(a + 1/2) - ln Γ(a) - ln(a)/2 by Stirling's formula, without cancellation.
    let ln_r = a * (0.5 / a).ln_1p() - 0.5 - stirling_correction(a) + stirling_correction(a + 0.5);
    0.5 * ln_r.exp() * sum
}

/// Natural log of the Student t density at `t >= 0`, given `ln B(dof/2, 1/2)`.
fn t_ln_pdf(t: f64, dof: f64, ln_b: f64) -> f64 {
    let u = t / dof.sqrt();
    let ln1p_uu = if u > 1e8 {
        2.0 * (t.ln() - 0.5 * dof.ln()) + (1.0 / (u * u)).ln_1p()
    } else {
        (u * u).ln_1p()
    };
    -(dof + 1.0) / 2.0 * ln1p_uu - 0.5 * dof.ln() - ln_b
}

/// The `t > 0` with `P(T > t) = q` for `0 < q < 1/2` and general `dof > 0`.
fn t_upper_quantile(q: f64, dof: f64) -> f64 {
    let ln_b = ln_beta(dof / 2.0, 0.5);
    // Near the centre solve P(0 < T <= t) = 1/2 - q (exact for q >= 1/4) in linear terms; in the
    // tail solve ln P(T > t) = ln q, which is close to linear in ln t for heavy tails.
    let central = q >= 0.25;
    let target = if central { 0.5 - q } else { q };
    let ln_q = q.ln();
    // Residual > 0 means t is too large.
    let residual = |t: f64| -> (f64, f64) {
        let (center, tail) = t_probs(t, dof);
        if central {
            (center - target, tail)
        } else {
            (ln_q - tail.ln(), tail)
        }
    };

    // Starting point: Cornish–Fisher expansion around the normal quantile.
    let z = -normal::inv_cdf(q);
    let z3 = z * z * z;
    let guess =
        z + (z3 + z) / (4.0 * dof) + (5.0 * z3 * z * z + 16.0 * z3 + 3.0 * z) / (96.0 * dof * dof);
    let mut t = if guess.is_finite() && guess > 0.0 {
        guess
    } else {
        1.0
    };

    // Bracket [lo, hi] with residual(lo) <= 0 < ... <= residual(hi).
    let mut lo = 0.0_f64;
    let mut hi = t;
    loop {
        let (r, _) = residual(hi);
        if r >= 0.0 {
            break;
        }
        lo = hi;
        if hi > f64::MAX / 4.0 {
            // P(T > f64::MAX) is still above q: the quantile is not representable.
            return f64::INFINITY;
        }
        hi *= 4.0;
    }
    // Start Newton from the guess when the bracket still contains it.
    t = t.clamp(lo, hi);
    if t <= 0.0 {
        t = next_trial(lo, hi);
    }

    for _ in 0..200 {
        let (r, tail) = residual(t);
        if r == 0.0 {
            return t;
        }
        if r > 0.0 {
            hi = t;
        } else {
            lo = t;
        }
        let ln_pdf = t_ln_pdf(t, dof, ln_b);
        // Newton: d(center)/dt = pdf; d(ln_q - ln tail)/dt = pdf/tail.
        let step = if central {
            r / ln_pdf.exp()
        } else {
            r * (tail.ln() - ln_pdf).exp()
        };
        let mut next = t - step;
        if !(next > lo && next < hi) {
            next = next_trial(lo, hi);
        }
        if (next - t).abs() <= 2.0 * f64::EPSILON * next || hi - lo <= 2.0 * f64::EPSILON * hi {
            return next;
        }
        t = next;
    }
    t
}

/// Bisection point of a bracket `[lo, hi]`: geometric when it spans a wide range of positive
/// values, arithmetic otherwise.
fn next_trial(lo: f64, hi: f64) -> f64 {
    if lo > 0.0 && hi > 8.0 * lo {
        (lo.sqrt()) * (hi.sqrt())
    } else if lo <= 0.0 && hi > 1.0 {
        // From 0 to a large bound, probe at a moderate value first.
        hi.sqrt().min(hi / 2.0)
    } else {
        lo + (hi - lo) / 2.0
    }
}

/// `ln Γ(x)` for `x > 0`: Stirling's series with seven correction terms for `x >= 10`, and the
/// recurrence `Γ(x) = Γ(x + m)/(x (x+1) … (x+m-1))` below. Absolute error about 1e-15 for x < 10,
/// relative error about 1e-16 above.
fn ln_gamma(x: f64) -> f64 {
    if x >= 10.0 {
        return stirling_base(x) + stirling_correction(x);
    }
    let mut y = x;
    let mut prod = 1.0;
    while y < 10.0 {
        prod *= y;
        y += 1.0;
    }
    stirling_base(y) + stirling_correction(y) - prod.ln()
}

/// `(x - 1/2) ln x - x + ln √(2π)`.
fn stirling_base(x: f64) -> f64 {
    const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
    (x - 0.5) * x.ln() - x + LN_SQRT_2PI
}

/// `ln Γ(x) - stirling_base(x)` for `x >= 10` (error below 3e-17).
fn stirling_correction(x: f64) -> f64 {
    let r = 1.0 / x;
    let r2 = r * r;
    r * (1.0 / 12.0
        - r2 * (1.0 / 360.0
            - r2 * (1.0 / 1260.0
                - r2 * (1.0 / 1680.0
                    - r2 * (1.0 / 1188.0 - r2 * (691.0 / 360_360.0 - r2 * (1.0 / 156.0)))))))
}

/// `ln B(a, b) = ln Γ(a) + ln Γ(b) - ln Γ(a + b)` for `a, b > 0`, avoiding the cancellation of
/// large `ln Γ` values when one argument is large.
fn ln_beta(a: f64, b: f64) -> f64 {
    let (small, big) = if a < b { (a, b) } else { (b, a) };
    if big < 10.0 {
        return ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b);
    }
    // ln Γ(big) - ln Γ(big + small) from Stirling's formula, rearranged with ln_1p.
    let diff = -small * big.ln() - (big + small - 0.5) * (small / big).ln_1p()
        + small
        + stirling_correction(big)
        - stirling_correction(big + small);
    ln_gamma(small) + diff
}

/// Regularized incomplete beta `(I_x(a, b), 1 - I_x(a, b))` for `a, b > 0`, given `x` and
/// `y = 1 - x` separately (both accurately). The smaller of the pair is computed directly by the
/// continued fraction, the other as its complement.
#[cfg(test)]
fn beta_inc_pair(a: f64, b: f64, x: f64, y: f64) -> (f64, f64) {
    let ln_x = if x > 0.5 { (-y).ln_1p() } else { x.ln() };
    let ln_y = if y > 0.5 { (-x).ln_1p() } else { y.ln() };
    beta_inc_pair_logs(a, b, x, y, ln_x, ln_y)
}

/// [`beta_inc_pair`] given also `ln x` and `ln y`, which stay accurate (and finite) where `x` or
/// `y` themselves lose precision or underflow.
fn beta_inc_pair_logs(a: f64, b: f64, x: f64, y: f64, ln_x: f64, ln_y: f64) -> (f64, f64) {
    if ln_x == f64::NEG_INFINITY {
        return (0.0, 1.0);
    }
    if ln_y == f64::NEG_INFINITY {
        return (1.0, 0.0);
    }
    let front = (a * ln_x + b * ln_y - ln_beta(a, b)).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        let i = (front * beta_continued_fraction(a, b, x) / a).clamp(0.0, 1.0);
        (i, 1.0 - i)
    } else {
        let c = (front * beta_continued_fraction(b, a, y) / b).clamp(0.0, 1.0);
        (1.0 - c, c)
    }
}

/// Continued fraction for the incomplete beta function (Numerical Recipes' `betacf`), evaluated
/// by the modified Lentz method; converges quickly for `x < (a + 1)/(a + b + 2)`, in
/// O(√max(a, b)) terms.
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const MAX_TERMS: u32 = 100_000;
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=MAX_TERMS {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        // Even step.
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del_even = d * c;
        h *= del_even;
        // Odd step.
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() <= f64::EPSILON && (del_even - 1.0).abs() <= f64::EPSILON {
            break;
        }
    }
    h
}

/// Pearson correlation of two equal-length samples; None when either has zero variance or length < 2.
///
/// Also `None` when the lengths differ or the result is not a number (NaN in the data). Sums run
/// in index order (two passes: means, then co-moments); a sample whose values are all equal
/// counts as zero variance. The result is clamped to `[-1, 1]`.
pub fn correlation(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.len() != b.len() || a.len() < 2 {
        return None;
    }
    let (mean_a, _) = mean_and_variance(a);
    let (mean_b, _) = mean_and_variance(b);
    if a.iter().all(|&x| x == a[0]) || b.iter().all(|&y| y == b[0]) {
        return None;
    }
    let mut sxx = 0.0;
    let mut syy = 0.0;
    let mut sxy = 0.0;
    for (&x, &y) in a.iter().zip(b) {
        let dx = x - mean_a;
        let dy = y - mean_b;
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    if !(sxx > 0.0 && syy > 0.0) {
        return None;
    }
    let r = sxy / (sxx.sqrt() * syy.sqrt());
    if r.is_nan() {
        None
    } else {
        Some(r.clamp(-1.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    fn rel_close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs()
    }

    #[test]
    fn type7_quantiles_match_r() {
        // R: quantile(c(1, 2, 3, 4, 10), c(.1, .5, .9)) = 1.4, 3, 7.6
        let q = quantiles(&[10.0, 2.0, 4.0, 1.0, 3.0], &[0.1, 0.5, 0.9]);
        assert_eq!(q.len(), 3);
        assert!(close(q[0], 1.4, 1e-12), "{q:?}");
        assert_eq!(q[1], 3.0);
        assert!(close(q[2], 7.6, 1e-12), "{q:?}");
        // R: quantile(1:10, c(0, .25, .75, 1)) = 1, 3.25, 7.75, 10
        let xs: Vec<f64> = (1..=10).map(f64::from).collect();
        let q = quantiles(&xs, &[0.0, 0.25, 0.75, 1.0]);
        assert_eq!(q[0], 1.0);
        assert!(close(q[1], 3.25, 1e-12), "{q:?}");
        assert!(close(q[2], 7.75, 1e-12), "{q:?}");
        assert_eq!(q[3], 10.0);
        // R: quantile(c(2.5, -1, 7, 3.3), 0.33) = 2.465
        let q = quantiles(&[2.5, -1.0, 7.0, 3.3], &[0.33]);
        assert!(close(q[0], 2.465, 1e-12), "{q:?}");
    }

    #[test]
    fn quantile_edges() {
        assert_eq!(quantile_sorted(&[], 0.5), 0.0);
        assert_eq!(quantile_sorted(&[], f64::NAN), 0.0);
        assert!(quantiles(&[], &[0.1, 0.9]).iter().all(|&q| q == 0.0));
        assert_eq!(quantile_sorted(&[4.0], 0.3), 4.0);
        // p clamped to [0, 1].
        assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0], -0.5), 1.0);
        assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0], 7.0), 3.0);
        assert!(quantile_sorted(&[1.0, 2.0], f64::NAN).is_nan());
        // Infinite data never give NaN.
        let inf = f64::INFINITY;
        assert_eq!(quantile_sorted(&[-inf, inf], 0.25), -inf);
        assert_eq!(quantile_sorted(&[-inf, inf], 0.5), inf);
        assert_eq!(quantile_sorted(&[-inf, 0.0], 0.5), -inf);
        assert_eq!(quantile_sorted(&[0.0, inf], 0.5), inf);
        assert_eq!(quantile_sorted(&[inf, inf], 0.5), inf);
        // Huge finite values do not overflow.
        let big = quantile_sorted(&[-f64::MAX, f64::MAX], 0.5);
        assert!(big.is_finite() && big.abs() < 1e300, "{big}");
        // Monotone in p and within the data range.
        let data = [0.3, 0.1, 0.1, 5.0, -2.0, 7.5, 7.5];
        let sorted = sorted_copy(&data);
        let mut prev = f64::NEG_INFINITY;
        for i in 0..=1000 {
            let v = quantile_sorted(&sorted, f64::from(i) / 1000.0);
            assert!(v >= prev && (-2.0..=7.5).contains(&v), "p = {i}/1000: {v}");
            prev = v;
        }
    }

    #[test]
    fn summarize_empty_single_and_known() {
        let s = summarize(&[], &[0.5, 0.99]);
        assert_eq!(
            s,
            Summary {
                n: 0,
                mean: 0.0,
                std_dev: 0.0,
                std_error: 0.0,
                min: 0.0,
                max: 0.0,
                quantiles: vec![(0.5, 0.0), (0.99, 0.0)],
            }
        );

        let s = summarize(&[3.25], &[0.1, 0.9]);
        assert_eq!(s.n, 1);
        assert_eq!(s.mean, 3.25);
        assert_eq!(s.std_dev, 0.0);
        assert_eq!(s.std_error, 0.0);
        assert_eq!((s.min, s.max), (3.25, 3.25));
        assert_eq!(s.quantiles, vec![(0.1, 3.25), (0.9, 3.25)]);

        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, Σ(x - 5)² = 32, s = √(32/7), se = √(4/7).
        let xs = [9.0, 4.0, 2.0, 5.0, 4.0, 7.0, 4.0, 5.0];
        let s = summarize(&xs, &[0.25, 0.5, 0.9]);
        assert_eq!(s.n, 8);
        assert!(close(s.mean, 5.0, 1e-15));
        assert!(
            close(s.std_dev, (32.0f64 / 7.0).sqrt(), 1e-15),
            "{}",
            s.std_dev
        );
        assert!(
            close(s.std_error, (4.0f64 / 7.0).sqrt(), 1e-15),
            "{}",
            s.std_error
        );
        assert_eq!((s.min, s.max), (2.0, 9.0));
        assert_eq!(s.quantiles[0], (0.25, 4.0));
        assert_eq!(s.quantiles[1], (0.5, 4.5));
        assert_eq!(s.quantiles[2].0, 0.9);
        assert!(close(s.quantiles[2].1, 7.6, 1e-12));
        assert!(summarize(&xs, &[]).quantiles.is_empty());
    }

    #[test]
    fn summarize_constant_and_offset_samples() {
        // A constant sample: exact mean, exactly zero spread.
        let s = summarize(&[0.1; 7], &[0.5]);
        assert_eq!(s.mean, 0.1);
        assert_eq!(s.std_dev, 0.0);
        assert_eq!(s.quantiles, vec![(0.5, 0.1)]);
        // Large offset, small spread: two-pass keeps the variance (1e9 + {1, 2, 3}: s = 1).
        let s = summarize(&[1e9 + 1.0, 1e9 + 2.0, 1e9 + 3.0], &[]);
        assert!(close(s.std_dev, 1.0, 1e-9), "{}", s.std_dev);
        // Bit-reproducible: same input, same bits.
        let xs: Vec<f64> = (0..1000)
            .map(|i| (f64::from(i) * 0.37).sin() * 1e3)
            .collect();
        let a = summarize(&xs, &[0.01, 0.5, 0.99]);
        let b = summarize(&xs, &[0.01, 0.5, 0.99]);
        assert_eq!(a.mean.to_bits(), b.mean.to_bits());
        assert_eq!(a.std_dev.to_bits(), b.std_dev.to_bits());
        assert_eq!(a, b);
    }

    #[test]
    fn tail_risk_on_one_to_hundred() {
        // h = 99 · 0.95 = 94.05 → VaR = 0.95 · 95 + 0.05 · 96 = 95.05;
        // losses >= 95.05 are 96..=100, so ES = 98.
        let losses: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        let tr = tail_risk(&losses, 0.95);
        assert_eq!(tr.level, 0.95);
        assert!(close(tr.var, 95.05, 1e-12), "{tr:?}");
        assert!(close(tr.es, 98.0, 1e-12), "{tr:?}");
        // Level 0.99: h = 98.01 → VaR = 99.01, ES = 100.
        let tr = tail_risk(&losses, 0.99);
        assert!(close(tr.var, 99.01, 1e-12) && tr.es == 100.0, "{tr:?}");
        // Level 1: VaR = max, ES = max.
        let tr = tail_risk(&losses, 1.0);
        assert_eq!((tr.var, tr.es), (100.0, 100.0));
    }

    #[test]
    fn tail_risk_ties_and_edges() {
        // Ties at the VaR are included: VaR = 5 (type 7 at 0.5 of 1, 5, 5, 5, 9) and
        // ES = mean(5, 5, 5, 9) = 6.
        let tr = tail_risk(&[5.0, 1.0, 5.0, 9.0, 5.0], 0.5);
        assert_eq!((tr.var, tr.es), (5.0, 6.0));
        let empty = tail_risk(&[], 0.99);
        assert_eq!(
            empty,
            TailRisk {
                level: 0.99,
                var: 0.0,
                es: 0.0
            }
        );
        let one = tail_risk(&[2.5], 0.99);
        assert_eq!((one.var, one.es), (2.5, 2.5));
        let clamped = tail_risk(&[1.0, 2.0], 3.0);
        assert_eq!((clamped.level, clamped.var, clamped.es), (1.0, 2.0, 2.0));
        let nan = tail_risk(&[1.0, 2.0], f64::NAN);
        assert!(nan.var.is_nan() && nan.es.is_nan());
    }

    #[test]
    fn wilson_interval() {
        // 7/20 at 95%: (0.1812, 0.5671) to 1e-4.
        let pr = proportion(7, 20, 0.95);
        assert_eq!((pr.successes, pr.n), (7, 20));
        assert_eq!(pr.estimate, 0.35);
        assert!(close(pr.low, 0.1812, 1e-4), "{pr:?}");
        assert!(close(pr.high, 0.5671, 1e-4), "{pr:?}");
        // Closed form with z = 1.959963984540054, to 1e-15:
        let z: f64 = 1.959_963_984_540_054;
        let (p, n) = (0.35, 20.0);
        let c = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
        let w = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
        assert!(close(pr.low, c - w, 1e-15) && close(pr.high, c + w, 1e-15));
    }

    #[test]
    fn wilson_edges() {
        // 0/10: low exactly 0; high = z²/(n + z²) = 0.27753279986288 (95%).
        let pr = proportion(0, 10, 0.95);
        assert_eq!((pr.estimate, pr.low), (0.0, 0.0));
        let z2 = 1.959_963_984_540_054_f64.powi(2);
        assert!(close(pr.high, z2 / (10.0 + z2), 1e-15), "{pr:?}");
        assert!(pr.high > 0.0 && pr.high < 1.0);
        // 10/10: high exactly 1, low = n/(n + z²).
        let pr = proportion(10, 10, 0.95);
        assert_eq!((pr.estimate, pr.high), (1.0, 1.0));
        assert!(close(pr.low, 10.0 / (10.0 + z2), 1e-15), "{pr:?}");
        assert!(pr.low > 0.0 && pr.low < 1.0);
        // n = 0: uninformative; successes > n clamped.
        let pr = proportion(0, 0, 0.95);
        assert_eq!((pr.estimate, pr.low, pr.high), (0.0, 0.0, 1.0));
        let pr = proportion(15, 10, 0.9);
        assert_eq!((pr.successes, pr.estimate, pr.high), (10, 1.0, 1.0));
        // Confidence 0 and 1, and out of range.
        let pr = proportion(3, 10, 0.0);
        assert_eq!((pr.low, pr.high), (0.3, 0.3));
        let pr = proportion(3, 10, 1.0);
        assert_eq!((pr.low, pr.high), (0.0, 1.0));
        let pr = proportion(3, 10, 1.5);
        assert_eq!((pr.confidence, pr.low, pr.high), (1.0, 0.0, 1.0));
        let pr = proportion(3, 10, f64::NAN);
        assert!(pr.low.is_nan() && pr.high.is_nan());
        // Always ordered and inside [0, 1].
        for n in [1_usize, 2, 7, 100, 1_000_000] {
            for s in [0, 1, n / 2, n - 1, n] {
                for c in [0.5, 0.9, 0.95, 0.999_999] {
                    let pr = proportion(s, n, c);
                    assert!(
                        0.0 <= pr.low
                            && pr.low <= pr.estimate
                            && pr.estimate <= pr.high
                            && pr.high <= 1.0,
                        "{pr:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn normal_z() {
        assert!(close(
            normal_quantile_ci_z(0.95),
            1.959_963_984_540_054,
            1e-15
        ));
        assert!(close(
            normal_quantile_ci_z(0.99),
            2.575_829_303_548_900_4,
            1e-15
        ));
        assert!(close(
            normal_quantile_ci_z(0.9),
            1.644_853_626_951_472_7,
            1e-15
        ));
        assert_eq!(normal_quantile_ci_z(0.0), 0.0);
        assert!(normal_quantile_ci_z(0.0).is_sign_positive());
        assert_eq!(normal_quantile_ci_z(1.0), f64::INFINITY);
        assert_eq!(normal_quantile_ci_z(-3.0), 0.0);
        assert!(normal_quantile_ci_z(f64::NAN).is_nan());
    }

    #[test]
    fn student_t_known_values() {
        // (p, dof, quantile) for the f64 nearest each p literal, from 60-digit arithmetic;
        // relative tolerance 1e-13.
        let cases = [
            (0.975, 1.0, 12.706_204_736_174_694),
            (0.975, 10.0, 2.228_138_851_986_274_4),
            (0.995, 30.0, 2.749_995_653_567_225),
            (0.975, 2.5, 3.574_654_842_003_681_7),
            (0.6, 5.0, 0.267_180_865_704_145_07),
            (0.999, 2.0, 22.327_124_770_119_866),
            (0.975, 19.0, 2.093_024_054_408_309),
            (0.975, 4.0, 2.776_445_105_197_793_4),
            (1e-6, 3.0, -103.299_467_780_419_35),
            (1e-10, 3.0, -2_225.769_284_683_093_2),
            (1e-300, 5.0, -1.568_392_559_099_337_8e60),
            (0.975, 0.5, 164.557_673_480_488_23),
            (0.6, 7.0, 0.263_166_861_352_022_8),
            (0.51, 3.5, 0.026_902_352_906_549_58),
            (1e-6, 50.0, -5.376_673_401_740_477),
            (0.9995, 1000.0, 3.300_282_648_423_944),
            (0.975, 1e5, 1.959_987_707_534_609_3),
            (0.975, 1e6, 1.959_966_356_814_106_6),
            (0.975, 1e7, 1.959_964_221_767_205),
        ];
        for (p, dof, want) in cases {
            let got = student_t_quantile(p, dof);
            assert!(
                rel_close(got, want, 1e-12),
                "t({p}, {dof}) = {got}, want {want}"
            );
        }
        // Values quoted in the brief. t(0.975, 10) is quoted as 2.2281388519649385, which is
        // 2.1e-11 below the true 2.2281388519862742 (checked above); both agree to 1e-10.
        assert!(close(
            student_t_quantile(0.975, 1.0),
            12.706_204_736_174_705,
            1e-12
        ));
        assert!(close(
            student_t_quantile(0.975, 10.0),
            2.228_138_851_964_938_5,
            1e-10
        ));
        assert!(close(
            student_t_quantile(0.995, 30.0),
            2.749_995_653_567,
            1e-12
        ));
        assert!(close(student_t_quantile(0.975, 1e9), 1.959_964, 1e-6));
        assert_eq!(
            student_t_quantile(0.975, f64::INFINITY),
            normal::inv_cdf(0.975)
        );
    }

    #[test]
    fn student_t_symmetry_round_trip_and_edges() {
        for &dof in &[0.3, 1.0, 1.5, 2.0, 3.0, 7.5, 30.0, 1e3, 1e6] {
            let mut prev = f64::NEG_INFINITY;
            for &p in &[
                1e-200, 1e-12, 1e-4, 0.01, 0.2, 0.3, 0.49, 0.5, 0.51, 0.8, 0.99,
            ] {
                let t = student_t_quantile(p, dof);
                assert!(
                    t.is_finite() || (p < 1e-100 && dof < 1.0),
                    "t({p}, {dof}) = {t}"
                );
                assert!(
                    t > prev || t == f64::NEG_INFINITY,
                    "not increasing at p = {p}, dof = {dof}"
                );
                prev = t;
                if p < 0.5 && t.is_finite() {
                    // Symmetry t(1 - p) = -t(p) (for p that 1 - p represents exactly enough).
                    if p >= 1e-4 {
                        let u = student_t_quantile(1.0 - p, dof);
                        assert!(rel_close(u, -t, 1e-11), "symmetry at p = {p}, dof = {dof}");
                    }
                    // Round trip through the distribution function: P(T > |t|) = p.
                    let (_, tail) = t_probs(-t, dof);
                    assert!(
                        rel_close(tail, p, 1e-12),
                        "round trip at p = {p}, dof = {dof}: {tail}"
                    );
                }
            }
        }
        assert_eq!(student_t_quantile(0.0, 5.0), f64::NEG_INFINITY);
        assert_eq!(student_t_quantile(1.0, 5.0), f64::INFINITY);
        assert_eq!(student_t_quantile(0.5, 5.0), 0.0);
        assert!(student_t_quantile(-0.1, 5.0).is_nan());
        assert!(student_t_quantile(1.1, 5.0).is_nan());
        assert!(student_t_quantile(0.3, 0.0).is_nan());
        assert!(student_t_quantile(0.3, -2.0).is_nan());
        assert!(student_t_quantile(f64::NAN, 5.0).is_nan());
        assert!(student_t_quantile(0.3, f64::NAN).is_nan());
        // A quantile beyond f64::MAX is infinite, not NaN.
        assert_eq!(student_t_quantile(1e-300, 0.01), f64::NEG_INFINITY);
        // Continuity at the normal switch-over.
        let below = student_t_quantile(0.975, 1e7);
        let above = student_t_quantile(0.975, 1.000_001e7);
        assert!(close(below, above, 3e-7), "{below} vs {above}");
    }

    #[test]
    fn incomplete_beta_closed_forms() {
        for &x in &[1e-12, 0.01, 0.3, 0.5, 0.77, 0.999] {
            let y = 1.0 - x;
            let (i, c) = beta_inc_pair(1.0, 1.0, x, y);
            assert!(
                rel_close(i, x, 1e-14) && close(i + c, 1.0, 1e-15),
                "I_x(1,1) at {x}"
            );
            let (i, _) = beta_inc_pair(3.5, 1.0, x, y);
            assert!(rel_close(i, x.powf(3.5), 1e-13), "I_x(3.5,1) at {x}: {i}");
            let (_, c) = beta_inc_pair(1.0, 2.5, x, y);
            assert!(rel_close(c, y.powf(2.5), 1e-13), "I_x(1,2.5) at {x}: {c}");
        }
        // ln Γ against known values.
        assert!(close(ln_gamma(0.5), 0.572_364_942_924_700_1, 4e-15));
        assert!(close(ln_gamma(1.0), 0.0, 4e-15));
        assert!(close(ln_gamma(10.0), 12.801_827_480_081_469, 1e-14));
        assert!(rel_close(ln_gamma(1e6), 12_815_504.569_147_613, 1e-15));
        assert!(close(ln_beta(0.5, 0.5), std::f64::consts::PI.ln(), 8e-15));
        // ln B(5e6, 1/2) and ln B(5e4, 1/2) (40-digit references): no cancellation loss.
        assert!(close(ln_beta(5e6, 0.5), -7.140_109_267_274_487, 1e-14));
        assert!(close(ln_beta(0.5, 5e4), -4.837_521_699_280_441, 1e-14));
    }

    #[test]
    fn paired_difference_hand_example() {
        // a = 1..5, b = 2, 4, 5, 4, 7: d = 1, 2, 2, 0, 2; mean 1.4; Σ(d - 1.4)² = 3.2;
        // s² = 0.8; se = √(0.8/5) = 0.4; t(0.975, 4) = 2.7764451051977943578;
        // correlation = 10/√(10 · 13.2).
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        let b = [2.0, 4.0, 5.0, 4.0, 7.0];
        let pd = match paired_difference(&a, &b, 0.95) {
            Ok(pd) => pd,
            Err(e) => panic!("unexpected error: {e}"),
        };
        assert_eq!(pd.n, 5);
        assert_eq!(pd.mean_a, 3.0);
        assert!(close(pd.mean_b, 4.4, 1e-15));
        assert!(close(pd.mean, 1.4, 1e-15));
        assert!(close(pd.std_error, 0.4, 1e-15), "{pd:?}");
        let half = 2.776_445_105_197_793_4 * 0.4;
        assert!(close(pd.low, 1.4 - half, 1e-13), "{pd:?}");
        assert!(close(pd.high, 1.4 + half, 1e-13), "{pd:?}");
        assert_eq!(pd.confidence, 0.95);
        assert!(
            close(pd.correlation, 10.0 / 132.0f64.sqrt(), 1e-15),
            "{pd:?}"
        );
    }

    #[test]
    fn paired_difference_edges() {
        let err = paired_difference(&[1.0, 2.0], &[1.0], 0.95);
        assert_eq!(err, Err(LengthMismatch { len_a: 2, len_b: 1 }));
        if let Err(e) = err {
            assert_eq!(
                e.to_string(),
                "paired samples differ in length: a has 2 values, b has 1"
            );
            let dynamic: &dyn Error = &e;
            assert!(dynamic.source().is_none());
        }
        let empty = paired_difference(&[], &[], 0.95);
        assert_eq!(
            empty,
            Ok(PairedDifference {
                n: 0,
                mean_a: 0.0,
                mean_b: 0.0,
                mean: 0.0,
                std_error: 0.0,
                low: 0.0,
                high: 0.0,
                confidence: 0.95,
                correlation: 0.0,
            })
        );
        let one = paired_difference(&[1.0], &[3.5], 0.95);
        assert!(
            matches!(one, Ok(pd) if pd.mean == 2.5 && pd.std_error == 0.0 && pd.low == 2.5 && pd.high == 2.5)
        );
        // Constant shift: zero spread, degenerate interval, perfect correlation.
        let shift = paired_difference(&[1.0, 2.0, 3.0], &[1.5, 2.5, 3.5], 0.99);
        assert!(
            matches!(shift, Ok(pd) if pd.mean == 0.5 && pd.std_error == 0.0 && pd.low == 0.5 && pd.high == 0.5 && close(pd.correlation, 1.0, 1e-15)),
            "{shift:?}"
        );
        // Confidence 1 with a positive standard error: infinite bounds, not NaN.
        let wide = paired_difference(&[0.0, 0.0, 0.0], &[1.0, 2.0, 4.0], 1.0);
        assert!(matches!(wide, Ok(pd) if pd.low == f64::NEG_INFINITY && pd.high == f64::INFINITY));
    }

    #[test]
    fn pearson_correlation() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        let b = [2.0, 4.0, 5.0, 4.0, 7.0];
        let r = correlation(&a, &b);
        assert!(
            matches!(r, Some(r) if close(r, 10.0 / 132.0f64.sqrt(), 1e-15)),
            "{r:?}"
        );
        assert!(matches!(correlation(&a, &a), Some(r) if close(r, 1.0, 1e-15)));
        let neg: Vec<f64> = a.iter().map(|x| -2.0 * x + 1.0).collect();
        assert!(matches!(correlation(&a, &neg), Some(r) if close(r, -1.0, 1e-15)));
        // Orthogonal: x = -1, 0, 1 and y = 1, -2, 1 → r = 0 exactly.
        assert_eq!(correlation(&[-1.0, 0.0, 1.0], &[1.0, -2.0, 1.0]), Some(0.0));
        assert_eq!(correlation(&a, &[0.1; 5]), None);
        assert_eq!(correlation(&[3.0; 4], &[1.0, 2.0, 3.0, 4.0]), None);
        assert_eq!(correlation(&[1.0], &[2.0]), None);
        assert_eq!(correlation(&[], &[]), None);
        assert_eq!(correlation(&[1.0, 2.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(correlation(&[1.0, f64::NAN, 3.0], &[1.0, 2.0, 3.0]), None);
    }
}
