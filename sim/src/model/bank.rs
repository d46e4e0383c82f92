//! A bank's balance sheet and state on one path (MODEL.md §5), and its income and losses by
//! channel.

use std::ops::Sub;

use super::equations as eq;
use crate::scenario::Bank;

/// Income and losses by channel: cumulative over a path in [`BankState::flows`], or one quarter's
/// change (the difference of two cumulative values). Losses are positive numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Channels {
    /// Net interest income (§5.1).
    pub(super) income: f64,
    /// Credit losses on SME loans (§5.4).
    pub(super) credit: f64,
    /// Bond revaluation losses (§5.2).
    pub(super) bonds: f64,
    /// Interbank losses from clearing (§6).
    pub(super) interbank: f64,
    /// Mark-to-market losses from fire sales (§7).
    pub(super) fire_sales: f64,
    /// Losses from scenario shocks (`[[shocks]]`).
    pub(super) shock: f64,
}

impl Sub for Channels {
    type Output = Channels;

    fn sub(self, start: Channels) -> Channels {
        Channels {
            income: self.income - start.income,
            credit: self.credit - start.credit,
            bonds: self.bonds - start.bonds,
            interbank: self.interbank - start.interbank,
            fire_sales: self.fire_sales - start.fire_sales,
            shock: self.shock - start.shock,
        }
    }
}

/// A bank's balance sheet and state on one path.
#[derive(Clone, Debug, Default)]
pub(super) struct BankState {
    /// Equity `E_i`.
    pub(super) equity: f64,
    /// The simulated SME book `L_i` (the sum of the balances of the loans it holds).
    pub(super) loans: f64,
    /// Bonds `B_i`, at book value.
    pub(super) bonds: f64,
    /// The fair-value part of the bonds, which rate moves revalue.
    pub(super) bonds_fv: f64,
    /// Interbank assets `IB_i`.
    pub(super) interbank_assets: f64,
    /// Interbank liabilities.
    pub(super) interbank_liabilities: f64,
    /// Other assets `O_i`.
    pub(super) other: f64,
    /// The quarter it failed in, if it has.
    pub(super) failed: Option<u32>,
    /// `CAR_i,t-1`: equity over risk-weighted assets at the end of the last quarter.
    pub(super) car_prev: f64,
    /// New SME lending it can still fund this quarter (§5.3).
    pub(super) capacity: f64,
    /// Its approval threshold `theta_it` this quarter (§4).
    pub(super) theta: f64,
    /// The balance of its loans that mature this quarter.
    pub(super) maturing: f64,
    /// Cumulative income and losses by channel.
    pub(super) flows: Channels,
    /// The cumulative balance of its SME loans that defaulted (what retraining learns from).
    pub(super) defaulted: f64,
    /// New SME loans it funded this quarter (for the per-bank detail; zeroed as a quarter
    /// starts).
    pub(super) lent: f64,
}

impl BankState {
    /// A bank at the start of a path: the scenario's balance sheet with an empty SME book (the
    /// simulated firms' loans are added by the caller).
    pub(super) fn new(b: &Bank) -> Self {
        BankState {
            equity: b.equity,
            loans: 0.0,
            bonds: b.bonds,
            bonds_fv: b.bonds * b.params.bond_fv_share,
            interbank_assets: b.interbank_assets,
            interbank_liabilities: b.interbank_liabilities,
            other: b.other_assets,
            failed: None,
            car_prev: 0.0,
            capacity: 0.0,
            theta: 0.0,
            maturing: 0.0,
            flows: Channels::default(),
            defaulted: 0.0,
            lent: 0.0,
        }
    }

    /// Whether it is still active (has not failed).
    #[inline]
    pub(super) fn active(&self) -> bool {
        self.failed.is_none()
    }

    /// Total assets.
    pub(super) fn assets(&self) -> f64 {
        self.loans + self.bonds + self.interbank_assets + self.other
    }

    /// Risk-weighted assets with weights `rw` (SME, bonds, interbank, other).
    pub(super) fn rwa(&self, rw: [f64; 4]) -> f64 {
        eq::rwa(
            rw,
            self.loans,
            self.bonds,
            self.interbank_assets,
            self.other,
        )
    }

    /// `E / RWA`, or `f64::MAX` for a bank with no risk-weighted assets (it never lacks capital).
    pub(super) fn car(&self, rw: [f64; 4]) -> f64 {
        let rwa = self.rwa(rw);
        if rwa > 0.0 {
            self.equity / rwa
        } else {
            f64::MAX
        }
    }

    /// Writes `loss` off its equity as a loss of channel `channel`.
    #[inline]
    pub(super) fn lose(&mut self, loss: f64, channel: fn(&mut Channels) -> &mut f64) {
        self.equity -= loss;
        *channel(&mut self.flows) += loss;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quarters_change_is_the_difference_of_each_channel() {
        let start = Channels {
            income: 1.0,
            credit: 2.0,
            bonds: 3.0,
            interbank: 4.0,
            fire_sales: 5.0,
            shock: 6.0,
        };
        let now = Channels {
            income: 1.5,
            credit: 2.25,
            bonds: 3.0,
            interbank: 6.0,
            fire_sales: 5.5,
            shock: 9.0,
        };
        assert_eq!(
            now - start,
            Channels {
                income: 0.5,
                credit: 0.25,
                bonds: 0.0,
                interbank: 2.0,
                fire_sales: 0.5,
                shock: 3.0,
            }
        );
    }

    #[test]
    fn a_loss_leaves_equity_and_is_booked_to_its_channel_only() {
        let mut b = BankState {
            equity: 10.0,
            ..BankState::default()
        };
        b.lose(4.0, |c| &mut c.credit);
        b.lose(1.0, |c| &mut c.fire_sales);
        assert_eq!(b.equity, 5.0);
        assert_eq!(b.flows.credit, 4.0);
        assert_eq!(b.flows.fire_sales, 1.0);
        assert_eq!(
            b.flows.income + b.flows.bonds + b.flows.interbank + b.flows.shock,
            0.0
        );
    }

    #[test]
    fn a_bank_without_risk_weighted_assets_never_lacks_capital() {
        let b = BankState::default();
        assert_eq!(b.car([1.0, 0.2, 0.2, 1.0]), f64::MAX);
        let b = BankState {
            equity: 8.0,
            loans: 100.0,
            ..b
        };
        assert_eq!(b.car([1.0, 0.2, 0.2, 1.0]), 0.08);
    }
}
