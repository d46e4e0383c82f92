//! The herdlab model (MODEL.md §2–5, 8, 9): a [`Model`] is a scenario compiled into the form the
//! path simulation needs; [`Model::simulate_path`] runs one Monte Carlo path.

mod applications;
mod bank;
mod contagion;
pub mod diversity;
mod draws;
pub mod equations;
mod firms;
pub mod herding;
mod moving;
pub mod network;
mod path;
mod probe;
mod summary;

pub use applications::ORDER_TRIES;
pub use draws::DrawCounts;
pub(crate) use path::total;
pub use path::{Decision, DecisionLog};

use nalgebra::DMatrix;

use crate::error::{Error, Result};
use crate::normal;
use crate::rng::{Key, Purpose, name_key};
use crate::scenario::Scenario;

/// A scenario compiled for simulation: everything that is the same on every path.
#[derive(Debug)]
pub struct Model<'s> {
    /// The scenario.
    pub scenario: &'s Scenario,
    /// Region of every simulated firm (interleaved so that counts match shares exactly).
    pub firm_region: Vec<u32>,
    /// Per region, the banks serving it and their market shares (summing to 1), by bank index.
    pub region_banks: Vec<Vec<(usize, f64)>>,
    /// Stable keys of banks (by id), families and regions (by name), for the random draws.
    pub bank_key: Vec<u64>,
    /// Family keys.
    pub family_key: Vec<u64>,
    /// Region keys.
    pub region_key: Vec<u64>,
    /// `Phi^-1(pd_cutoff)`: a firm is creditworthy when its default index is at most this.
    pub cutoff_index: f64,
    /// Starting assets of every bank (declared), for the failed-asset share.
    pub bank_assets: Vec<f64>,
    /// System starting assets.
    pub system_assets: f64,
    /// The interbank exposure matrix when it is drawn once for the run (`None` when the channel
    /// is off or the network is drawn per path).
    pub exposures: Option<DMatrix<f64>>,
    /// The share of creditworthy applicants whose independence baseline of systemic rejection
    /// (MODEL.md §9) is computed each quarter, each weighted by its inverse (a Horvitz–Thompson
    /// sum, unbiased): `min(1, BASELINE_FIRMS / firms)`, so 1 (the exact sum) for scenarios of
    /// up to [`BASELINE_FIRMS`] firms. Set it to 1 for the exact sum at any size.
    pub baseline_share: f64,
}

/// Scenarios with more simulated firms than this compute the independence baseline of systemic
/// rejection on a keyed sample of about this many firms' creditworthy applicants
/// ([`Model::baseline_share`]); its added variance is stated in docs/performance.md.
pub const BASELINE_FIRMS: usize = 4_000_000;

impl<'s> Model<'s> {
    /// Compiles a scenario. Fails when the interbank network cannot be built.
    pub fn new(scenario: &'s Scenario) -> Result<Self> {
        let regions = scenario.regions.len();
        let mut region_banks: Vec<Vec<(usize, f64)>> = vec![Vec::new(); regions];
        for (i, b) in scenario.banks.iter().enumerate() {
            for &(r, w) in &b.regions {
                let book = b.sme_loans * w;
                if book > 0.0 && r < regions {
                    region_banks[r].push((i, book));
                }
            }
        }
        for list in &mut region_banks {
            let total: f64 = list.iter().map(|x| x.1).sum();
            for x in list.iter_mut() {
                x.1 /= total;
            }
        }
        let bank_assets: Vec<f64> = scenario.banks.iter().map(|b| b.assets()).collect();
        let exposures = match &scenario.contagion.interbank {
            Some(ib) if !ib.resample_per_path => Some(
                network::exposures(
                    scenario,
                    ib,
                    Key::new(scenario.run.seed).purpose(Purpose::Network),
                )
                .map_err(|e| {
                    Error::Contagion(format!("cannot build the interbank network: {e}"))
                })?,
            ),
            _ => None,
        };
        Ok(Model {
            firm_region: interleave_regions(
                scenario.firms.count,
                &scenario
                    .regions
                    .iter()
                    .map(|r| r.firm_share)
                    .collect::<Vec<_>>(),
            ),
            region_banks,
            bank_key: scenario.banks.iter().map(|b| name_key(&b.id)).collect(),
            family_key: scenario
                .models
                .families
                .iter()
                .map(|f| name_key(&f.name))
                .collect(),
            region_key: scenario.regions.iter().map(|r| name_key(&r.name)).collect(),
            cutoff_index: normal::inv_cdf(scenario.firms.pd_cutoff),
            baseline_share: (BASELINE_FIRMS as f64 / scenario.firms.count.max(1) as f64).min(1.0),
            system_assets: bank_assets.iter().sum(),
            bank_assets,
            exposures,
            scenario,
        })
    }

    /// An estimate of the memory one path in flight needs, in bytes.
    pub fn path_bytes(&self) -> u64 {
        path_bytes(self.scenario)
    }

    /// The interbank exposure matrix path `path` runs on (§6): the run's network, or, when the
    /// network is drawn afresh on every path, the one drawn with the path's own key (as
    /// [`Model::simulate_path`] draws it). `None` when the scenario has no interbank channel.
    pub fn network_of_path(&self, path: u64) -> Result<Option<DMatrix<f64>>> {
        match &self.scenario.contagion.interbank {
            None => Ok(None),
            Some(ib) if ib.resample_per_path => network::exposures(
                self.scenario,
                ib,
                Key::new(self.scenario.run.seed)
                    .path(path)
                    .purpose(Purpose::Network),
            )
            .map(Some)
            .map_err(|e| {
                Error::Contagion(format!(
                    "path {path}: cannot build the interbank network: {e}"
                ))
            }),
            Some(_) => Ok(self.exposures.clone()),
        }
    }
}

/// An estimate of the memory one path of `s` needs while it runs, in bytes: per firm its quality,
/// size, lender, state and one model error per family (`22 + 8 x families` bytes: 54 with four
/// families); per bank its state, per-region counters and, with interbank contagion, six rows of
/// n x n matrices; the probe sample and its decisions; the application-order tables (`8 n_r²` bytes for each
/// region of `n_r <= 64` banks) and the block of firms' draws; and the records kept.
/// O(firms + banks²). The model shared by all paths adds 4 bytes per firm (its region).
pub fn path_bytes(s: &Scenario) -> u64 {
    let f = s.firms.count as u64;
    let m = s.models.families.len() as u64;
    let n = s.banks.len() as u64;
    let r = s.regions.len() as u64;
    let t = u64::from(s.run.quarters);
    let p = s.run.probe_firms.min(s.firms.count) as u64;
    // Quality, size (f64), lender (u32), alive and need (bool), one f64 model error per family.
    let per_firm = 8 + 8 + 4 + 1 + 1 + 8 * m;
    // The state, the maturing sums and per-region counters; with interbank contagion, the claims
    // matrix and up to five n x n working matrices at once (the liabilities and
    // relative-liabilities matrices and the LU of clearing, DebtRank's live claims and impact
    // matrix).
    let per_bank = 264
        + 4 * 8 * r
        + if s.contagion.interbank.is_some() {
            6 * 8 * n
        } else {
            0
        };
    let detail = if s.run.bank_detail {
        t * n * std::mem::size_of::<crate::results::BankQuarter>() as u64
    } else {
        0
    };
    let records = t * (QUARTER_BYTES + 24 * r) + n * 80 + detail;
    let mut lenders = vec![0u64; s.regions.len()];
    for b in &s.banks {
        for &(region, _) in &b.regions {
            if let Some(c) = lenders.get_mut(region) {
                *c += 1;
            }
        }
    }
    // Each region's banks open for applications: index, share and running sum (8 bytes each).
    let tables: u64 = lenders.iter().map(|&k| 24 * k).sum();
    let k = (s.banking.max_applications as u64).min(n);
    // Per firm of a block: shock, need uniform, baseline (f64) and order start (usize), the
    // applicant and creditworthy lists (u32); per slot: bank (usize), score (f64), firm (u32).
    let block = 256 * (40 + 20 * k);
    // The probe: two decisions per bank and sampled firm; per sampled firm its index, a draw and
    // up to two ranked entries (12 + 8 + 2 x 16 bytes).
    let probe = 2 * p * n + 52 * p;
    f * per_firm + n * per_bank + probe + records + tables + block + 4096
}

/// An estimate of the memory the compiled [`Model`] shared by all paths needs, in bytes, from the
/// validated scenario alone (nothing is built): the firms' regions (4 bytes per firm) and, when
/// the interbank network is drawn once for the run, its exposure matrix (`8 n²` bytes for `n`
/// banks) and the generation's working memory: 16 bytes per link of a generated graph (expected
/// links: `n x mean_degree` for Erdős–Rényi, `2 m n` scale-free, `n (n - 1)` times the largest
/// link probability core–periphery), 24 per given link, and two more `n x n` matrices for a
/// reconstructed network (RAS). Saturating: never overflows.
pub fn shared_bytes(s: &Scenario) -> u64 {
    use crate::scenario::Network;
    let f = s.firms.count as u64;
    let n = s.banks.len() as u64;
    let matrix = n.saturating_mul(n).saturating_mul(8);
    let links = n.saturating_mul(n.saturating_sub(1));
    let network = match &s.contagion.interbank {
        Some(ib) if !ib.resample_per_path => {
            let generation = match &ib.network {
                Network::Explicit(v) => (v.len() as u64).saturating_mul(24),
                Network::ErdosRenyi { mean_degree, .. } => {
                    let d = mean_degree.clamp(0.0, n.saturating_sub(1) as f64);
                    ((n as f64) * d * 16.0).min(u64::MAX as f64) as u64
                }
                Network::CorePeriphery { p, .. } => {
                    let pmax = p.iter().copied().fold(0.0f64, f64::max).clamp(0.0, 1.0);
                    ((links as f64) * pmax * 16.0).min(u64::MAX as f64) as u64
                }
                Network::ScaleFree { m, .. } => {
                    (*m as u64).min(n).saturating_mul(n).saturating_mul(32)
                }
                Network::Reconstructed { .. } => matrix.saturating_mul(2),
                #[allow(unreachable_patterns)]
                _ => matrix.saturating_mul(2),
            };
            matrix.saturating_add(generation)
        }
        _ => 0,
    };
    f.saturating_mul(4).saturating_add(network)
}

const QUARTER_BYTES: u64 = (std::mem::size_of::<crate::results::QuarterRecord>()) as u64;

/// Assigns `count` firms to regions so that region `r` gets its share of firms to within one, and
/// regions alternate along the firm index (each firm goes to the region furthest behind its quota;
/// ties: the earlier region). Firms are processed in index order each quarter, so interleaving
/// keeps any region from being served first.
pub fn interleave_regions(count: usize, shares: &[f64]) -> Vec<u32> {
    let mut out = Vec::with_capacity(count);
    let mut have = vec![0.0f64; shares.len()];
    for j in 0..count {
        let due = (j + 1) as f64;
        let mut best = 0usize;
        let mut gap = f64::NEG_INFINITY;
        for (r, (&s, &h)) in shares.iter().zip(&have).enumerate() {
            if s <= 0.0 {
                continue;
            }
            let g = s * due - h;
            if g > gap + 1e-12 {
                gap = g;
                best = r;
            }
        }
        if let Some(h) = have.get_mut(best) {
            *h += 1.0;
        }
        out.push(best as u32);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bundled baseline with an Erdős–Rényi interbank network drawn per run or per path.
    fn networked(resample: &str) -> Scenario {
        let file = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/baseline.toml");
        let text = std::fs::read_to_string(file).expect("the bundled baseline")
            + "[contagion.interbank.network]\nkind = \"erdos-renyi\"\nmean_degree = 3.0\n"
            + &format!("resample = \"{resample}\"\n");
        Scenario::from_toml_str(&text, file, &crate::scenario::FsSources).expect("valid")
    }

    #[test]
    fn the_network_of_a_path_is_the_runs_or_the_paths_own() {
        let s = networked("run");
        let m = Model::new(&s).expect("compiles");
        let run = m.exposures.clone().expect("drawn once for the run");
        assert_eq!(m.network_of_path(0).expect("ok"), Some(run.clone()));
        assert_eq!(m.network_of_path(5).expect("ok"), Some(run.clone()));

        let s = networked("path");
        let m = Model::new(&s).expect("compiles");
        assert!(m.exposures.is_none());
        let (a, a2, b) = (
            m.network_of_path(0).expect("ok").expect("a network"),
            m.network_of_path(0).expect("ok").expect("a network"),
            m.network_of_path(1).expect("ok").expect("a network"),
        );
        assert_eq!(a, a2, "the same path draws the same network");
        assert_ne!(a, b, "each path draws its own network");
        let ib = s.contagion.interbank.as_ref().expect("channel on");
        let keyed = network::exposures(
            &s,
            ib,
            Key::new(s.run.seed).path(1).purpose(Purpose::Network),
        )
        .expect("draws");
        assert_eq!(b, keyed, "drawn with the key the path loop uses");
    }

    #[test]
    fn interleaving_matches_shares_and_alternates() {
        let r = interleave_regions(10, &[0.5, 0.3, 0.2]);
        let counts: Vec<usize> = (0..3)
            .map(|k| r.iter().filter(|&&x| x == k).count())
            .collect();
        assert_eq!(counts, vec![5, 3, 2]);
        assert_eq!(&r[..3], &[0, 1, 2]);
        let r = interleave_regions(1000, &[1.0 / 3.0, 0.0, 2.0 / 3.0]);
        let c0 = r.iter().filter(|&&x| x == 0).count();
        assert!((333..=334).contains(&c0));
        assert!(!r.contains(&1));
        // Every prefix is within one firm of its quota.
        let mut c = 0.0;
        for (j, &x) in r.iter().enumerate() {
            if x == 0 {
                c += 1.0;
            }
            assert!((c - (j + 1) as f64 / 3.0).abs() <= 1.0);
        }
    }
}
