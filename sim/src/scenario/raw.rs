//! The scenario file as written: serde types with every field optional where MODEL.md gives a
//! default, and unknown fields refused. [`super::Scenario::from_raw`] validates them into typed
//! form. Units and defaults of every field are in `docs/scenario.md` and [`super::params`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Appends the fields of [`RawBankParams`] to a struct, so that a bank, a group or a file can set
/// them inline (serde's `flatten` cannot be combined with `deny_unknown_fields`).
macro_rules! with_bank_params {
    ($(#[$m:meta])* pub struct $name:ident { $($(#[$fm:meta])* pub $f:ident : $t:ty,)* }) => {
        $(#[$m])*
        pub struct $name {
            $($(#[$fm])* pub $f: $t,)*
            /// Yearly net spread on SME loans.
            pub spread: Option<f64>,
            /// Pass-through of rate rises to deposit cost.
            pub deposit_beta: Option<f64>,
            /// Approval threshold `theta0` on the score.
            pub threshold: Option<f64>,
            /// Fine-tuning weight `w`.
            pub fine_tuning: Option<f64>,
            /// Target capital ratio.
            pub car_target: Option<f64>,
            /// Share of bonds at fair value.
            pub bond_fv_share: Option<f64>,
            /// Duration of fair-value bonds, years.
            pub duration: Option<f64>,
            /// Risk weight of other assets.
            pub rw_other: Option<f64>,
        }

        impl $name {
            /// The behavioural parameters set on this entry.
            pub fn params(&self) -> RawBankParams {
                RawBankParams {
                    spread: self.spread,
                    deposit_beta: self.deposit_beta,
                    threshold: self.threshold,
                    fine_tuning: self.fine_tuning,
                    car_target: self.car_target,
                    bond_fv_share: self.bond_fv_share,
                    duration: self.duration,
                    rw_other: self.rw_other,
                }
            }
        }
    };
}

/// A whole scenario file.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Format version; this engine reads version 1.
    pub version: Option<i64>,
    /// Another scenario file this one overrides, relative to this file (handled before parsing).
    pub base: Option<String>,
    /// Short name.
    pub name: Option<String>,
    /// One-line description.
    pub description: Option<String>,
    /// Label of the money unit (default "million").
    pub currency: Option<String>,
    /// Run settings.
    #[serde(default)]
    pub run: RawRun,
    /// Interest rates.
    #[serde(default)]
    pub rates: RawRates,
    /// Firm population.
    #[serde(default)]
    pub firms: RawFirms,
    /// Regions; at least one.
    #[serde(default)]
    pub regions: Vec<RawRegion>,
    /// AI model families and similarity.
    #[serde(default)]
    pub models: RawModels,
    /// Adoption of families by banks without an explicit family.
    #[serde(default)]
    pub adoption: RawAdoption,
    /// System-wide banking parameters.
    #[serde(default)]
    pub banking: RawBanking,
    /// Defaults for every bank's behavioural parameters.
    #[serde(default)]
    pub bank_defaults: RawBankParams,
    /// Banks listed one by one.
    #[serde(default)]
    pub banks: Vec<RawBank>,
    /// Banks generated from groups.
    #[serde(default)]
    pub bank_groups: Vec<RawBankGroup>,
    /// Banks loaded from CSV files of balance sheets.
    #[serde(default)]
    pub bank_files: Vec<RawBankFile>,
    /// Policy levers.
    #[serde(default)]
    pub policy: RawPolicy,
    /// Contagion channels (interbank, fire sales).
    #[serde(default)]
    pub contagion: RawContagion,
    /// Scheduled shocks besides the rate path.
    #[serde(default)]
    pub shocks: Vec<RawEvent>,
    /// Figure settings for the charts (`[charts]`: title, labels, size, theme, palette). The engine
    /// ignores this table and it does not enter the scenario's digest; the reports read and check it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charts: Option<toml::Table>,
}

/// `[run]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawRun {
    /// Monte Carlo paths.
    pub paths: Option<i64>,
    /// Seed of every draw.
    pub seed: Option<i64>,
    /// Quarters simulated.
    pub quarters: Option<i64>,
    /// Share of system assets in failed banks that makes a systemic event.
    pub systemic_share: Option<f64>,
    /// Firms in the herding probe sample.
    pub probe_firms: Option<i64>,
    /// Keep every bank's balance sheet and losses per quarter in the results.
    pub bank_detail: Option<bool>,
}

/// `[rates]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawRates {
    /// Starting policy rate, percent.
    pub initial: Option<f64>,
    /// OU mean reversion per quarter.
    pub kappa: Option<f64>,
    /// OU innovation scale, percentage points per quarter.
    pub sigma: Option<f64>,
    /// The scheduled shock.
    pub shock: Option<RawShock>,
}

/// `[rates.shock]`: `kind = "none" | "step" | "ramp" | "path"`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawShock {
    /// Kind of shock path.
    pub kind: Option<String>,
    /// Size in percentage points (step, ramp).
    pub size: Option<f64>,
    /// Quarter the step happens (step).
    pub at: Option<i64>,
    /// First quarter of the ramp.
    pub start: Option<i64>,
    /// Quarter the ramp reaches full size.
    pub end: Option<i64>,
    /// Explicit shock per quarter, percentage points (path).
    pub values: Option<Vec<f64>>,
}

/// `[firms]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawFirms {
    /// Simulated firms.
    pub count: Option<i64>,
    /// Real firms per simulated firm; when absent, chosen so expected SME credit matches banks'.
    pub weight: Option<f64>,
    /// Rate sensitivity of the PD index, per percentage point.
    pub lambda: Option<f64>,
    /// Quality loading of the PD index.
    pub beta: Option<f64>,
    /// Economy-wide factor loading.
    pub rho_global: Option<f64>,
    /// Regional factor loading.
    pub rho_region: Option<f64>,
    /// Probability a firm's loan matures in a quarter.
    pub need_probability: Option<f64>,
    /// Creditworthiness cutoff on quarterly PD.
    pub pd_cutoff: Option<f64>,
    /// Extra default probability of a rationed firm.
    pub liquidity_pd: Option<f64>,
    /// Loss given default.
    pub lgd: Option<f64>,
    /// Median credit need, money units per real firm.
    pub size_median: Option<f64>,
    /// Log-scale dispersion of credit need.
    pub size_sigma: Option<f64>,
}

/// `[[regions]]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawRegion {
    /// Region name (unique).
    pub name: Option<String>,
    /// Share of the simulated firms in this region.
    pub firm_share: Option<f64>,
    /// Mean latent quality `mu_region`.
    pub quality_mean: Option<f64>,
    /// PD index intercept `a_region`.
    pub pd_intercept: Option<f64>,
}

/// `[models]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawModels {
    /// Model similarity `rho_model`.
    pub similarity: Option<f64>,
    /// Families.
    #[serde(default)]
    pub families: Vec<RawFamily>,
    /// Shared-model incidents (MODEL.md 4.1), scheduled or random.
    #[serde(default)]
    pub incidents: Vec<RawIncident>,
}

/// `[[models.incidents]]`: a shared-model incident (MODEL.md 4.1).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawIncident {
    /// The family hit (required for a scheduled incident; a random one without it may hit any).
    pub family: Option<String>,
    /// Quarter a scheduled incident starts.
    pub at: Option<i64>,
    /// Probability a quarter that a random incident starts, per family.
    pub rate: Option<f64>,
    /// Quarters it lasts.
    pub duration: Option<i64>,
    /// `noise` or `bias`.
    pub kind: Option<String>,
    /// Its size, in quality units.
    pub severity: Option<f64>,
}

/// `[[models.families]]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawFamily {
    /// Family name (unique).
    pub name: Option<String>,
    /// Error scale `sigma_m`.
    pub error_scale: Option<f64>,
    /// Rate reaction `phi_m`, threshold points per percentage point.
    pub rate_reaction: Option<f64>,
    /// Regime-shift sensitivity `eta_m` (MODEL.md 4.1), per rate point.
    pub eta: Option<f64>,
    /// Regime-shift bias `zeta_m`, quality units per rate point.
    pub zeta: Option<f64>,
    /// The rate level the family was trained at, `r_train_m`, percent (default `rates.initial`).
    pub r_train: Option<f64>,
    /// Quarters between retrainings (0: never).
    pub retrain_every: Option<i64>,
    /// Quarters a retraining learns from.
    pub window: Option<i64>,
    /// Procyclical learning `gamma_m`.
    pub gamma: Option<f64>,
}

/// `[adoption]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawAdoption {
    /// Target share of system assets per family, for banks without an explicit family.
    #[serde(default)]
    pub shares: BTreeMap<String, f64>,
    /// Family of named banks, by bank id; over every other way of choosing a family.
    #[serde(default)]
    pub banks: BTreeMap<String, String>,
    /// Quarters between reviews of each bank's family (0: never; MODEL.md 4.1).
    pub review_every: Option<i64>,
    /// Probability that a bank reviews its family at a review.
    pub switch_prob: Option<f64>,
    /// Quarters of credit losses a review compares.
    pub review_window: Option<i64>,
    /// Loss-rate gap above which a reviewing bank switches.
    pub switch_threshold: Option<f64>,
    /// Cost of a switch, share of the bank's SME book.
    pub switch_cost: Option<f64>,
}

/// `[banking]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawBanking {
    /// Banks a firm applies to at most (`k`).
    pub max_applications: Option<i64>,
    /// Minimum capital ratio.
    pub car_min: Option<f64>,
    /// Threshold rise per unit of capital shortfall (`psi`).
    pub capital_pressure: Option<f64>,
    /// Risk weight of SME loans.
    pub rw_sme: Option<f64>,
    /// Risk weight of bonds.
    pub rw_bonds: Option<f64>,
    /// Risk weight of interbank assets.
    pub rw_interbank: Option<f64>,
    /// Risk weight of other assets (default for banks that do not set their own).
    pub rw_other: Option<f64>,
}

/// Behavioural and accounting parameters a bank may set, else taken from `[bank_defaults]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawBankParams {
    /// Yearly net spread on SME loans.
    pub spread: Option<f64>,
    /// Pass-through of rate rises to deposit cost.
    pub deposit_beta: Option<f64>,
    /// Approval threshold `theta0` on the score.
    pub threshold: Option<f64>,
    /// Fine-tuning weight `w`.
    pub fine_tuning: Option<f64>,
    /// Target capital ratio.
    pub car_target: Option<f64>,
    /// Share of bonds at fair value.
    pub bond_fv_share: Option<f64>,
    /// Duration of fair-value bonds, years.
    pub duration: Option<f64>,
    /// Risk weight of other assets.
    pub rw_other: Option<f64>,
}

with_bank_params! {
/// `[[banks]]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawBank {
    /// Unique id.
    pub id: Option<String>,
    /// Equity (CET1), money.
    pub equity: Option<f64>,
    /// SME loan book, money.
    pub sme_loans: Option<f64>,
    /// Bonds, money.
    pub bonds: Option<f64>,
    /// Interbank assets, money.
    pub interbank_assets: Option<f64>,
    /// Interbank liabilities, money.
    pub interbank_liabilities: Option<f64>,
    /// Other assets, money.
    pub other_assets: Option<f64>,
    /// Family used (overrides `[adoption]`).
    pub family: Option<String>,
    /// Regions served, with weights of the SME book.
    #[serde(default)]
    pub regions: BTreeMap<String, f64>,
    /// Shares of the bank's bonds in each fire-sale asset class (else the classes' `share`).
    #[serde(default)]
    pub holdings: BTreeMap<String, f64>,
}
}

with_bank_params! {
/// `[[bank_groups]]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawBankGroup {
    /// Id prefix; banks are named `prefix01`, `prefix02`, ...
    pub prefix: Option<String>,
    /// Number of banks.
    pub count: Option<i64>,
    /// Distribution of total assets.
    pub assets: Option<RawSizeDist>,
    /// Equity as a share of total assets.
    pub equity_ratio: Option<f64>,
    /// SME loans as a share of total assets.
    pub sme_share: Option<f64>,
    /// Bonds as a share of total assets.
    pub bond_share: Option<f64>,
    /// Interbank assets as a share of total assets.
    pub interbank_share: Option<f64>,
    /// Interbank liabilities as a share of total assets (default: the interbank asset share).
    pub interbank_liability_share: Option<f64>,
    /// Regions served.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Each bank serves this many of `regions`, assigned round-robin (default: all).
    pub regions_each: Option<i64>,
    /// One family for every bank of the group.
    pub family: Option<String>,
    /// Families assigned round-robin within the group.
    pub families: Option<Vec<String>>,
}
}

/// Size distribution of a bank group: `dist = "fixed" | "lognormal" | "pareto"`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawSizeDist {
    /// Kind.
    pub dist: Option<String>,
    /// Fixed value (fixed).
    pub value: Option<f64>,
    /// Median (lognormal).
    pub median: Option<f64>,
    /// Log-scale dispersion (lognormal).
    pub sigma: Option<f64>,
    /// Minimum (pareto).
    pub min: Option<f64>,
    /// Tail index (pareto).
    pub alpha: Option<f64>,
}

with_bank_params! {
/// `[[bank_files]]`: a CSV of balance sheets.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawBankFile {
    /// Path, relative to the scenario file.
    pub path: Option<String>,
    /// `herdlab` (our columns) or `eba2018` (the EBA 2018 stress-test compilation).
    pub format: Option<String>,
    /// For `eba2018`: SME loans as a share of total exposure.
    pub sme_share: Option<f64>,
    /// Families assigned round-robin in file order (else `[adoption]`).
    pub families: Option<Vec<String>>,
}
}

/// `[policy]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    /// Diversity cap.
    pub diversity_cap: Option<RawDiversityCap>,
    /// Herding alarm and its responses.
    pub herding_alarm: Option<RawAlarm>,
    /// Human review of rejections.
    pub human_review: Option<RawReview>,
}

/// `[policy.diversity_cap]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawDiversityCap {
    /// Switch.
    pub enabled: Option<bool>,
    /// Maximum share of system assets per family.
    pub cap: Option<f64>,
}

/// `[policy.herding_alarm]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawAlarm {
    /// Switch.
    pub enabled: Option<bool>,
    /// Measure watched.
    pub measure: Option<String>,
    /// Level that raises the alarm.
    pub threshold: Option<f64>,
    /// Quarters from the alarm to the response.
    pub lag: Option<i64>,
    /// Emergency SME facility budget per quarter, money.
    pub facility_budget: Option<f64>,
    /// Error scale of the facility's independent model.
    pub facility_error_scale: Option<f64>,
    /// Capital-buffer release, percentage points.
    pub buffer_release: Option<f64>,
}

/// `[policy.human_review]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawReview {
    /// Switch.
    pub enabled: Option<bool>,
    /// Share of rejections reviewed.
    pub share: Option<f64>,
    /// Error scale of the independent judgement.
    pub error_scale: Option<f64>,
}

/// `[contagion]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawContagion {
    /// Interbank exposures and clearing.
    pub interbank: Option<RawInterbank>,
    /// Fire sales on overlapping portfolios.
    pub fire_sales: Option<RawFireSales>,
    /// Largest number of contagion rounds (clearing then fire sales) in a quarter.
    pub max_rounds: Option<i64>,
}

/// `[contagion.interbank]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawInterbank {
    /// Switch.
    pub enabled: Option<bool>,
    /// `eisenberg-noe`, `rogers-veraart` or `furfine`.
    pub clearing: Option<String>,
    /// Rogers–Veraart recovery on external assets.
    pub alpha: Option<f64>,
    /// Rogers–Veraart recovery on interbank assets.
    pub beta: Option<f64>,
    /// Furfine loss given default.
    pub lgd: Option<f64>,
    /// The exposure network.
    pub network: Option<RawNetwork>,
}

/// `[contagion.interbank.network]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    /// `explicit`, `erdos-renyi`, `core-periphery`, `scale-free` or `reconstructed`.
    pub kind: Option<String>,
    /// CSV exposure matrix (explicit).
    pub path: Option<String>,
    /// Mean out-degree (erdos-renyi).
    pub mean_degree: Option<f64>,
    /// Core banks: the largest by assets (core-periphery).
    pub core: Option<i64>,
    /// Link probability core to core.
    pub p_core_core: Option<f64>,
    /// Link probability core to periphery.
    pub p_core_periphery: Option<f64>,
    /// Link probability periphery to core.
    pub p_periphery_core: Option<f64>,
    /// Link probability periphery to periphery.
    pub p_periphery_periphery: Option<f64>,
    /// Links of each new bank (scale-free).
    pub m: Option<i64>,
    /// `ras` or `minimum-density` (reconstructed).
    pub method: Option<String>,
    /// Weights on a generated network: `equal` or `ras`.
    pub weights: Option<String>,
    /// Draw the network once per `run` or once per `path`.
    pub resample: Option<String>,
    /// Give a bank that drew no borrower (or no lender) a random one (generated kinds; default
    /// false).
    pub repair: Option<bool>,
}

/// `[contagion.fire_sales]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawFireSales {
    /// Switch.
    pub enabled: Option<bool>,
    /// Leverage above which a bank sells.
    pub lev_max: Option<f64>,
    /// Leverage a selling bank returns to.
    pub lev_target: Option<f64>,
    /// Largest number of selling rounds per call.
    pub max_rounds: Option<i64>,
    /// Marketable asset classes.
    #[serde(default)]
    pub assets: Vec<RawAsset>,
}

/// `[[contagion.fire_sales.assets]]`
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawAsset {
    /// Name.
    pub name: Option<String>,
    /// Market depth: selling this much value (at starting prices) lowers the price by a factor e.
    pub depth: Option<f64>,
    /// Share of every bank's bonds in this class.
    pub share: Option<f64>,
}

/// `[[shocks]]`: `kind = "bank-failure" | "asset-price" | "regional"`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    /// Kind.
    pub kind: Option<String>,
    /// Quarter it happens.
    pub quarter: Option<i64>,
    /// Named banks that fail (bank-failure).
    pub banks: Option<Vec<String>>,
    /// Number of banks drawn at random to fail (bank-failure).
    pub random: Option<i64>,
    /// Share of the failing bank's non-interbank assets lost on top of its equity (bank-failure).
    pub asset_loss: Option<f64>,
    /// Asset class (asset-price).
    pub asset: Option<String>,
    /// Region (regional).
    pub region: Option<String>,
    /// Price fall as a share (asset-price), or factor shift in standard deviations (regional).
    pub size: Option<f64>,
}
