//! The EBA 2018 adverse comparison, shared by `examples/eba_adverse.rs` (which writes the table
//! and the chart of `docs/validation.md (Calibration)`) and `tests/calibration.rs` (which checks the
//! documented headline numbers).
//!
//! herdlab's end CET1 ratio of a bank is its mean final equity over the paths divided by its
//! *starting* risk-weighted assets, as published (CET1 capital over the CET1 ratio): a static
//! balance sheet. The EBA's own end ratios also divide by the risk exposure amount at the end,
//! which grows under its adverse scenario; that is one of the things the comparison leaves out.

use std::path::{Path, PathBuf};

use sim::results::PathResult;

/// The scenario file, relative to the repository root.
pub const SCENARIO: &str = "scenarios/eba-2018-adverse.toml";
/// The published data, relative to the repository root.
pub const DATA: &str = "scenarios/data/eba2018_banks.csv";

/// The repository root (the folder above `reports/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// One bank of the published data.
#[derive(Clone, Debug)]
pub struct Published {
    /// Bank id, as in the data.
    pub bank: String,
    /// CET1 capital at the start (EUR million).
    pub cet1: f64,
    /// Risk-weighted assets at the start: CET1 over the CET1 ratio (EUR million).
    pub rwa: f64,
    /// CET1 ratio at the start (percent).
    pub start_pct: f64,
    /// CET1 ratio at the end of the EBA's adverse scenario (percent).
    pub adverse_pct: f64,
}

/// Reads the published starting points and adverse end points.
pub fn published() -> Result<Vec<Published>, String> {
    let path = root().join(DATA);
    let mut reader =
        csv::Reader::from_path(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let headers = reader
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("{}: no column {name}", path.display()))
    };
    let (bank, cet1, ratio, adverse) = (
        column("bank")?,
        column("cet1_capital")?,
        column("cet1_ratio_pct")?,
        column("adverse_cet1_ratio_pct")?,
    );
    let mut out = Vec::new();
    for (row, record) in reader.records().enumerate() {
        let record = record.map_err(|e| format!("{}: row {}: {e}", path.display(), row + 2))?;
        let number = |i: usize| -> Result<f64, String> {
            record
                .get(i)
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    format!(
                        "{}: row {}: column {i} is not a number",
                        path.display(),
                        row + 2
                    )
                })
        };
        let (c, r, a) = (number(cet1)?, number(ratio)?, number(adverse)?);
        if r <= 0.0 {
            return Err(format!(
                "{}: row {}: cet1_ratio_pct = {r}: must be > 0",
                path.display(),
                row + 2
            ));
        }
        out.push(Published {
            bank: record.get(bank).unwrap_or_default().to_string(),
            cet1: c,
            rwa: c / (r / 100.0),
            start_pct: r,
            adverse_pct: a,
        });
    }
    Ok(out)
}

/// One bank in the comparison.
#[derive(Clone, Debug)]
pub struct BankRow {
    /// Bank id.
    pub bank: String,
    /// CET1 ratio at the start (percent).
    pub start_pct: f64,
    /// The EBA's adverse end ratio (percent).
    pub eba_pct: f64,
    /// herdlab's mean end ratio over the paths (percent).
    pub herdlab_pct: f64,
    /// Standard error of `herdlab_pct` over the paths.
    pub herdlab_se: f64,
}

/// The headline numbers.
#[derive(Clone, Debug)]
pub struct Headline {
    /// RWA-weighted CET1 ratio at the start (percent).
    pub start_pct: f64,
    /// RWA-weighted end ratio under the EBA's adverse scenario (percent).
    pub eba_end_pct: f64,
    /// RWA-weighted end ratio in herdlab (percent): mean over paths.
    pub herdlab_end_pct: f64,
    /// Its standard error over paths.
    pub herdlab_end_se: f64,
    /// Correlation across banks of herdlab's end ratios with the EBA's.
    pub corr_end: f64,
    /// Correlation across banks of the drops (start minus end).
    pub corr_drop: f64,
    /// Mean absolute gap between herdlab's and the EBA's end ratios (percentage points).
    pub mean_abs_gap: f64,
    /// Mean absolute gap if every bank lost the EBA's system-wide drop (the naive benchmark).
    pub mean_abs_gap_uniform: f64,
}

/// Loss channels summed over banks, mean over paths (EUR million), as shares of starting RWA.
#[derive(Clone, Debug, Default)]
pub struct Channels {
    /// Net income (spread on SME loans less the deposit cost of higher rates), points of RWA.
    pub income_pp: f64,
    /// SME credit losses, points of RWA.
    pub credit_pp: f64,
    /// Bond revaluation losses, points of RWA.
    pub bonds_pp: f64,
    /// Other channels (interbank, fire sales, shocks), points of RWA.
    pub other_pp: f64,
}

/// The comparison of a run's paths with the published data.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// Per bank, in scenario order.
    pub banks: Vec<BankRow>,
    /// The headline numbers.
    pub headline: Headline,
    /// Delete-one jackknife standard errors of `corr_end`, `corr_drop` and `mean_abs_gap`.
    pub jackknife_se: [f64; 3],
    /// System-wide change of CET1 by channel.
    pub channels: Channels,
    /// Paths compared.
    pub paths: usize,
}

fn correlation(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    sxy / (sxx * syy).sqrt()
}

/// Correlations and mean absolute gap of per-bank end ratios `end` against the published rows.
fn scores(rows: &[Published], end: &[f64]) -> [f64; 3] {
    let eba: Vec<f64> = rows.iter().map(|r| r.adverse_pct).collect();
    let drop_eba: Vec<f64> = rows.iter().map(|r| r.start_pct - r.adverse_pct).collect();
    let drop_h: Vec<f64> = rows.iter().zip(end).map(|(r, e)| r.start_pct - e).collect();
    let gap = end
        .iter()
        .zip(&eba)
        .map(|(a, b)| (a - b).abs())
        .sum::<f64>()
        / end.len() as f64;
    [correlation(end, &eba), correlation(&drop_h, &drop_eba), gap]
}

/// Compares the paths of `eba-2018-adverse` (banks in scenario order, ids `ids`) with the data.
pub fn compare(ids: &[String], paths: &[PathResult]) -> Result<Comparison, String> {
    let all = published()?;
    let rows: Vec<Published> = ids
        .iter()
        .map(|id| {
            all.iter()
                .find(|r| &r.bank == id)
                .cloned()
                .ok_or_else(|| format!("bank {id} is not in {DATA}"))
        })
        .collect::<Result<_, _>>()?;
    let (n, k) = (paths.len(), rows.len());
    if n < 2 {
        return Err(format!("{n} path(s): the comparison needs at least 2"));
    }
    if paths.iter().any(|p| p.banks.len() != k) {
        return Err(format!("paths do not hold the {k} banks of the scenario"));
    }
    // Per path and bank: end ratio in percent.
    let ratio = |p: &PathResult, i: usize| p.banks[i].final_equity / rows[i].rwa * 100.0;
    let mean_end = |skip: Option<usize>| -> Vec<f64> {
        let m = (n - usize::from(skip.is_some())) as f64;
        (0..k)
            .map(|i| {
                paths
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| Some(*j) != skip)
                    .map(|(_, p)| ratio(p, i))
                    .sum::<f64>()
                    / m
            })
            .collect()
    };
    let end = mean_end(None);
    let se: Vec<f64> = (0..k)
        .map(|i| {
            let var = paths
                .iter()
                .map(|p| (ratio(p, i) - end[i]).powi(2))
                .sum::<f64>()
                / (n as f64 - 1.0);
            (var / n as f64).sqrt()
        })
        .collect();
    let rwa: f64 = rows.iter().map(|r| r.rwa).sum();
    let system: Vec<f64> = paths
        .iter()
        .map(|p| p.banks.iter().map(|b| b.final_equity).sum::<f64>() / rwa * 100.0)
        .collect();
    let sys_mean = system.iter().sum::<f64>() / n as f64;
    let sys_se =
        (system.iter().map(|x| (x - sys_mean).powi(2)).sum::<f64>() / (n as f64 - 1.0) / n as f64)
            .sqrt();
    let [corr_end, corr_drop, mean_abs_gap] = scores(&rows, &end);
    // Delete-one jackknife over paths for the scores.
    let reps: Vec<[f64; 3]> = (0..n).map(|j| scores(&rows, &mean_end(Some(j)))).collect();
    let mut jackknife_se = [0.0; 3];
    for (s, slot) in jackknife_se.iter_mut().enumerate() {
        let m = reps.iter().map(|r| r[s]).sum::<f64>() / n as f64;
        let ss = reps.iter().map(|r| (r[s] - m).powi(2)).sum::<f64>();
        *slot = ((n as f64 - 1.0) / n as f64 * ss).sqrt();
    }
    let start_pct = rows.iter().map(|r| r.cet1).sum::<f64>() / rwa * 100.0;
    let eba_end_pct = rows.iter().map(|r| r.adverse_pct * r.rwa).sum::<f64>() / rwa;
    let system_drop = start_pct - eba_end_pct;
    let mean_abs_gap_uniform = rows
        .iter()
        .map(|r| (r.start_pct - system_drop - r.adverse_pct).abs())
        .sum::<f64>()
        / k as f64;
    let mut channels = Channels::default();
    for p in paths {
        for b in &p.banks {
            channels.income_pp += b.income;
            channels.credit_pp += b.loss_credit;
            channels.bonds_pp += b.loss_bonds;
            channels.other_pp += b.loss_interbank + b.loss_fire_sales + b.loss_shock;
        }
    }
    let scale = 100.0 / rwa / n as f64;
    channels.income_pp *= scale;
    channels.credit_pp *= scale;
    channels.bonds_pp *= scale;
    channels.other_pp *= scale;
    let banks = rows
        .iter()
        .zip(end.iter().zip(&se))
        .map(|(r, (&e, &s))| BankRow {
            bank: r.bank.clone(),
            start_pct: r.start_pct,
            eba_pct: r.adverse_pct,
            herdlab_pct: e,
            herdlab_se: s,
        })
        .collect();
    Ok(Comparison {
        banks,
        headline: Headline {
            start_pct,
            eba_end_pct,
            herdlab_end_pct: sys_mean,
            herdlab_end_se: sys_se,
            corr_end,
            corr_drop,
            mean_abs_gap,
            mean_abs_gap_uniform,
        },
        jackknife_se,
        channels,
        paths: n,
    })
}
