//! Herding measures (MODEL.md §9): decision agreement and the LSV measure. Systemic rejection is
//! counted in the credit market itself (`model::path`).

/// Bank counts above which [`mean_pairwise_correlation`] sums per probe instead of per pair.
pub const PAIRWISE_BANKS_MAX: usize = 256;

/// Mean pairwise Pearson correlation of banks' binary decisions on the same probe firms.
///
/// `decisions[b * probes + j]` is bank `b`'s decision on probe firm `j`. Pairs in which either bank
/// decides the same way on every probe (zero variance, correlation undefined) are left out.
/// Returns the mean and the number of pairs it averages; `(0, 0)` when no pair is defined.
///
/// Up to [`PAIRWISE_BANKS_MAX`] banks the correlations are summed pair by pair (`O(B² J)`). Above,
/// the same sum is taken as `Σ_{a<b} r_ab = (Σ_j S_j² − Σ_a Σ_j z_aj²) / 2J` with
/// `z_aj = (x_aj − p_a) / sqrt(p_a (1 − p_a))` and `S_j = Σ_a z_aj` (`O(B J)`): equal in exact
/// arithmetic, within about 1e-12 in floating point (tested), and what keeps a quarter of 100,000
/// banks from taking a quarter of an hour here.
pub fn mean_pairwise_correlation(decisions: &[bool], banks: usize, probes: usize) -> (f64, usize) {
    if banks < 2 || probes < 2 || decisions.len() < banks * probes {
        return (0.0, 0);
    }
    if banks > PAIRWISE_BANKS_MAX {
        return mean_correlation_by_probe(decisions, banks, probes);
    }
    let n = probes as f64;
    // Per bank: count of approvals.
    let ones: Vec<f64> = (0..banks)
        .map(|b| {
            decisions[b * probes..(b + 1) * probes]
                .iter()
                .filter(|&&d| d)
                .count() as f64
        })
        .collect();
    let mut sum = 0.0;
    let mut pairs = 0usize;
    for a in 0..banks {
        let pa = ones[a] / n;
        if pa <= 0.0 || pa >= 1.0 {
            continue;
        }
        let da = &decisions[a * probes..(a + 1) * probes];
        for b in (a + 1)..banks {
            let pb = ones[b] / n;
            if pb <= 0.0 || pb >= 1.0 {
                continue;
            }
            let db = &decisions[b * probes..(b + 1) * probes];
            let both = da.iter().zip(db).filter(|(x, y)| **x && **y).count() as f64 / n;
            let cov = both - pa * pb;
            sum += cov / (pa * (1.0 - pa) * pb * (1.0 - pb)).sqrt();
            pairs += 1;
        }
    }
    if pairs == 0 {
        (0.0, 0)
    } else {
        (sum / pairs as f64, pairs)
    }
}

/// [`mean_pairwise_correlation`] summed per probe: `O(banks × probes)`.
fn mean_correlation_by_probe(decisions: &[bool], banks: usize, probes: usize) -> (f64, usize) {
    let n = probes as f64;
    let mut column = vec![0.0; probes];
    let mut squares = 0.0;
    let mut valid = 0usize;
    for b in 0..banks {
        let d = &decisions[b * probes..(b + 1) * probes];
        let p = d.iter().filter(|&&x| x).count() as f64 / n;
        if p <= 0.0 || p >= 1.0 {
            continue;
        }
        let sd = (p * (1.0 - p)).sqrt();
        let (z1, z0) = ((1.0 - p) / sd, -p / sd);
        for (s, &x) in column.iter_mut().zip(d) {
            let z = if x { z1 } else { z0 };
            *s += z;
            squares += z * z;
        }
        valid += 1;
    }
    let pairs = valid * valid.saturating_sub(1) / 2;
    if pairs == 0 {
        return (0.0, 0);
    }
    let total: f64 = column.iter().map(|s| s * s).sum();
    ((total - squares) / (2.0 * n) / pairs as f64, pairs)
}

/// Pearson correlation of two banks' binary decisions on `n` shared applicants, from counts: the
/// approvals of each (`ones_a`, `ones_b`) and the applicants both approve (`both`). The same formula
/// as [`mean_pairwise_correlation`]'s pairs; `None` when either bank decides the same way on all `n`
/// (correlation undefined) or `n == 0`. Used by the herding monitor, whose bank pairs share
/// different applicants.
pub fn binary_correlation(n: u64, ones_a: u64, ones_b: u64, both: u64) -> Option<f64> {
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let (pa, pb) = (ones_a as f64 / nf, ones_b as f64 / nf);
    if pa <= 0.0 || pa >= 1.0 || pb <= 0.0 || pb >= 1.0 {
        return None;
    }
    let cov = both as f64 / nf - pa * pb;
    Some(cov / (pa * (1.0 - pa) * pb * (1.0 - pb)).sqrt())
}

/// `E|X/n - p|` for `X ~ Binomial(n, p)`: the LSV adjustment factor.
pub fn binomial_mean_abs_dev(n: usize, p: f64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let nf = n as f64;
    let mut total = 0.0;
    // pmf by the recurrence pmf(k+1) = pmf(k) (n-k)/(k+1) p/(1-p), in logs for stability.
    let (lp, lq) = (p.ln(), (1.0 - p).ln());
    let mut log_choose = 0.0f64;
    for k in 0..=n {
        if k > 0 {
            log_choose += ((n - k + 1) as f64).ln() - (k as f64).ln();
        }
        let kf = k as f64;
        let log_pmf = log_choose
            + if kf > 0.0 { kf * lp } else { 0.0 }
            + if k < n { (nf - kf) * lq } else { 0.0 };
        total += log_pmf.exp() * (kf / nf - p).abs();
    }
    total
}

/// The LSV herding measure of one quarter, regions as markets and banks as traders.
///
/// For each market, `(up, n)`: the number of banks that loosened (raised their approval rate) and
/// the number that moved at all (tightened or loosened; unchanged banks are left out). With
/// `p = sum(up) / sum(n)` over all markets, each market with at least `min_traders` movers gives
/// `H = |up/n - p| - E|Binomial(n, p)/n - p|`; the measure is their mean. Returns the mean and the
/// number of markets in it; `(0, 0)` when there are none.
pub fn lsv(markets: &[(usize, usize)], min_traders: usize) -> (f64, usize) {
    let up: usize = markets.iter().map(|m| m.0).sum();
    let n: usize = markets.iter().map(|m| m.1).sum();
    if n == 0 {
        return (0.0, 0);
    }
    let p = up as f64 / n as f64;
    let mut sum = 0.0;
    let mut count = 0;
    for &(b, m) in markets {
        if m < min_traders.max(1) {
            continue;
        }
        let h = (b as f64 / m as f64 - p).abs() - binomial_mean_abs_dev(m, p);
        sum += h;
        count += 1;
    }
    if count == 0 {
        (0.0, 0)
    } else {
        (sum / count as f64, count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_decisions_correlate_perfectly_and_opposite_negatively() {
        let d = [true, false, true, false, true, false, true, false];
        assert_eq!(mean_pairwise_correlation(&d, 2, 4), (1.0, 1));
        let e = [true, false, true, false, false, true, false, true];
        assert_eq!(mean_pairwise_correlation(&e, 2, 4), (-1.0, 1));
    }

    #[test]
    fn correlation_by_hand() {
        // a = 1100, b = 1010: pa = pb = 1/2, both = 1/4, cov 0 → correlation 0.
        let d = [true, true, false, false, true, false, true, false];
        assert_eq!(mean_pairwise_correlation(&d, 2, 4), (0.0, 1));
        // a = 1110, b = 1100: pa = 3/4, pb = 1/2, both = 1/2, cov = 1/2 - 3/8 = 1/8,
        // sd product = sqrt(3/16 * 1/4) = sqrt(3)/8 → 1/sqrt(3).
        let d = [true, true, true, false, true, true, false, false];
        let (c, n) = mean_pairwise_correlation(&d, 2, 4);
        assert_eq!(n, 1);
        assert!((c - 1.0 / 3f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn constant_deciders_are_left_out() {
        let d = [
            true, true, true, true, true, false, true, false, true, false, true, false,
        ];
        assert_eq!(mean_pairwise_correlation(&d, 3, 4), (1.0, 1));
        assert_eq!(mean_pairwise_correlation(&[true; 8], 2, 4), (0.0, 0));
    }

    #[test]
    fn the_per_probe_sum_equals_the_pairwise_sum() {
        // Random decisions with bank-specific approval rates and a common factor, some banks
        // constant (left out): both forms give the same mean and pair count.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut uniform = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        for (banks, probes) in [(3, 2), (40, 7), (300, 50), (600, 200)] {
            let common: Vec<f64> = (0..probes).map(|_| uniform()).collect();
            let mut d = Vec::with_capacity(banks * probes);
            for b in 0..banks {
                let rate = uniform();
                for c in &common {
                    d.push(match b % 17 {
                        0 => true,
                        1 => false,
                        _ => 0.5 * c + 0.5 * uniform() < rate,
                    });
                }
            }
            let pairwise = {
                // The pairwise sum, whatever the bank count.
                let mut sum = 0.0;
                let mut pairs = 0;
                for a in 0..banks {
                    for b in (a + 1)..banks {
                        let count = |k: usize| {
                            d[k * probes..(k + 1) * probes]
                                .iter()
                                .filter(|&&v| v)
                                .count() as u64
                        };
                        let both = (0..probes)
                            .filter(|&j| d[a * probes + j] && d[b * probes + j])
                            .count() as u64;
                        if let Some(r) = binary_correlation(probes as u64, count(a), count(b), both)
                        {
                            sum += r;
                            pairs += 1;
                        }
                    }
                }
                if pairs == 0 {
                    (0.0, 0)
                } else {
                    (sum / pairs as f64, pairs)
                }
            };
            let fast = mean_correlation_by_probe(&d, banks, probes);
            assert_eq!(fast.1, pairwise.1, "{banks} banks");
            assert!(
                (fast.0 - pairwise.0).abs() < 1e-12,
                "{banks} banks: {fast:?} vs {pairwise:?}"
            );
            if banks > PAIRWISE_BANKS_MAX {
                assert_eq!(mean_pairwise_correlation(&d, banks, probes), fast);
            }
        }
    }

    #[test]
    fn binary_correlation_from_counts_matches_the_matrix_form() {
        // a = 1110, b = 1100 (see correlation_by_hand): 1/sqrt(3).
        let r = binary_correlation(4, 3, 2, 2).unwrap_or(f64::NAN);
        assert!((r - 1.0 / 3f64.sqrt()).abs() < 1e-15);
        let d = [true, true, true, false, true, true, false, false];
        assert_eq!(Some(mean_pairwise_correlation(&d, 2, 4).0), Some(r));
        assert_eq!(binary_correlation(4, 4, 2, 2), None);
        assert_eq!(binary_correlation(4, 2, 0, 0), None);
        assert_eq!(binary_correlation(0, 0, 0, 0), None);
        assert_eq!(binary_correlation(2, 1, 1, 0), Some(-1.0));
    }

    #[test]
    fn binomial_adjustment_factor() {
        // n = 1: |X - p| is 1-p w.p. p and p w.p. 1-p → 2p(1-p).
        assert!((binomial_mean_abs_dev(1, 0.3) - 0.42).abs() < 1e-15);
        // n = 2, p = 1/2: X/2 in {0, 1/2, 1} w.p. 1/4, 1/2, 1/4 → 1/4.
        assert!((binomial_mean_abs_dev(2, 0.5) - 0.25).abs() < 1e-15);
        assert_eq!(binomial_mean_abs_dev(5, 0.0), 0.0);
        assert_eq!(binomial_mean_abs_dev(5, 1.0), 0.0);
    }

    #[test]
    fn lsv_by_hand() {
        // Two markets of 2 banks: all loosen in one, all tighten in the other. p = 1/2,
        // |1 - 1/2| - 1/4 = 1/4 in each.
        let (h, n) = lsv(&[(2, 2), (0, 2)], 2);
        assert_eq!(n, 2);
        assert!((h - 0.25).abs() < 1e-15);
        // Half loosen in each market: no herding beyond chance, H = -AF.
        let (h, _) = lsv(&[(1, 2), (1, 2)], 2);
        assert!((h + 0.25).abs() < 1e-15);
        assert_eq!(lsv(&[], 2), (0.0, 0));
        assert_eq!(lsv(&[(1, 1)], 2), (0.0, 0));
    }
}
