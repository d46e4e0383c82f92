//! The model's equations as small pure functions, one per formula of MODEL.md, so each can be
//! tested on its own. The path simulation (`model::path`) calls nothing else for the arithmetic.

use crate::normal;

/// §2: one step of the Ornstein–Uhlenbeck deviation, `x_t = (1 - kappa) x_{t-1} + sigma eps_t`.
#[inline]
pub fn ou_step(x_prev: f64, kappa: f64, sigma: f64, eps: f64) -> f64 {
    (1.0 - kappa) * x_prev + sigma * eps
}

/// §2: the stationary-from-zero variance of `x_t` after `t` steps:
/// `sigma^2 (1 - (1-kappa)^(2t)) / (1 - (1-kappa)^2)` (or `t sigma^2` when `kappa = 0`).
pub fn ou_variance(kappa: f64, sigma: f64, t: u32) -> f64 {
    let a = (1.0 - kappa).powi(2);
    if (1.0 - a).abs() < 1e-15 {
        f64::from(t) * sigma * sigma
    } else {
        sigma * sigma * (1.0 - a.powi(t as i32)) / (1.0 - a)
    }
}

/// §3: the default index `Phi^-1(PD_jt) = a_region + lambda dr_t - beta q_j`.
#[inline]
pub fn pd_index(a_region: f64, lambda: f64, dr: f64, beta: f64, q: f64) -> f64 {
    pd_index_from(region_index(a_region, lambda, dr), beta, q)
}

/// §3: the part of the default index shared by a region's firms in a quarter,
/// `a_region + lambda dr_t`.
#[inline]
pub fn region_index(a_region: f64, lambda: f64, dr: f64) -> f64 {
    a_region + lambda * dr
}

/// §3: the default index from its regional part: [`pd_index`] is
/// `pd_index_from(region_index(a_region, lambda, dr), beta, q)`.
#[inline]
pub fn pd_index_from(region_index: f64, beta: f64, q: f64) -> f64 {
    region_index - beta * q
}

/// §3: the default threshold of a rationed firm, `Phi^-1(1 - (1 - PD)(1 - pi_liq))`, from the
/// firm's default index.
pub fn rationed_index(index: f64, pi_liq: f64) -> f64 {
    if pi_liq <= 0.0 {
        return index;
    }
    // 1 - (1 - PD)(1 - pi) = PD + pi (1 - PD), computed from the upper tail to keep precision
    // when PD is close to 1.
    let survive = normal::cdf(-index) * (1.0 - pi_liq);
    -normal::inv_cdf(survive)
}

/// §3: the firm's latent variable `sqrt(rho_g) Z + sqrt(rho_r) W + sqrt(1 - rho_g - rho_r) e`.
#[inline]
pub fn latent(rho_g: f64, rho_r: f64, z: f64, w: f64, e: f64) -> f64 {
    let weights = LatentWeights::new(rho_g, rho_r);
    weights.latent(weights.systematic(z, w), e)
}

/// §3: the weights of the latent variable, computed once: [`latent`] is
/// `systematic(z, w) + own e`, with the systematic part the same for every firm of a region in a
/// quarter.
#[derive(Clone, Copy, Debug)]
pub struct LatentWeights {
    /// `sqrt(rho_g)`.
    pub global: f64,
    /// `sqrt(rho_r)`.
    pub region: f64,
    /// `sqrt(1 - rho_g - rho_r)`.
    pub own: f64,
}

impl LatentWeights {
    /// The weights for factor loadings `rho_g` (global) and `rho_r` (regional).
    #[inline]
    pub fn new(rho_g: f64, rho_r: f64) -> Self {
        LatentWeights {
            global: rho_g.sqrt(),
            region: rho_r.sqrt(),
            own: (1.0 - rho_g - rho_r).sqrt(),
        }
    }

    /// `sqrt(rho_g) Z + sqrt(rho_r) W`.
    #[inline]
    pub fn systematic(&self, z: f64, w: f64) -> f64 {
        self.global * z + self.region * w
    }

    /// The latent variable from its systematic part and the firm's own shock `e`.
    #[inline]
    pub fn latent(&self, systematic: f64, e: f64) -> f64 {
        systematic + self.own * e
    }
}

/// §4: a family's model error on a firm, `sqrt(rho_model) c_j + sqrt(1 - rho_model) u_mj`.
#[inline]
pub fn family_error(rho_model: f64, c: f64, u: f64) -> f64 {
    rho_model.sqrt() * c + (1.0 - rho_model).sqrt() * u
}

/// §4: a bank's score of a firm, `q_j + sigma_a (sqrt(1 - w_i) err_aj + sqrt(w_i) v_ij)`.
#[inline]
pub fn score(q: f64, sigma: f64, w: f64, err: f64, v: f64) -> f64 {
    ScoreWeights::new(sigma, w).score(q, err, v)
}

/// §4: a bank's score weights, computed once per bank: [`score`] without the square roots.
#[derive(Clone, Copy, Debug)]
pub struct ScoreWeights {
    /// The family's error scale `sigma_a`.
    pub sigma: f64,
    /// `sqrt(1 - w_i)`, the weight of the family's error.
    pub family: f64,
    /// `sqrt(w_i)`, the weight of the bank's fine-tuning error.
    pub own: f64,
}

impl ScoreWeights {
    /// The weights for error scale `sigma` and fine-tuning weight `w`.
    #[inline]
    pub fn new(sigma: f64, w: f64) -> Self {
        ScoreWeights {
            sigma,
            family: (1.0 - w).sqrt(),
            own: w.sqrt(),
        }
    }

    /// The score of a firm of quality `q` with family error `err` and fine-tuning error `v`.
    #[inline]
    pub fn score(&self, q: f64, err: f64, v: f64) -> f64 {
        q + self.sigma * (self.family * err + self.own * v)
    }
}

/// §4: the approval threshold `theta0_i + phi_a dr_t + psi max(0, car_target_i - CAR_{i,t-1})`.
#[inline]
pub fn threshold(theta0: f64, phi: f64, dr: f64, psi: f64, car_target: f64, car_prev: f64) -> f64 {
    theta0 + phi * dr + psi * (car_target - car_prev).max(0.0)
}

/// §5.1: the quarter's income, `(spread L - deposit_beta (dr / 100) Dep) / 4`.
#[inline]
pub fn income(spread: f64, loans: f64, deposit_beta: f64, dr: f64, deposits: f64) -> f64 {
    (spread * loans - deposit_beta * (dr / 100.0) * deposits) / 4.0
}

/// §5.2: the bond revaluation loss `D B_fv (r_t - r_{t-1}) / 100` (negative: a gain).
#[inline]
pub fn bond_loss(duration: f64, bonds_fv: f64, rate: f64, rate_prev: f64) -> f64 {
    duration * bonds_fv * (rate - rate_prev) / 100.0
}

/// §5: risk-weighted assets `rw_sme L + rw_bond B + rw_ib IB + rw_other O`.
#[inline]
pub fn rwa(rw: [f64; 4], loans: f64, bonds: f64, interbank: f64, other: f64) -> f64 {
    rw[0] * loans + rw[1] * bonds + rw[2] * interbank + rw[3] * other
}

/// §5.3: new SME lending capacity `max(0, (E - car_min RWA) / (car_min rw_sme))`.
#[inline]
pub fn capacity(equity: f64, car_min: f64, rwa: f64, rw_sme: f64) -> f64 {
    ((equity - car_min * rwa) / (car_min * rw_sme)).max(0.0)
}

/// §9: probability that a bank rejects a firm of quality `q` if its model error were an
/// independent standard normal of scale `sigma`: `P(q + sigma e < theta) = Phi((theta - q) / sigma)`,
/// and, with human review of a share `h` of rejections by a judgement of scale `sigma_h`, the
/// probability the rejection stands.
pub fn independent_rejection(q: f64, theta: f64, sigma: f64, review: Option<(f64, f64)>) -> f64 {
    let reject = if sigma > 0.0 {
        normal::cdf((theta - q) / sigma)
    } else if q >= theta {
        0.0
    } else {
        1.0
    };
    match review {
        None => reject,
        Some((h, sigma_h)) => {
            let overturn = if sigma_h > 0.0 {
                normal::cdf((q - theta) / sigma_h)
            } else if q >= theta {
                1.0
            } else {
                0.0
            };
            reject * (1.0 - h * overturn)
        }
    }
}

/// §4.1 regime shift: a family's error scale at rate `r`, `sigma (1 + eta |r - r_train|)`.
#[inline]
pub fn shifted_error_scale(sigma: f64, eta: f64, r: f64, r_train: f64) -> f64 {
    sigma * (1.0 + eta * (r - r_train).abs())
}

/// §4.1 regime shift: a family's score bias at rate `r`, `zeta (r - r_train)`.
#[inline]
pub fn shift_bias(zeta: f64, r: f64, r_train: f64) -> f64 {
    zeta * (r - r_train)
}

/// §4.1 procyclical learning: the threshold offset `gamma (DR_window - DR_0)`, with the default
/// rates as shares of the book a quarter and `gamma` in threshold points per percentage point.
#[inline]
pub fn learned_offset(gamma: f64, dr_window: f64, dr_calm: f64) -> f64 {
    gamma * 100.0 * (dr_window - dr_calm)
}

/// §4.1 a default or loss rate over a window: `sum / book` summed over the window's quarters, or
/// `None` when the book was empty throughout.
#[inline]
pub fn window_rate(amount: f64, book: f64) -> Option<f64> {
    (book > 0.0).then(|| amount / book)
}

/// §4.1 the Herfindahl index of shares that sum to 1 (0 for no shares at all).
pub fn herfindahl(shares: &[f64]) -> f64 {
    shares.iter().map(|s| s * s).fold(0.0, |a, b| a + b)
}

/// §9 [`independent_rejection`] for a model whose score is shifted by `shift` (a regime-shift
/// bias or a bias incident) and whose error has scale `sigma` (the shifted scale, with any
/// incident noise added in quadrature); human review sees the firm's true quality.
pub fn independent_rejection_shifted(
    q: f64,
    shift: f64,
    theta: f64,
    sigma: f64,
    review: Option<(f64, f64)>,
) -> f64 {
    let reject = if sigma > 0.0 {
        normal::cdf((theta - q - shift) / sigma)
    } else if q + shift >= theta {
        0.0
    } else {
        1.0
    };
    match review {
        None => reject,
        Some((h, sigma_h)) => {
            let overturn = if sigma_h > 0.0 {
                normal::cdf((q - theta) / sigma_h)
            } else if q >= theta {
                1.0
            } else {
                0.0
            };
            reject * (1.0 - h * overturn)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ou_step_and_variance() {
        assert_eq!(ou_step(1.0, 0.25, 0.5, 2.0), 0.75 + 1.0);
        // kappa = 1: no memory, variance sigma^2 at every t.
        assert!((ou_variance(1.0, 0.3, 5) - 0.09).abs() < 1e-15);
        // kappa = 0: random walk.
        assert!((ou_variance(0.0, 0.3, 4) - 4.0 * 0.09).abs() < 1e-15);
        // t = 2, kappa = 0.5: sigma^2 (1 + 0.25).
        assert!((ou_variance(0.5, 1.0, 2) - 1.25).abs() < 1e-15);
    }

    #[test]
    fn default_index_and_rationed_threshold() {
        assert_eq!(pd_index(-2.0, 0.2, 3.0, 0.5, 1.0), -2.0 + 0.6 - 0.5);
        // PD = 0.02, pi = 0.1: rationed PD = 0.02 + 0.1 * 0.98 = 0.118.
        let idx = normal::inv_cdf(0.02);
        let r = rationed_index(idx, 0.1);
        assert!((normal::cdf(r) - 0.118).abs() < 1e-14, "{}", normal::cdf(r));
        assert_eq!(rationed_index(idx, 0.0), idx);
        // pi = 1: a rationed firm always defaults.
        assert_eq!(rationed_index(idx, 1.0), f64::INFINITY);
        assert!(rationed_index(idx, 0.5) > idx);
    }

    #[test]
    fn latent_variable_has_unit_variance_weights() {
        let (g, r) = (0.1f64, 0.2f64);
        let w = [g.sqrt(), r.sqrt(), (1.0 - g - r).sqrt()];
        assert!((w.iter().map(|x| x * x).sum::<f64>() - 1.0).abs() < 1e-15);
        assert_eq!(latent(g, r, 1.0, 0.0, 0.0), g.sqrt());
        assert_eq!(latent(g, r, 0.0, 0.0, 1.0), (1.0 - g - r).sqrt());
    }

    #[test]
    fn scores_and_errors() {
        assert_eq!(family_error(1.0, 0.7, -5.0), 0.7);
        assert_eq!(family_error(0.0, 0.7, -5.0), -5.0);
        assert!((family_error(0.25, 2.0, 2.0) - (0.5 * 2.0 + 0.75f64.sqrt() * 2.0)).abs() < 1e-15);
        assert_eq!(score(1.0, 0.5, 0.0, 2.0, 9.0), 2.0);
        assert_eq!(score(1.0, 0.5, 1.0, 2.0, 4.0), 3.0);
        assert_eq!(score(1.0, 0.0, 0.3, 2.0, 4.0), 1.0);
    }

    #[test]
    fn threshold_rises_with_rates_and_capital_shortfall() {
        assert!((threshold(-0.5, 0.2, 3.0, 10.0, 0.12, 0.15) - 0.1).abs() < 1e-15);
        let t = threshold(-0.5, 0.2, 3.0, 10.0, 0.12, 0.10);
        assert!((t - (-0.5 + 0.6 + 0.2)).abs() < 1e-15);
    }

    #[test]
    fn bank_accounting() {
        // spread 2% a year on 400, deposit beta 0.5 on 1000 after a 300 bp rise: (8 - 15) / 4.
        assert!((income(0.02, 400.0, 0.5, 3.0, 1000.0) - (-1.75)).abs() < 1e-12);
        // duration 4 on 50 at fair value, rates +1 point: loss 2.
        assert!((bond_loss(4.0, 50.0, 3.0, 2.0) - 2.0).abs() < 1e-12);
        assert!(bond_loss(4.0, 50.0, 2.0, 3.0) < 0.0);
        let r = rwa([0.75, 0.1, 0.2, 0.5], 100.0, 50.0, 10.0, 20.0);
        assert!((r - (75.0 + 5.0 + 2.0 + 10.0)).abs() < 1e-12);
        // E = 10, car_min 0.08, RWA 92: room (10 - 7.36) / (0.08 * 0.75) = 44.
        assert!((capacity(10.0, 0.08, 92.0, 0.75) - 44.0).abs() < 1e-9);
        assert_eq!(capacity(5.0, 0.08, 92.0, 0.75), 0.0);
    }

    #[test]
    fn independent_rejection_probabilities() {
        assert!((independent_rejection(0.0, 0.0, 1.0, None) - 0.5).abs() < 1e-15);
        assert_eq!(independent_rejection(1.0, 0.0, 0.0, None), 0.0);
        assert_eq!(independent_rejection(-1.0, 0.0, 0.0, None), 1.0);
        // Review of every rejection by a perfect judge overturns all rejections of a good firm.
        assert_eq!(independent_rejection(1.0, 0.0, 1.0, Some((1.0, 0.0))), 0.0);
        // Review of half the rejections by a coin-flip judge (q = theta) keeps 3/4 of them.
        assert!((independent_rejection(0.0, 0.0, 1.0, Some((0.5, 1.0))) - 0.375).abs() < 1e-15);
    }

    #[test]
    fn regime_shift_scale_and_bias() {
        // Trained at 2%, the rate at 5%: eta = 0.2 grows sigma = 0.5 by 60%.
        assert!((shifted_error_scale(0.5, 0.2, 5.0, 2.0) - 0.8).abs() < 1e-15);
        // Symmetric: 3 points below is as far as 3 above.
        assert_eq!(
            shifted_error_scale(0.5, 0.2, -1.0, 2.0),
            shifted_error_scale(0.5, 0.2, 5.0, 2.0)
        );
        // Off (eta = 0): the v1 scale, bit for bit.
        assert_eq!(shifted_error_scale(0.37, 0.0, 9.0, 2.0), 0.37);
        assert!((shift_bias(0.1, 5.0, 2.0) - 0.3).abs() < 1e-15);
        assert!((shift_bias(0.1, 1.0, 2.0) + 0.1).abs() < 1e-15);
    }

    #[test]
    fn learned_offset_is_gamma_per_point_of_default_rate() {
        // 1.5% a quarter against 0.5% in calm times, gamma 0.2 per point: +0.2.
        assert!((learned_offset(0.2, 0.015, 0.005) - 0.2).abs() < 1e-15);
        assert!(learned_offset(0.2, 0.004, 0.005) < 0.0);
        assert_eq!(window_rate(3.0, 0.0), None);
        assert_eq!(window_rate(3.0, 300.0), Some(0.01));
    }

    #[test]
    fn herfindahl_of_shares() {
        assert_eq!(herfindahl(&[1.0]), 1.0);
        assert!((herfindahl(&[0.25; 4]) - 0.25).abs() < 1e-15);
        assert!((herfindahl(&[0.5, 0.3, 0.2]) - 0.38).abs() < 1e-15);
        assert_eq!(herfindahl(&[]), 0.0);
    }

    #[test]
    fn shifted_independent_rejection() {
        // No shift: the v1 probability.
        for (q, th, s) in [(0.3, 0.1, 0.5), (-1.0, 0.0, 1.2)] {
            assert_eq!(
                independent_rejection_shifted(q, 0.0, th, s, Some((0.3, 0.4))),
                independent_rejection(q, th, s, Some((0.3, 0.4)))
            );
        }
        // A bias of +0.5 on a firm at q = theta - 0.5 puts it at the threshold: rejected half the time.
        assert!((independent_rejection_shifted(-0.5, 0.5, 0.0, 1.0, None) - 0.5).abs() < 1e-15);
        // Review sees the true quality: a perfect judge overturns every rejection of a good firm
        // however the model is biased against it.
        assert_eq!(
            independent_rejection_shifted(1.0, -5.0, 0.0, 1.0, Some((1.0, 0.0))),
            0.0
        );
    }
}
