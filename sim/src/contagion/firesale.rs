//! Fire sales on overlapping portfolios (leverage targeting with
//! exponential price impact).
//!
//! Units: `holdings[(i, a)]` is in *units* of asset class `a`; its value is
//! `units * price`. `depth[a]` is in units too (selling `depth[a]` units in
//! the quarter lowers the price by a factor `e`). Equity, other assets and
//! sale proceeds are in money.

use super::ContagionError;
use super::error::{check_finite, check_len, check_matrix_nonneg, check_nonneg, invalid};
use nalgebra::DMatrix;

/// Slack on the leverage test: a bank sells only if `A_i / E_i > lev_max + LEVERAGE_TOL`.
pub const LEVERAGE_TOL: f64 = 1e-12;

/// Leverage-targeting rule of the banks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LeverageRule {
    /// Maximum leverage `A_i / E_i` tolerated; above it a bank sells (>= 1).
    pub lev_max: f64,
    /// Leverage a selling bank aims for (`1 <= lev_target <= lev_max`).
    pub lev_target: f64,
}

/// Outcome of [`fire_sale`].
#[derive(Debug, Clone, PartialEq)]
pub struct FireSaleResult {
    /// Final price of each asset class, `P0_a * exp(-Q_a / depth_a)`; never
    /// above the starting price.
    pub prices: Vec<f64>,
    /// Units held after the sales (banks × asset classes).
    pub holdings_after: DMatrix<f64>,
    /// Equity after mark-to-market losses (`equity - losses`). Sales
    /// themselves do not change equity.
    pub equity_after: Vec<f64>,
    /// Mark-to-market loss of each bank over the call (>= 0).
    pub losses: Vec<f64>,
    /// Units sold of each asset class over the call (`Q_a`).
    pub units_sold: Vec<f64>,
    /// Proceeds of each bank's sales (money), used to repay debt: the bank's
    /// liabilities and total assets both fall by this amount.
    pub value_sold: Vec<f64>,
    /// Number of rounds in which at least one bank sold.
    pub rounds: usize,
    /// `true` if banks still wanted to sell when `max_rounds` was reached.
    pub hit_limit: bool,
}

/// Runs the fire-sale cascade of one quarter.
///
/// Inputs: `holdings` (banks × asset classes, units), `prices` (start prices
/// `P0_a > 0`, usually 1), `depth` (> 0, units), `equity` `E_i`,
/// `other_assets` (non-marketable assets, value, >= 0), the leverage `rule`
/// and `max_rounds`. Total assets are `A_i = other_i + sum_a H[(i, a)] P_a`.
///
/// Each round, in this exact order:
/// 1. Sellers are the banks with `E_i > 0`, positive marketable holdings
///    `M_i = sum_a H[(i, a)] P_a` and `A_i / E_i > lev_max + LEVERAGE_TOL`,
///    all evaluated at the prices and equity at the start of the round. If
///    there are none, the cascade stops. If `max_rounds` rounds have already
///    run, it stops with `hit_limit = true`.
/// 2. Each seller sells the value `S_i = min(A_i - lev_target * E_i, M_i)`
///    at the round's start prices, pro rata: the fraction `S_i / M_i` of
///    every holding. Proceeds repay debt (`A_i` falls by `S_i`, equity
///    unchanged). All sellers act simultaneously.
/// 3. `Q_a` (cumulative units sold in this call) grows by the units sold and
///    the new price is `P_a = P0_a * exp(-Q_a / depth_a)`.
/// 4. Every holder, sellers included (on their remaining units), marks to
///    market: `E_i -= sum_a H[(i, a)] (P_old_a - P_new_a)`.
///
/// Banks with `E_i <= 0` (at the start or after a round) never sell here: a
/// failed bank (`E_i < 0`) is resolved by the engine, and a bank left with
/// exactly zero equity (which survives, MODEL.md §5.6) has no equity to lever
/// against, so no sale brings it back to `lev_target`. Both still take
/// mark-to-market losses on what they hold.
///
/// Errors: dimension mismatches; negative or non-finite holdings, other
/// assets; non-finite equity; prices or depths not finite and > 0;
/// `lev_max < 1`, `lev_target < 1` or `lev_target > lev_max`.
pub fn fire_sale(
    holdings: &DMatrix<f64>,
    prices: &[f64],
    depth: &[f64],
    equity: &[f64],
    other_assets: &[f64],
    rule: LeverageRule,
    max_rounds: usize,
) -> Result<FireSaleResult, ContagionError> {
    let n = holdings.nrows();
    let k = holdings.ncols();
    check_matrix_nonneg("holdings", holdings, false)?;
    check_len("prices", prices.len(), k)?;
    check_len("depth", depth.len(), k)?;
    check_len("equity", equity.len(), n)?;
    check_len("other_assets", other_assets.len(), n)?;
    for (a, &p) in prices.iter().enumerate() {
        if !p.is_finite() || p <= 0.0 {
            return Err(invalid(format!("prices[{a}]"), p, "must be finite and > 0"));
        }
    }
    for (a, &d) in depth.iter().enumerate() {
        if !d.is_finite() || d <= 0.0 {
            return Err(invalid(format!("depth[{a}]"), d, "must be finite and > 0"));
        }
    }
    check_finite("equity", equity)?;
    check_nonneg("other_assets", other_assets)?;
    let LeverageRule {
        lev_max,
        lev_target,
    } = rule;
    if !lev_max.is_finite() || lev_max < 1.0 {
        return Err(invalid(
            "rule.lev_max".to_string(),
            lev_max,
            "must be finite and >= 1",
        ));
    }
    if !lev_target.is_finite() || lev_target < 1.0 || lev_target > lev_max {
        return Err(invalid(
            "rule.lev_target".to_string(),
            lev_target,
            "must be finite with 1 <= lev_target <= lev_max",
        ));
    }

    let mut h = holdings.clone();
    let mut p = prices.to_vec();
    let mut e = equity.to_vec();
    let mut losses = vec![0.0; n];
    let mut q = vec![0.0; k];
    let mut value_sold = vec![0.0; n];
    let mut rounds = 0;
    let mut hit_limit = false;

    loop {
        // 1. sellers at start-of-round prices and equity
        let mut sales: Vec<(usize, f64, f64)> = Vec::new(); // (bank, fraction, value)
        for i in 0..n {
            if e[i] <= 0.0 {
                continue;
            }
            let m: f64 = (0..k).map(|a| h[(i, a)] * p[a]).sum();
            if m <= 0.0 {
                continue;
            }
            let assets = other_assets[i] + m;
            if assets / e[i] > lev_max + LEVERAGE_TOL {
                let s = (assets - lev_target * e[i]).min(m);
                if s > 0.0 {
                    sales.push((i, s / m, s));
                }
            }
        }
        if sales.is_empty() {
            break;
        }
        if rounds >= max_rounds {
            hit_limit = true;
            break;
        }
        rounds += 1;
        // 2. pro-rata sales
        for &(i, f, value) in &sales {
            value_sold[i] += value;
            for (a, qa) in q.iter_mut().enumerate() {
                let units = f * h[(i, a)];
                *qa += units;
                h[(i, a)] -= units;
            }
        }
        // 3. price impact on cumulative sales
        let new_p: Vec<f64> = (0..k)
            .map(|a| (prices[a] * (-q[a] / depth[a]).exp()).min(p[a]))
            .collect();
        // 4. mark to market
        for i in 0..n {
            let loss: f64 = (0..k).map(|a| h[(i, a)] * (p[a] - new_p[a])).sum();
            e[i] -= loss;
            losses[i] += loss;
        }
        p = new_p;
    }

    Ok(FireSaleResult {
        prices: p,
        holdings_after: h,
        equity_after: e,
        losses,
        units_sold: q,
        value_sold,
        rounds,
        hit_limit,
    })
}

#[cfg(test)]
#[allow(clippy::needless_range_loop)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RULE: LeverageRule = LeverageRule {
        lev_max: 15.0,
        lev_target: 10.0,
    };

    type Inputs = (DMatrix<f64>, Vec<f64>, Vec<f64>, Vec<f64>, Vec<f64>);

    fn two_banks(e1: f64) -> Inputs {
        let h = DMatrix::from_row_slice(2, 1, &[80.0, 40.0]);
        (h, vec![1.0], vec![1000.0], vec![5.0, e1], vec![20.0, 60.0])
    }

    /// Two banks, one asset, P0 = 1, depth = 1000, lev_max = 15, lev_target = 10.
    /// Bank 0: 80 units, other 20, E = 5 -> A = 100, leverage 20 > 15.
    ///   S_0 = 100 - 10*5 = 50 (< M_0 = 80) -> sells 50/80 = 62.5% = 50 units,
    ///   keeps 30 units; pays down 50 of debt.
    /// Bank 1: 40 units, other 60, E = 10 -> A = 100, leverage 10: no sale.
    /// Q = 50 -> P1 = exp(-50/1000) = exp(-0.05) = 0.951229424500714...,
    /// dP = 1 - exp(-0.05) = 0.048770575499286...
    /// Losses: bank 0: 30 dP = 1.46311726..., bank 1: 40 dP = 1.95082302...
    /// E0 = 5 - 30 dP = 3.53688273..., A0 = 20 + 30 P1 = 48.5368827... ->
    ///   leverage 13.72 <= 15; E1 = 10 - 40 dP = 8.04917698..., A1 = 60 + 40 P1
    ///   = 98.0491770 -> leverage 12.18 <= 15. Round 2: nobody sells.
    #[test]
    fn two_bank_one_asset_hand_example() {
        let (h, p, d, e, o) = two_banks(10.0);
        let r = fire_sale(&h, &p, &d, &e, &o, RULE, 10).expect("valid");
        let p1 = (-0.05f64).exp();
        let dp = 1.0 - p1;
        assert!((r.prices[0] - p1).abs() < 1e-12);
        assert!((r.units_sold[0] - 50.0).abs() < 1e-12);
        assert!((r.holdings_after[(0, 0)] - 30.0).abs() < 1e-12);
        assert_eq!(r.holdings_after[(1, 0)], 40.0);
        assert!((r.losses[0] - 30.0 * dp).abs() < 1e-12);
        assert!((r.losses[1] - 40.0 * dp).abs() < 1e-12);
        assert!((r.equity_after[0] - (5.0 - 30.0 * dp)).abs() < 1e-12);
        assert!((r.equity_after[1] - (10.0 - 40.0 * dp)).abs() < 1e-12);
        assert!((r.value_sold[0] - 50.0).abs() < 1e-12);
        assert_eq!(r.value_sold[1], 0.0);
        assert_eq!(r.rounds, 1);
        assert!(!r.hit_limit);
        let lev0 = (20.0 + 30.0 * p1) / r.equity_after[0];
        assert!((lev0 - 13.723_2).abs() < 1e-3);
    }

    /// Same as above but bank 1 has E = 7 (leverage 100/7 = 14.29 <= 15).
    /// After round 1 (identical to the previous test): E1 = 7 - 40 dP =
    /// 5.0491770, A1 = 98.0491770 -> leverage 19.42 > 15, so bank 1 must sell
    /// in round 2: with max_rounds = 1 the limit is hit.
    /// Round 2 (unlimited run): bank 1 wants S = 98.049 - 50.492 = 47.557 but
    /// holds only M = 40 P1 = 38.049, so it sells all 40 units; Q = 90 and
    /// P2 = exp(-0.09). Bank 0 (30 units) then loses 30 (P1 - P2) = 1.1190,
    /// its leverage rises to 19.6 and it sells again in round 3, etc.
    #[test]
    fn hit_limit_with_one_round_and_cascade_without() {
        let (h, p, d, e, o) = two_banks(7.0);
        let r = fire_sale(&h, &p, &d, &e, &o, RULE, 1).expect("valid");
        assert!(r.hit_limit);
        assert_eq!(r.rounds, 1);
        let dp = 1.0 - (-0.05f64).exp();
        assert!((r.equity_after[1] - (7.0 - 40.0 * dp)).abs() < 1e-12);
        assert_eq!(r.value_sold[1], 0.0);

        let r2 = fire_sale(&h, &p, &d, &e, &o, RULE, 2).expect("valid");
        assert!(r2.hit_limit);
        assert!((r2.prices[0] - (-0.09f64).exp()).abs() < 1e-12);
        assert_eq!(r2.holdings_after[(1, 0)], 0.0);
        let p1 = (-0.05f64).exp();
        assert!((r2.value_sold[1] - 40.0 * p1).abs() < 1e-12);
        assert!((r2.losses[0] - 30.0 * (1.0 - (-0.09f64).exp())).abs() < 1e-12);

        let full = fire_sale(&h, &p, &d, &e, &o, RULE, 100).expect("valid");
        assert!(!full.hit_limit);
        assert!(full.rounds >= 3);
    }

    #[test]
    fn no_sales_when_everyone_is_under_lev_max() {
        let (h, p, d, _, o) = two_banks(10.0);
        let r = fire_sale(&h, &p, &d, &[10.0, 10.0], &o, RULE, 10).expect("valid");
        assert_eq!(r.rounds, 0);
        assert_eq!(r.prices, vec![1.0]);
        assert_eq!(r.holdings_after, h);
        assert_eq!(r.losses, vec![0.0, 0.0]);
    }

    #[test]
    fn failed_banks_do_not_sell() {
        let (h, p, d, _, o) = two_banks(10.0);
        let r = fire_sale(&h, &p, &d, &[0.0, -1.0], &o, RULE, 10).expect("valid");
        assert_eq!(r.rounds, 0);
        assert_eq!(r.units_sold, vec![0.0]);
    }

    #[test]
    fn rejects_bad_inputs() {
        let (h, p, d, e, o) = two_banks(10.0);
        let err = fire_sale(&h, &[0.0], &d, &e, &o, RULE, 5).expect_err("price 0");
        assert!(err.to_string().contains("prices[0]"), "{err}");
        assert!(fire_sale(&h, &p, &[0.0], &e, &o, RULE, 5).is_err());
        assert!(fire_sale(&h, &p, &d, &[1.0], &o, RULE, 5).is_err());
        assert!(fire_sale(&h, &p, &d, &e, &[1.0, -1.0], RULE, 5).is_err());
        assert!(fire_sale(&h, &p, &[1.0, 2.0], &e, &o, RULE, 5).is_err());
        let bad = LeverageRule {
            lev_max: 10.0,
            lev_target: 12.0,
        };
        assert!(fire_sale(&h, &p, &d, &e, &o, bad, 5).is_err());
        let bad = LeverageRule {
            lev_max: f64::NAN,
            lev_target: 1.0,
        };
        assert!(fire_sale(&h, &p, &d, &e, &o, bad, 5).is_err());
        let neg = DMatrix::from_row_slice(2, 1, &[-1.0, 1.0]);
        assert!(fire_sale(&neg, &p, &d, &e, &o, RULE, 5).is_err());
    }

    type Market = (
        DMatrix<f64>,
        Vec<f64>,
        Vec<f64>,
        Vec<f64>,
        Vec<f64>,
        LeverageRule,
    );

    fn market() -> impl Strategy<Value = Market> {
        (2usize..=12, 1usize..=4).prop_flat_map(|(n, k)| {
            (
                proptest::collection::vec(prop_oneof![Just(0.0), 0.0..100.0f64], n * k),
                proptest::collection::vec(0.5..2.0f64, k),
                proptest::collection::vec(20.0..2000.0f64, k),
                proptest::collection::vec(-1.0..20.0f64, n),
                proptest::collection::vec(0.0..100.0f64, n),
                5.0..30.0f64,
                0.3..=1.0f64,
            )
                .prop_map(move |(cells, p, d, e, o, lev_max, frac)| {
                    let h = DMatrix::from_row_slice(n, k, &cells);
                    let lev_target = (lev_max * frac).max(1.0);
                    (
                        h,
                        p,
                        d,
                        e,
                        o,
                        LeverageRule {
                            lev_max,
                            lev_target,
                        },
                    )
                })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn prices_never_rise_and_accounts_balance((h, p, d, e, o, rule) in market()) {
            let n = h.nrows();
            let k = h.ncols();
            let mut last = p.clone();
            let mut last_losses = vec![0.0; n];
            // Results for growing round limits are successive states of the cascade.
            for limit in 0..6 {
                let r = fire_sale(&h, &p, &d, &e, &o, rule, limit).map_err(|e| TestCaseError::fail(e.to_string()))?;
                for a in 0..k {
                    prop_assert!(r.prices[a] <= last[a]);
                    prop_assert!(r.prices[a] > 0.0);
                    let expected = p[a] * (-r.units_sold[a] / d[a]).exp();
                    prop_assert!((r.prices[a] - expected).abs() <= 1e-12 * p[a]);
                    let sold: f64 = (0..n).map(|i| h[(i, a)] - r.holdings_after[(i, a)]).sum();
                    prop_assert!((sold - r.units_sold[a]).abs() <= 1e-9 * (1.0 + r.units_sold[a]));
                }
                for i in 0..n {
                    prop_assert!(r.losses[i] >= 0.0);
                    prop_assert!(r.losses[i] >= last_losses[i] - 1e-12);
                    prop_assert!((r.equity_after[i] - (e[i] - r.losses[i])).abs() <= 1e-9);
                    for a in 0..k {
                        prop_assert!(r.holdings_after[(i, a)] >= -1e-12);
                        prop_assert!(r.holdings_after[(i, a)] <= h[(i, a)]);
                    }
                }
                last = r.prices.clone();
                last_losses = r.losses.clone();
            }
            let r = fire_sale(&h, &p, &d, &e, &o, rule, 10_000).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(!r.hit_limit);
            // At the end nobody solvent with holdings is above lev_max.
            for i in 0..n {
                let m: f64 = (0..k).map(|a| r.holdings_after[(i, a)] * r.prices[a]).sum();
                if r.equity_after[i] > 0.0 && m > 0.0 {
                    let lev = (o[i] + m) / r.equity_after[i];
                    prop_assert!(lev <= rule.lev_max + 1e-9, "bank {} leverage {}", i, lev);
                }
            }
        }

        #[test]
        fn nobody_sells_when_all_under_lev_max((h, p, d, _e, o, rule) in market()) {
            let n = h.nrows();
            let k = h.ncols();
            // Equity large enough for leverage <= lev_max.
            let e: Vec<f64> = (0..n)
                .map(|i| (o[i] + (0..k).map(|a| h[(i, a)] * p[a]).sum::<f64>()) / rule.lev_max + 1.0)
                .collect();
            let r = fire_sale(&h, &p, &d, &e, &o, rule, 10).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(r.rounds, 0);
            prop_assert_eq!(&r.prices, &p);
            prop_assert_eq!(&r.holdings_after, &h);
            prop_assert!(r.losses.iter().all(|&l| l == 0.0));
        }
    }
}
