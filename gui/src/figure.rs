//! The paper figure of a comparison: per region, the two scenarios' fan charts of the credit gap
//! share overlaid, with the paired difference (variant minus reference, path by path on common
//! random numbers) and its 95% interval each quarter. Computed from the runs' paths, so the fans
//! and the difference use one definition: a region's credit gap over its creditworthy demand in
//! the quarter (0 when there is no demand), as `sim::aggregate` defines `credit_gap_share[REGION]`.

use sim::results::PathResult;

use crate::error::{GuiError, Result};
use crate::worker::RunResult;

/// Quantiles of one quarter across paths, in percent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Band {
    /// Quarter.
    pub x: f64,
    /// 5%, 25%, 50%, 75% and 95% quantiles.
    pub q: [f64; 5],
}

/// The paired difference of one quarter, in percentage points.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Difference {
    /// Quarter.
    pub x: f64,
    /// Mean of the path-by-path differences.
    pub mean: f64,
    /// Lower end of its 95% interval.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

/// One panel: a region (or all regions together).
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    /// The region's name, or `All regions`.
    pub region: String,
    /// The reference's fan.
    pub reference: Vec<Band>,
    /// The variant's fan.
    pub variant: Vec<Band>,
    /// Variant minus reference, each quarter.
    pub difference: Vec<Difference>,
}

/// The figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Overlay {
    /// The reference scenario's name.
    pub reference: String,
    /// The variant's.
    pub variant: String,
    /// Paths paired.
    pub paths: usize,
    /// `All regions` first, then every region in scenario order.
    pub panels: Vec<Panel>,
}

/// The y axis of the fans.
pub const FAN_AXIS: &str = "Credit gap share (%)";
/// The y axis of the differences.
pub const DIFFERENCE_AXIS: &str = "Difference (percentage points)";

/// A region's (or, with `None`, every region's) credit gap share of quarter `t` on a path, in
/// percent.
fn share(p: &PathResult, t: u32, region: Option<usize>, n_regions: usize) -> f64 {
    let (gap, demand) = match region {
        Some(r) => p
            .region(t, r, n_regions)
            .map_or((0.0, 0.0), |x| (x.credit_gap, x.creditworthy_demand)),
        None => (0..n_regions)
            .filter_map(|r| p.region(t, r, n_regions))
            .fold((0.0, 0.0), |(g, d), x| {
                (g + x.credit_gap, d + x.creditworthy_demand)
            }),
    };
    if demand > 0.0 {
        100.0 * gap / demand
    } else {
        0.0
    }
}

fn band(x: f64, values: &[f64]) -> Band {
    let q = sim::stats::quantiles(values, &[0.05, 0.25, 0.5, 0.75, 0.95]);
    Band {
        x,
        q: [q[0], q[1], q[2], q[3], q[4]],
    }
}

/// The figure of `variant` against `reference` (paired path by path: the two must be runs of the
/// same paths, as a comparison's are).
pub fn overlay(reference: &RunResult, variant: &RunResult) -> Result<Overlay> {
    let (a, b) = (&reference.finished.paths, &variant.finished.paths);
    if a.len() != b.len() || a.iter().zip(b).any(|(x, y)| x.path != y.path) {
        return Err(GuiError::needs(
            "the two runs are not of the same paths: compare them on common random numbers",
        ));
    }
    let names: Vec<String> = reference
        .scenario
        .regions
        .iter()
        .map(|r| r.name.clone())
        .collect();
    if names
        != variant
            .scenario
            .regions
            .iter()
            .map(|r| r.name.clone())
            .collect::<Vec<_>>()
    {
        return Err(GuiError::needs("the two scenarios have different regions"));
    }
    let n = names.len();
    let quarters = reference
        .scenario
        .run
        .quarters
        .min(variant.scenario.run.quarters);
    let mut panels = Vec::new();
    let regions = std::iter::once((None, "All regions".to_string()))
        .chain(names.iter().cloned().enumerate().map(|(i, r)| (Some(i), r)));
    for (r, region) in regions {
        let mut panel = Panel {
            region,
            reference: Vec::new(),
            variant: Vec::new(),
            difference: Vec::new(),
        };
        for t in 1..=quarters {
            let x = f64::from(t);
            let xa: Vec<f64> = a.iter().map(|p| share(p, t, r, n)).collect();
            let xb: Vec<f64> = b.iter().map(|p| share(p, t, r, n)).collect();
            panel.reference.push(band(x, &xa));
            panel.variant.push(band(x, &xb));
            if xa.len() >= 2 {
                let d = sim::stats::paired_difference(&xa, &xb, 0.95)
                    .map_err(|e| GuiError::needs(e.to_string()))?;
                panel.difference.push(Difference {
                    x,
                    mean: d.mean,
                    low: d.low,
                    high: d.high,
                });
            }
        }
        panels.push(panel);
    }
    Ok(Overlay {
        reference: reference.scenario.name.clone(),
        variant: variant.scenario.name.clone(),
        paths: a.len(),
        panels,
    })
}
