//! The validated scenario: [`Scenario`] and the typed parts it is made of, each field in the unit
//! and meaning of MODEL.md.

use serde::Serialize;

use super::contagion::{Contagion, Event};
use super::moving;

/// The scenario format version this engine reads.
pub const FORMAT_VERSION: i64 = 1;

/// The scheduled part of the rate path, `shock_t`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub enum Shock {
    /// No shock.
    None,
    /// `size` from quarter `at` on.
    Step {
        /// Percentage points.
        size: f64,
        /// First quarter in force.
        at: u32,
    },
    /// Linear from 0 before `start` to `size` at `end` and after.
    Ramp {
        /// Percentage points.
        size: f64,
        /// First quarter of the ramp.
        start: u32,
        /// Quarter of full size.
        end: u32,
    },
    /// One value per quarter.
    Path(Vec<f64>),
}

impl Shock {
    /// `shock_t` for quarter `t` (1-based).
    pub fn at(&self, t: u32) -> f64 {
        match self {
            Shock::None => 0.0,
            Shock::Step { size, at } => {
                if t >= *at {
                    *size
                } else {
                    0.0
                }
            }
            Shock::Ramp { size, start, end } => {
                if t < *start {
                    0.0
                } else if t >= *end {
                    *size
                } else {
                    // start <= t < end: the ramp climbs by size / (end - start + 1) a quarter.
                    size * f64::from(t - start + 1) / f64::from(end - start + 1)
                }
            }
            Shock::Path(v) => v.get(t as usize - 1).copied().unwrap_or(0.0),
        }
    }
}

/// Run settings.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunSettings {
    /// Monte Carlo paths.
    pub paths: u64,
    /// Seed.
    pub seed: u64,
    /// Quarters `T`.
    pub quarters: u32,
    /// Failed-asset share that makes a systemic event.
    pub systemic_share: f64,
    /// Firms in the herding probe.
    pub probe_firms: usize,
    /// Keep every bank's balance sheet and losses per quarter.
    pub bank_detail: bool,
}

/// Interest rates (MODEL.md §2).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rates {
    /// `r_0`, percent.
    pub initial: f64,
    /// OU mean reversion.
    pub kappa: f64,
    /// OU innovation scale, percentage points.
    pub sigma: f64,
    /// Scheduled shock.
    pub shock: Shock,
}

/// Firm population (MODEL.md §3).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Firms {
    /// `F`.
    pub count: usize,
    /// Real firms per simulated firm (resolved).
    pub weight: f64,
    /// `lambda`.
    pub lambda: f64,
    /// `beta`.
    pub beta: f64,
    /// `rho_g`.
    pub rho_global: f64,
    /// `rho_r`.
    pub rho_region: f64,
    /// `nu`.
    pub need_probability: f64,
    /// `pd_cutoff`.
    pub pd_cutoff: f64,
    /// `pi_liq`.
    pub liquidity_pd: f64,
    /// `lgd`.
    pub lgd: f64,
    /// Median credit need.
    pub size_median: f64,
    /// Log dispersion of credit need.
    pub size_sigma: f64,
}

/// A region.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Region {
    /// Name.
    pub name: String,
    /// Share of firms (normalised to sum to 1).
    pub firm_share: f64,
    /// `mu_region`.
    pub quality_mean: f64,
    /// `a_region`.
    pub pd_intercept: f64,
}

/// An AI model family.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Family {
    /// Name.
    pub name: String,
    /// `sigma_m`.
    pub error_scale: f64,
    /// `phi_m`.
    pub rate_reaction: f64,
    /// Its regime shift (MODEL.md 4.1; off when `eta` and `zeta` are 0).
    pub shift: moving::Shift,
    /// Its retraining (off when `every` is 0).
    pub retraining: moving::Retraining,
}

/// System-wide banking parameters.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Banking {
    /// `k`.
    pub max_applications: usize,
    /// `car_min`.
    pub car_min: f64,
    /// `psi`.
    pub capital_pressure: f64,
    /// `rw_sme`.
    pub rw_sme: f64,
    /// `rw_bond`.
    pub rw_bonds: f64,
    /// `rw_ib`.
    pub rw_interbank: f64,
}

/// A bank's behavioural and accounting parameters.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BankParams {
    /// Yearly net spread.
    pub spread: f64,
    /// Deposit pass-through.
    pub deposit_beta: f64,
    /// `theta0_i`.
    pub threshold: f64,
    /// `w_i`.
    pub fine_tuning: f64,
    /// `car_target_i`.
    pub car_target: f64,
    /// Share of bonds at fair value.
    pub bond_fv_share: f64,
    /// `D_i`, years.
    pub duration: f64,
    /// Risk weight of other assets.
    pub rw_other: f64,
}

/// A bank at the start.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bank {
    /// Unique id.
    pub id: String,
    /// Equity.
    pub equity: f64,
    /// SME loans declared (sets market shares).
    pub sme_loans: f64,
    /// Bonds.
    pub bonds: f64,
    /// Interbank assets.
    pub interbank_assets: f64,
    /// Interbank liabilities.
    pub interbank_liabilities: f64,
    /// Other assets.
    pub other_assets: f64,
    /// Index into [`Models::families`].
    pub family: usize,
    /// Regions served: (index into [`Scenario::regions`], weight), weights summing to 1.
    pub regions: Vec<(usize, f64)>,
    /// Shares of the bank's bonds held in named fire-sale asset classes, by name; classes not
    /// named take their default `share`.
    pub holdings: Vec<(String, f64)>,
    /// Parameters.
    pub params: BankParams,
}

impl Bank {
    /// Total assets at the start (declared).
    pub fn assets(&self) -> f64 {
        self.sme_loans + self.bonds + self.interbank_assets + self.other_assets
    }
}

/// Model families and similarity (MODEL.md §4).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Models {
    /// `rho_model`.
    pub similarity: f64,
    /// Families.
    pub families: Vec<Family>,
    /// The banks' reviews of their family (MODEL.md 4.1, endogenous adoption).
    pub switching: moving::Switching,
    /// Shared-model incidents (MODEL.md 4.1).
    pub incidents: Vec<moving::Incident>,
}

/// Which herding measure the alarm watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub enum AlarmMeasure {
    /// Excess mean pairwise decision correlation over its independence baseline.
    DecisionAgreementExcess,
    /// Systemic rejection share over its independence baseline.
    SystemicRejectionRatio,
    /// LSV herding measure.
    Lsv,
}

impl AlarmMeasure {
    /// Names accepted in scenario files.
    pub const NAMES: [&'static str; 3] = [
        "decision-agreement-excess",
        "systemic-rejection-ratio",
        "lsv",
    ];
}

/// The herding alarm and its responses.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alarm {
    /// Measure watched.
    pub measure: AlarmMeasure,
    /// Level that raises it.
    pub threshold: f64,
    /// Quarters to the response.
    pub lag: u32,
    /// Facility budget per quarter, money.
    pub facility_budget: f64,
    /// Facility model error scale.
    pub facility_error_scale: f64,
    /// Buffer release, as a ratio (points / 100).
    pub buffer_release: f64,
}

/// Human review of rejections.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Review {
    /// `h`.
    pub share: f64,
    /// Error scale of the judgement.
    pub error_scale: f64,
}

/// A bank moved to another family by the diversity cap.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reassignment {
    /// Bank id.
    pub bank: String,
    /// Family before.
    pub from: String,
    /// Family after.
    pub to: String,
}

/// Policy levers (MODEL.md §8).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Policy {
    /// Diversity cap, if enabled.
    pub diversity_cap: Option<f64>,
    /// Banks the cap moved, in the order moved.
    pub reassignments: Vec<Reassignment>,
    /// Herding alarm, if enabled.
    pub alarm: Option<Alarm>,
    /// Human review, if enabled.
    pub review: Option<Review>,
}

/// A validated scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scenario {
    /// Name.
    pub name: String,
    /// One-line description.
    pub description: String,
    /// Money unit label.
    pub currency: String,
    /// Run settings.
    pub run: RunSettings,
    /// Rates.
    pub rates: Rates,
    /// Firms.
    pub firms: Firms,
    /// Regions.
    pub regions: Vec<Region>,
    /// Families.
    pub models: Models,
    /// Banking parameters.
    pub banking: Banking,
    /// Banks, in file order: listed, then groups, then files.
    pub banks: Vec<Bank>,
    /// Policy.
    pub policy: Policy,
    /// Contagion channels.
    pub contagion: Contagion,
    /// Shocks besides the rate path, in file order.
    pub shocks: Vec<Event>,
}

impl Scenario {
    /// Total starting assets of all banks.
    pub fn system_assets(&self) -> f64 {
        self.banks.iter().map(Bank::assets).sum()
    }

    /// Family shares of system assets, in family order.
    pub fn family_shares(&self) -> Vec<f64> {
        family_shares(&self.banks, self.models.families.len())
    }

    /// Degenerate but valid set-ups worth telling the user about before a run, in a fixed order:
    /// banks that start with no equity (no capacity to lend; they fail at their first loss),
    /// every bank doing so, and regions
    /// with firms but no lender that starts solvent (their creditworthy demand all goes
    /// unfunded, counted in `gap_no_capacity`). The run handles each; nothing here is an error.
    pub fn warnings(&self) -> Vec<Warning> {
        let mut out = Vec::new();
        for (i, b) in self.banks.iter().enumerate() {
            if b.equity <= 0.0 {
                out.push(Warning {
                    field: format!("banks[{i}].equity"),
                    message: format!(
                        "bank {:?} starts with equity {}: it has no capacity to lend and fails \
                         at its first loss (equity below zero)",
                        b.id, b.equity
                    ),
                });
            }
        }
        if !self.banks.is_empty() && self.banks.iter().all(|b| b.equity <= 0.0) {
            out.push(Warning {
                field: "banks".into(),
                message: "every bank starts with no equity: none has capacity to lend, so no \
                          credit is supplied"
                    .into(),
            });
        }
        if self.firms.count > 0 {
            for (r, region) in self.regions.iter().enumerate() {
                let served = self
                    .banks
                    .iter()
                    .any(|b| b.equity > 0.0 && b.regions.iter().any(|&(i, w)| i == r && w > 0.0));
                if region.firm_share > 0.0 && !served {
                    out.push(Warning {
                        field: format!("regions[{r}]"),
                        message: format!(
                            "no solvent bank lends in region {:?}: its firms' creditworthy demand \
                             all goes unfunded (counted in gap_no_capacity)",
                            region.name
                        ),
                    });
                }
            }
        }
        out
    }
}

/// A valid but degenerate part of a scenario ([`Scenario::warnings`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// The field, as in validation errors (`banks[2].equity`, `regions[1]`).
    pub field: String,
    /// What it means for the run.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Each family's share of the banks' total starting assets, in family order (all 0 when the
/// banks hold nothing). Used by [`Scenario::family_shares`] and the diversity cap.
pub(crate) fn family_shares(banks: &[Bank], families: usize) -> Vec<f64> {
    let total: f64 = banks.iter().map(Bank::assets).sum();
    let mut shares = vec![0.0; families];
    for b in banks {
        if let Some(s) = shares.get_mut(b.family) {
            *s += b.assets();
        }
    }
    if total > 0.0 {
        for s in &mut shares {
            *s /= total;
        }
    }
    shares
}
