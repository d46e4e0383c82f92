//! Contagion inside the quarter's loop (MODEL.md §5.5, §6, §7): scheduled shocks, DebtRank of the
//! quarter's initial losses, and rounds of interbank clearing and fire sales until nothing
//! changes. Every unit of equity lost is booked to exactly one channel.

use nalgebra::DMatrix;

use super::bank::BankState;
use crate::contagion::{ContagionError, clearing, debtrank, firesale};
use crate::error::{Error, Result};
use crate::results::QuarterRecord;
use crate::rng::{Key, Purpose};
use crate::scenario::{ClearingRule, Event, Scenario};

/// Amounts below this (relative to the bank's balance sheet scale) count as no change.
const TINY: f64 = 1e-12;
/// DebtRank update steps at most.
const DEBTRANK_MAX_ROUNDS: usize = 10_000;

/// What contagion carries from quarter to quarter on one path.
#[derive(Clone, Debug)]
pub(super) struct ContagionState {
    /// Claims still at risk: `x[(i, j)]` is what bank `i` can still lose on bank `j`. Claims are
    /// written down as they are lost.
    pub x: Option<DMatrix<f64>>,
    /// Furfine: failed banks whose failure has been propagated.
    propagated: Vec<bool>,
    /// Fire-sale price of each asset class (1 at the start).
    pub prices: Vec<f64>,
}

impl ContagionState {
    pub(super) fn new(s: &Scenario, x: Option<DMatrix<f64>>) -> Self {
        ContagionState {
            x,
            propagated: vec![false; s.banks.len()],
            prices: vec![
                1.0;
                s.contagion
                    .fire_sales
                    .as_ref()
                    .map_or(0, |f| f.assets.len())
            ],
        }
    }
}

fn contagion_error(what: &str, e: ContagionError) -> Error {
    Error::Contagion(format!("{what}: {e}"))
}

/// Takes a loss out of a bank's assets (other assets first, then bonds) and books it to the shock
/// channel.
fn write_down(b: &mut BankState, loss: f64) {
    b.equity -= loss;
    b.flows.shock += loss;
    let from_other = loss.min(b.other.max(0.0));
    b.other -= from_other;
    let from_bonds = (loss - from_other).min(b.bonds.max(0.0));
    scale_bonds(b, b.bonds - from_bonds);
}

/// Marks a bank failed in quarter `t` (if it has not failed already) and counts the failure.
fn fail(b: &mut BankState, t: u32, rec: &mut QuarterRecord) {
    if b.failed.is_none() {
        b.failed = Some(t);
        rec.bank_failures += 1.0;
    }
}

/// Whether a bank is failed for clearing: failed already (in an earlier quarter, or by this
/// quarter's shock), or with losses beyond its capital, `E_i < 0` (MODEL.md §5.6: a bank whose
/// equity lands exactly on zero survives).
fn is_failed(b: &BankState) -> bool {
    b.failed.is_some() || b.equity < 0.0
}

/// Sets a bank's bonds to `value`, keeping the fair-value share.
fn scale_bonds(b: &mut BankState, value: f64) {
    if b.bonds > 0.0 {
        b.bonds_fv *= value / b.bonds;
    }
    b.bonds = value;
}

/// Applies the scheduled shocks of quarter `t` (regional factor shifts are applied where the
/// factors are drawn).
pub(super) fn apply_shocks(
    s: &Scenario,
    t: u32,
    root: Key,
    banks: &mut [BankState],
    st: &mut ContagionState,
    rec: &mut QuarterRecord,
) {
    for (k, e) in s.shocks.iter().enumerate() {
        if e.quarter() != t {
            continue;
        }
        match e {
            Event::BankFailure {
                banks: named,
                random,
                asset_loss,
                ..
            } => {
                let mut chosen: Vec<usize> = named
                    .iter()
                    .copied()
                    .filter(|&i| banks[i].failed.is_none())
                    .collect();
                let mut candidates: Vec<usize> = (0..banks.len())
                    .filter(|i| banks[*i].failed.is_none() && !chosen.contains(i))
                    .collect();
                let key = root.purpose(Purpose::Shock).quarter(t).entity(k as u64);
                for slot in 0..*random {
                    if candidates.is_empty() {
                        break;
                    }
                    let u = key.entity(slot as u64).uniform();
                    let idx = ((u * candidates.len() as f64) as usize).min(candidates.len() - 1);
                    chosen.push(candidates.remove(idx));
                }
                for i in chosen {
                    let b = &mut banks[i];
                    let external = (b.assets() - b.interbank_assets).max(0.0);
                    let loss = b.equity.max(0.0) + asset_loss * external;
                    write_down(b, loss);
                    rec.loss_shock += loss;
                    // The shock fails the bank whatever equity it leaves (with no asset loss,
                    // exactly zero, which the §5.6 rule `E_i < 0` would let survive).
                    fail(b, t, rec);
                }
            }
            Event::AssetPrice { asset, size, .. } => {
                let (shares, k) = s
                    .contagion
                    .fire_sales
                    .as_ref()
                    .map_or((&[][..], 1), |f| (&f.shares[..], f.assets.len()));
                for (i, b) in banks.iter_mut().enumerate() {
                    let share = shares.get(i * k + asset).copied().unwrap_or(0.0);
                    let loss = b.bonds.max(0.0) * share * size;
                    b.equity -= loss;
                    b.flows.shock += loss;
                    rec.loss_shock += loss;
                    scale_bonds(b, b.bonds - loss);
                }
                if let Some(p) = st.prices.get_mut(*asset) {
                    *p *= 1.0 - size;
                }
            }
            Event::Regional { .. } => {}
        }
    }
}

/// DebtRank (both forms) of the quarter's initial losses: each bank's relative equity loss since
/// the quarter's start, propagated on the claims still at risk. Banks that failed in earlier
/// quarters neither propagate nor receive distress.
pub(super) fn debtrank(
    st: &ContagionState,
    equity_start: &[f64],
    banks: &[BankState],
    rec: &mut QuarterRecord,
) -> Result<()> {
    let Some(x) = &st.x else {
        return Ok(());
    };
    let n = banks.len();
    let h1: Vec<f64> = (0..n)
        .map(|i| {
            if equity_start[i] > 0.0 {
                ((equity_start[i] - banks[i].equity) / equity_start[i]).clamp(0.0, 1.0)
            } else {
                1.0
            }
        })
        .collect();
    if (0..n).all(|i| equity_start[i] <= 0.0 || h1[i] <= 0.0) {
        return Ok(());
    }
    let mut live = x.clone();
    for i in (0..n).filter(|&i| equity_start[i] <= 0.0) {
        live.column_mut(i).fill(0.0);
        live.row_mut(i).fill(0.0);
    }
    let d = debtrank::debtrank_differential(&live, equity_start, &h1, DEBTRANK_MAX_ROUNDS)
        .map_err(|e| contagion_error("DebtRank", e))?;
    let single = debtrank::debtrank_single_hit(&live, equity_start, &h1, DEBTRANK_MAX_ROUNDS)
        .map_err(|e| contagion_error("DebtRank", e))?;
    rec.debtrank = d.value;
    rec.debtrank_single_hit = single.value;
    Ok(())
}

/// Rounds of interbank clearing then fire sales, until a round changes nothing or
/// `contagion.max_rounds` rounds have run. `stop` is asked before each round; when it says stop,
/// the quarter ends in [`crate::Error::Cancelled`].
pub(super) fn contagion_rounds(
    s: &Scenario,
    banks: &mut [BankState],
    st: &mut ContagionState,
    rec: &mut QuarterRecord,
    stop: &dyn Fn() -> bool,
) -> Result<()> {
    let c = &s.contagion;
    if c.interbank.is_none() && c.fire_sales.is_none() {
        return Ok(());
    }
    let mut rounds = 0;
    for _ in 0..c.max_rounds {
        if stop() {
            return Err(Error::Cancelled);
        }
        let mut changed = false;
        if c.interbank.is_some() {
            changed |= clear_interbank(s, banks, st, rec, stop)?;
        }
        if c.fire_sales.is_some() {
            changed |= fire_sales(s, banks, st, rec)?;
        }
        if !changed {
            rec.contagion_rounds = f64::from(rounds);
            return Ok(());
        }
        rounds += 1;
    }
    rec.contagion_rounds = f64::from(rounds);
    rec.contagion_limit_hit = 1.0;
    Ok(())
}

/// Books an interbank loss on a creditor.
fn book_interbank(b: &mut BankState, loss: f64, rec: &mut QuarterRecord) {
    b.equity -= loss;
    b.interbank_assets -= loss;
    b.flows.interbank += loss;
    rec.loss_interbank += loss;
}

/// One clearing of the interbank claims still at risk. Returns whether anything was lost.
fn clear_interbank(
    s: &Scenario,
    banks: &mut [BankState],
    st: &mut ContagionState,
    rec: &mut QuarterRecord,
    stop: &dyn Fn() -> bool,
) -> Result<bool> {
    let Some(ib) = &s.contagion.interbank else {
        return Ok(false);
    };
    let Some(x) = st.x.as_mut() else {
        return Ok(false);
    };
    if !banks.iter().any(is_failed) {
        return Ok(false);
    }
    let n = banks.len();
    let mut changed = false;
    match ib.clearing {
        ClearingRule::EisenbergNoe | ClearingRule::RogersVeraart { .. } => {
            // External net worth e_i = external assets - deposits = E_i + IBL_i - IB_i. It is
            // negative when depositors (senior) are short; interbank inflows then cover them first.
            let external: Vec<f64> = banks
                .iter()
                .map(|b| b.equity + b.interbank_liabilities - b.interbank_assets)
                .collect();
            let l = x.transpose();
            let (alpha, beta) = match ib.clearing {
                ClearingRule::RogersVeraart { alpha, beta } => (alpha, beta),
                _ => (1.0, 1.0),
            };
            let result =
                clearing::rogers_veraart_until(&l, &external, alpha, beta, stop).map_err(|e| {
                    match e {
                        ContagionError::Cancelled => Error::Cancelled,
                        e => contagion_error("interbank clearing", e),
                    }
                })?;
            for i in 0..n {
                let owed = result.total_liabilities[i];
                if owed <= 0.0 || result.payments[i] >= owed * (1.0 - TINY) {
                    continue;
                }
                let ratio = (result.payments[i] / owed).clamp(0.0, 1.0);
                for j in 0..n {
                    let claim = x[(j, i)];
                    if claim > 0.0 {
                        let loss = claim * (1.0 - ratio);
                        x[(j, i)] = claim * ratio;
                        book_interbank(&mut banks[j], loss, rec);
                        changed = true;
                    }
                }
            }
        }
        ClearingRule::Furfine { lgd } => {
            let newly: Vec<bool> = (0..n)
                .map(|i| is_failed(&banks[i]) && !st.propagated[i])
                .collect();
            if !newly.iter().any(|&f| f) {
                return Ok(false);
            }
            let capital: Vec<f64> = banks.iter().map(|b| b.equity).collect();
            let result = clearing::furfine(x, &capital, &newly, lgd, n + 1)
                .map_err(|e| contagion_error("Furfine rounds", e))?;
            for (j, b) in banks.iter_mut().enumerate() {
                if result.losses[j] > 0.0 {
                    book_interbank(b, result.losses[j], rec);
                }
            }
            for j in 0..n {
                if result.failed[j] {
                    st.propagated[j] = true;
                    // The loss on claims on j is realised once; what is recovered is no longer at risk.
                    x.column_mut(j).fill(0.0);
                }
            }
            changed = true;
        }
    }
    Ok(changed)
}

/// One fire-sale cascade on the banks' bonds. Returns whether anything was sold or lost.
fn fire_sales(
    s: &Scenario,
    banks: &mut [BankState],
    st: &mut ContagionState,
    rec: &mut QuarterRecord,
) -> Result<bool> {
    let Some(fs) = &s.contagion.fire_sales else {
        return Ok(false);
    };
    let n = banks.len();
    let k = fs.assets.len();
    let holdings = DMatrix::from_fn(n, k, |i, a| {
        banks[i].bonds.max(0.0) * fs.shares[i * k + a] / st.prices[a]
    });
    let marketable: Vec<f64> = (0..n)
        .map(|i| (0..k).map(|a| holdings[(i, a)] * st.prices[a]).sum())
        .collect();
    let other: Vec<f64> = (0..n)
        .map(|i| (banks[i].assets() - marketable[i]).max(0.0))
        .collect();
    let equity: Vec<f64> = banks.iter().map(|b| b.equity).collect();
    let depth: Vec<f64> = fs.assets.iter().map(|a| a.depth).collect();
    let rule = firesale::LeverageRule {
        lev_max: fs.lev_max,
        lev_target: fs.lev_target,
    };
    let result = firesale::fire_sale(
        &holdings,
        &st.prices,
        &depth,
        &equity,
        &other,
        rule,
        fs.max_rounds,
    )
    .map_err(|e| contagion_error("fire sales", e))?;
    let mut changed = false;
    for (i, b) in banks.iter_mut().enumerate() {
        let (loss, sold) = (result.losses[i], result.value_sold[i]);
        if loss > 0.0 || sold > 0.0 {
            changed = true;
            b.equity -= loss;
            b.flows.fire_sales += loss;
            rec.loss_fire_sales += loss;
            scale_bonds(b, b.bonds - loss - sold);
        }
    }
    st.prices = result.prices;
    if result.hit_limit {
        rec.fire_sale_limit_hit = 1.0;
    }
    Ok(changed)
}
