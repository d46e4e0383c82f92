//! A path's summary (MODEL.md §9): its quarters' records added up into the per-path measures.

use super::path::total;
use crate::results::{PathSummary, QuarterRecord};

/// The summary of a path with `firms` firms and `banks` banks whose quarters are `records`; a
/// systemic event is a failed-asset share above `systemic_share`; `alarm` is the quarter the
/// herding alarm was raised in.
pub(super) fn summarize_path(
    records: &[QuarterRecord],
    firms: usize,
    banks: usize,
    systemic_share: f64,
    alarm: Option<u32>,
) -> PathSummary {
    let sum = |f: fn(&QuarterRecord) -> f64| total(records.iter().map(f));
    let last = records.last().cloned().unwrap_or_default();
    let cw = sum(|r| r.creditworthy_demand);
    let gap = sum(|r| r.credit_gap);
    let n = records.len().max(1) as f64;
    let later = records.len().saturating_sub(1).max(1) as f64;
    let mut s = PathSummary {
        credit_gap: gap,
        credit_gap_share: if cw > 0.0 { gap / cw } else { 0.0 },
        peak_credit_gap_share: records
            .iter()
            .map(|r| r.credit_gap_share)
            .fold(0.0, f64::max),
        loss_credit: sum(|r| r.loss_credit),
        loss_bonds: sum(|r| r.loss_bonds),
        loss_interbank: sum(|r| r.loss_interbank),
        loss_fire_sales: sum(|r| r.loss_fire_sales),
        loss_shock: sum(|r| r.loss_shock),
        facility_losses: sum(|r| r.facility_losses),
        facility_lending: sum(|r| r.facility_lending),
        firm_defaults: sum(|r| r.firm_defaults),
        firm_default_share: 0.0,
        rationing_caused_defaults: sum(|r| r.rationing_caused_defaults),
        bank_failures: last.failed_banks,
        failed_bank_share: if banks > 0 {
            last.failed_banks / banks as f64
        } else {
            0.0
        },
        failed_asset_share: last.failed_asset_share,
        systemic_event: f64::from(u8::from(last.failed_asset_share > systemic_share)),
        min_system_car: records
            .iter()
            .map(|r| r.system_car)
            .fold(f64::INFINITY, f64::min),
        final_system_car: last.system_car,
        decision_agreement_excess: sum(|r| r.decision_agreement_excess) / n,
        systemic_rejection_ratio: sum(|r| r.systemic_rejection_ratio) / n,
        lsv: total(records.iter().skip(1).map(|r| r.lsv)) / later,
        alarm_quarter: alarm.map_or(0.0, f64::from),
        max_debtrank: records.iter().map(|r| r.debtrank).fold(0.0, f64::max),
        final_effective_families: last.effective_families,
        min_effective_families: records
            .iter()
            .map(|r| r.effective_families)
            .fold(f64::INFINITY, f64::min),
        model_switches: sum(|r| r.model_switches),
        retrainings: sum(|r| r.retrainings),
        ..Default::default()
    };
    s.bank_losses =
        s.loss_credit + s.loss_bonds + s.loss_interbank + s.loss_fire_sales + s.loss_shock;
    s.firm_default_share = if firms > 0 {
        s.firm_defaults / firms as f64
    } else {
        0.0
    };
    if !s.min_system_car.is_finite() {
        s.min_system_car = 0.0;
    }
    if !s.min_effective_families.is_finite() {
        s.min_effective_families = 0.0;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quarter(q: f64, gap: f64, cw: f64, car: f64, failed_assets: f64) -> QuarterRecord {
        QuarterRecord {
            quarter: q,
            credit_gap: gap,
            creditworthy_demand: cw,
            credit_gap_share: gap / cw,
            system_car: car,
            failed_asset_share: failed_assets,
            failed_banks: if failed_assets > 0.0 { 1.0 } else { 0.0 },
            loss_credit: 2.0,
            loss_bonds: 1.0,
            lsv: q,
            ..Default::default()
        }
    }

    #[test]
    fn a_summary_adds_flows_and_takes_levels_at_the_end() {
        let records = [
            quarter(1.0, 10.0, 100.0, 0.12, 0.0),
            quarter(2.0, 30.0, 100.0, 0.09, 0.0),
            quarter(3.0, 20.0, 200.0, 0.10, 0.3),
        ];
        let s = summarize_path(&records, 1000, 4, 0.25, Some(2));
        assert_eq!(s.credit_gap, 60.0);
        // The path's share is the ratio of sums, not the mean of the quarters' shares.
        assert_eq!(s.credit_gap_share, 60.0 / 400.0);
        assert_eq!(s.peak_credit_gap_share, 0.3);
        assert_eq!(s.loss_credit, 6.0);
        assert_eq!(s.bank_losses, 9.0);
        assert_eq!(s.min_system_car, 0.09);
        assert_eq!(s.final_system_car, 0.10);
        assert_eq!(s.bank_failures, 1.0);
        assert_eq!(s.failed_bank_share, 0.25);
        assert_eq!(s.systemic_event, 1.0);
        // LSV is defined from the second quarter on.
        assert_eq!(s.lsv, (2.0 + 3.0) / 2.0);
        assert_eq!(s.alarm_quarter, 2.0);
    }

    #[test]
    fn an_empty_path_has_no_nan_and_no_negative_zero() {
        let s = summarize_path(&[], 0, 0, 0.1, None);
        for (m, v) in PathSummary::MEASURES.iter().zip(s.values()) {
            assert!(v.is_finite(), "{}: {v}", m.name);
            assert!(!(v == 0.0 && v.is_sign_negative()), "{}: -0", m.name);
        }
    }
}
