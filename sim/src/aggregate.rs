//! Across-path aggregates (MODEL.md §9): mean with standard error, quantiles, VaR and expected
//! shortfall of losses, the probability of a systemic event with a confidence interval, and paired
//! differences of two scenarios run on common random numbers.
//!
//! Everything reduces per-path results in path order, sequentially, so aggregates are
//! bit-identical however the paths were computed.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::results::{PathResult, PathSummary, QuarterRecord};
use crate::scenario::Scenario;
use crate::stats::{self, PairedDifference, Proportion, Summary, TailRisk};

/// Quantiles reported for per-path measures.
pub const PATH_QUANTILES: [f64; 7] = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];
/// Quantiles reported per quarter (fan charts: median, 50% and 90% bands).
pub const QUARTER_QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];
/// Levels of VaR and expected shortfall.
pub const TAIL_LEVELS: [f64; 2] = [0.95, 0.99];
/// Confidence of every interval.
pub const CONFIDENCE: f64 = 0.95;
/// Path measures that are losses or shortfalls, for which VaR and expected shortfall are reported
/// (and for every region's `credit_gap[REGION]`).
pub const LOSS_MEASURES: [&str; 7] = [
    "bank_losses",
    "loss_credit",
    "loss_bonds",
    "credit_gap",
    "credit_gap_share",
    "facility_losses",
    "failed_asset_share",
];

/// Statistics of one per-path measure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MeasureStats {
    /// Measure name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Mean, standard error, quantiles.
    pub summary: Summary,
    /// VaR and expected shortfall at [`TAIL_LEVELS`], for loss measures.
    pub tail: Vec<TailRisk>,
}

/// One per-quarter measure across paths: a summary per quarter.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuarterStats {
    /// Measure name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Per quarter 1..=T.
    pub quarters: Vec<Summary>,
}

/// A bank's failure probability.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BankFailure {
    /// Bank id.
    pub bank: String,
    /// Paths on which it failed, with a Wilson interval.
    pub failure: Proportion,
}

/// Everything aggregated over the paths of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Aggregates {
    /// Paths aggregated.
    pub paths: usize,
    /// Per-path measures.
    pub path_measures: Vec<MeasureStats>,
    /// Per-quarter measures.
    pub quarter_measures: Vec<QuarterStats>,
    /// Per region: credit gap summed over quarters.
    pub region_gap: Vec<MeasureStats>,
    /// Per region and quarter: credit gap share (`quarters` of each are 1..=T).
    pub region_gap_share: Vec<QuarterStats>,
    /// Probability of a systemic event.
    pub systemic_event: Proportion,
    /// Per bank.
    pub bank_failures: Vec<BankFailure>,
}

impl Aggregates {
    /// A per-path measure's statistics by name.
    pub fn measure(&self, name: &str) -> Option<&MeasureStats> {
        self.path_measures.iter().find(|m| m.name == name)
    }
}

fn measure_stats(name: &str, unit: &str, xs: &[f64]) -> MeasureStats {
    // Per-region credit gaps (`credit_gap[REGION]`) are shortfalls like the total gap.
    let base = name.split('[').next().unwrap_or(name);
    let tail = if LOSS_MEASURES.contains(&base) {
        TAIL_LEVELS
            .iter()
            .map(|&l| stats::tail_risk(xs, l))
            .collect()
    } else {
        Vec::new()
    };
    MeasureStats {
        name: name.into(),
        unit: unit.into(),
        summary: stats::summarize(xs, &PATH_QUANTILES),
        tail,
    }
}

/// Aggregates the paths of one run of `scenario` (in path order).
pub fn aggregate(scenario: &Scenario, paths: &[PathResult]) -> Aggregates {
    let summaries: Vec<Vec<f64>> = paths.iter().map(|p| p.summary.values()).collect();
    let path_measures = PathSummary::MEASURES
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let xs: Vec<f64> = summaries.iter().map(|v| v[k]).collect();
            measure_stats(m.name, m.unit, &xs)
        })
        .collect();
    let quarters = scenario.run.quarters as usize;
    let quarter_values: Vec<Vec<Vec<f64>>> = paths
        .iter()
        .map(|p| p.quarters.iter().map(QuarterRecord::values).collect())
        .collect();
    let quarter_measures = QuarterRecord::MEASURES
        .iter()
        .enumerate()
        .skip(1) // the quarter number itself
        .map(|(k, m)| QuarterStats {
            name: m.name.into(),
            unit: m.unit.into(),
            quarters: (0..quarters)
                .map(|t| {
                    let xs: Vec<f64> = quarter_values
                        .iter()
                        .filter_map(|q| q.get(t).map(|v| v[k]))
                        .collect();
                    stats::summarize(&xs, &QUARTER_QUANTILES)
                })
                .collect(),
        })
        .collect();
    let nr = scenario.regions.len();
    let region_gap = scenario
        .regions
        .iter()
        .enumerate()
        .map(|(r, region)| {
            let xs: Vec<f64> = paths.iter().map(|p| p.region_gap_total(r, nr)).collect();
            measure_stats(&format!("credit_gap[{}]", region.name), "money", &xs)
        })
        .collect();
    let region_gap_share = scenario
        .regions
        .iter()
        .enumerate()
        .map(|(r, region)| QuarterStats {
            name: format!("credit_gap_share[{}]", region.name),
            unit: "share".into(),
            quarters: (1..=quarters as u32)
                .map(|t| {
                    let xs: Vec<f64> = paths
                        .iter()
                        .filter_map(|p| p.region(t, r, nr))
                        .map(|x| {
                            if x.creditworthy_demand > 0.0 {
                                x.credit_gap / x.creditworthy_demand
                            } else {
                                0.0
                            }
                        })
                        .collect();
                    stats::summarize(&xs, &QUARTER_QUANTILES)
                })
                .collect(),
        })
        .collect();
    let events = paths
        .iter()
        .filter(|p| p.summary.systemic_event > 0.5)
        .count();
    let bank_failures = scenario
        .banks
        .iter()
        .enumerate()
        .map(|(i, b)| BankFailure {
            bank: b.id.clone(),
            failure: stats::proportion(
                paths
                    .iter()
                    .filter(|p| p.banks.get(i).is_some_and(|o| o.failed_quarter.is_some()))
                    .count(),
                paths.len(),
                CONFIDENCE,
            ),
        })
        .collect();
    Aggregates {
        paths: paths.len(),
        path_measures,
        quarter_measures,
        region_gap,
        region_gap_share,
        systemic_event: stats::proportion(events, paths.len(), CONFIDENCE),
        bank_failures,
    }
}

/// One measure compared across two scenarios.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MeasureDifference {
    /// Measure name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// B minus A, path by path.
    pub difference: PairedDifference,
}

/// Scenario B against reference A on common random numbers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// Paired differences of every per-path measure.
    pub measures: Vec<MeasureDifference>,
    /// Paired differences of each region's total credit gap, for regions in both scenarios.
    pub region_gap: Vec<MeasureDifference>,
}

impl Comparison {
    /// A measure's difference by name (region gaps as `credit_gap[region]`).
    pub fn measure(&self, name: &str) -> Option<&MeasureDifference> {
        self.measures
            .iter()
            .chain(&self.region_gap)
            .find(|m| m.name == name)
    }
}

/// Checks that scenario `b` can be compared with the reference `a`: their money amounts are in
/// the same currency unit (`currency`, e.g. `"CNY million"`). A difference of amounts in
/// different currencies means nothing, and herdlab converts no currency; [`Error::Incomparable`]
/// names both scenarios and both currencies.
pub fn check_comparable(a: &Scenario, b: &Scenario) -> Result<()> {
    if a.currency == b.currency {
        return Ok(());
    }
    // A scenario that names no currency has money in plain "million": say so, and how to name
    // it, rather than guess that it is the other's.
    let unnamed: Vec<String> = [b, a]
        .iter()
        .filter(|s| s.currency == crate::scenario::DEFAULT_CURRENCY)
        .map(|s| format!("{:?}", s.name))
        .collect();
    let hint = if unnamed.is_empty() {
        "give both scenarios the same `currency`, with the amounts of one converted".to_string()
    } else {
        let other = if a.currency == crate::scenario::DEFAULT_CURRENCY {
            &b.currency
        } else {
            &a.currency
        };
        format!(
            "{} names no `currency` (so its money is in plain {:?}); if its amounts are in \
             {other}, add `currency = {other:?}` to it",
            unnamed.join(" and "),
            crate::scenario::DEFAULT_CURRENCY
        )
    };
    Err(Error::Incomparable(format!(
        "scenario {:?} has money in {:?} and the reference {:?} in {:?}; herdlab converts no \
         currency, so money differences across currencies are not reported: {hint}",
        b.name, b.currency, a.name, a.currency
    )))
}

/// Paired differences B − A of two runs over the same path indices; refused for scenarios with
/// money in different currencies ([`check_comparable`]).
pub fn compare(
    a_scenario: &Scenario,
    a: &[PathResult],
    b_scenario: &Scenario,
    b: &[PathResult],
) -> Result<Comparison> {
    check_comparable(a_scenario, b_scenario)?;
    if a.len() != b.len() || a.iter().zip(b).any(|(x, y)| x.path != y.path) {
        return Err(Error::Options(format!(
            "a paired comparison needs the same paths in both runs ({} and {} paths given)",
            a.len(),
            b.len()
        )));
    }
    let diff = |name: &str, unit: &str, xa: Vec<f64>, xb: Vec<f64>| -> Result<MeasureDifference> {
        let difference = stats::paired_difference(&xa, &xb, CONFIDENCE)
            .map_err(|e| Error::Options(e.to_string()))?;
        Ok(MeasureDifference {
            name: name.into(),
            unit: unit.into(),
            difference,
        })
    };
    let (va, vb): (Vec<Vec<f64>>, Vec<Vec<f64>>) = (
        a.iter().map(|p| p.summary.values()).collect(),
        b.iter().map(|p| p.summary.values()).collect(),
    );
    let mut measures = Vec::new();
    for (k, m) in PathSummary::MEASURES.iter().enumerate() {
        let xa = va.iter().map(|v| v[k]).collect();
        let xb = vb.iter().map(|v| v[k]).collect();
        measures.push(diff(m.name, m.unit, xa, xb)?);
    }
    let (na, nb) = (a_scenario.regions.len(), b_scenario.regions.len());
    let mut region_gap = Vec::new();
    for (ra, region) in a_scenario.regions.iter().enumerate() {
        if let Some(rb) = b_scenario
            .regions
            .iter()
            .position(|r| r.name == region.name)
        {
            let xa = a.iter().map(|p| p.region_gap_total(ra, na)).collect();
            let xb = b.iter().map(|p| p.region_gap_total(rb, nb)).collect();
            region_gap.push(diff(
                &format!("credit_gap[{}]", region.name),
                "money",
                xa,
                xb,
            )?);
        }
    }
    Ok(Comparison {
        measures,
        region_gap,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_risk_is_reported_for_losses_and_regional_gaps_only() {
        let xs: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(measure_stats("bank_losses", "money", &xs).tail.len(), 2);
        assert_eq!(
            measure_stats("credit_gap[east]", "money", &xs).tail.len(),
            2
        );
        assert!(measure_stats("lsv", "LSV", &xs).tail.is_empty());
        let t = &measure_stats("credit_gap[east]", "money", &xs).tail[0];
        assert_eq!(t.level, 0.95);
        assert!((t.var - 95.05).abs() < 1e-12);
    }
}
