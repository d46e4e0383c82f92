//! Every numeric scenario parameter: its path in the file, unit, default and allowed range.
//!
//! This one table drives validation ([`super::Scenario::from_raw`]) and the parameter reference in
//! `docs/scenario.md` (a test checks that every entry is documented there), so the two cannot drift.
//! Paths use `[]` for "every element of a list", e.g. `regions[].firm_share`.

/// The allowed range of a parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// Lower bound.
    pub min: f64,
    /// Whether the lower bound itself is allowed.
    pub min_inclusive: bool,
    /// Upper bound.
    pub max: f64,
    /// Whether the upper bound itself is allowed.
    pub max_inclusive: bool,
}

impl Range {
    const fn closed(min: f64, max: f64) -> Self {
        Range {
            min,
            min_inclusive: true,
            max,
            max_inclusive: true,
        }
    }
    const fn left_open(min: f64, max: f64) -> Self {
        Range {
            min,
            min_inclusive: false,
            max,
            max_inclusive: true,
        }
    }
    const fn right_open(min: f64, max: f64) -> Self {
        Range {
            min,
            min_inclusive: true,
            max,
            max_inclusive: false,
        }
    }

    /// Whether `x` is finite and inside the range.
    pub fn contains(&self, x: f64) -> bool {
        if !x.is_finite() {
            return false;
        }
        let lo = if self.min_inclusive {
            x >= self.min
        } else {
            x > self.min
        };
        let hi = if self.max_inclusive {
            x <= self.max
        } else {
            x < self.max
        };
        lo && hi
    }

    /// The range in interval notation, e.g. `[0, 1]` or `(0, inf)`.
    pub fn describe(&self) -> String {
        let lo = if self.min_inclusive { "[" } else { "(" };
        let hi = if self.max_inclusive { "]" } else { ")" };
        format!("{lo}{}, {}{hi}", fmt_bound(self.min), fmt_bound(self.max))
    }
}

fn fmt_bound(x: f64) -> String {
    if x == f64::INFINITY {
        "inf".into()
    } else if x.is_finite() {
        super::fmt_num(x)
    } else if x == f64::NEG_INFINITY {
        "-inf".into()
    } else {
        format!("{x}")
    }
}

/// A parameter's documentation and limits.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    /// Path in the scenario file.
    pub path: &'static str,
    /// What a reader calls it, in a few words of sentence case (`Model similarity`): the name a
    /// front end shows instead of the path.
    pub label: &'static str,
    /// Symbol in MODEL.md, if any.
    pub symbol: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// Default; `None` when the parameter is required.
    pub default: Option<f64>,
    /// Allowed values.
    pub range: Range,
    /// Whether the value must be a whole number.
    pub integer: bool,
    /// What it is.
    pub doc: &'static str,
}

impl Param {
    /// The one-line help: the first sentence of [`Param::doc`] (the whole of it when it has one).
    pub fn help(&self) -> &'static str {
        match self.doc.find(". ") {
            Some(i) => &self.doc[..=i],
            None => self.doc,
        }
    }
}

/// The largest money amount a scenario or bank file may hold (in the scenario's currency unit):
/// 1e15. Sums and products of amounts this size over any number of banks, firms and quarters stay
/// far from the largest `f64` (about 1.8e308), so no valid scenario can give an infinite or NaN
/// output.
pub const MAX_MONEY: f64 = 1e15;

/// The largest relative weight (a region's firm share, a bank's weight in a region) before
/// normalisation: 1e15.
pub const MAX_WEIGHT: f64 = 1e15;

/// The most real firms one simulated firm stands for: 1e9.
pub const MAX_FIRM_WEIGHT: f64 = 1e9;

const fn p(
    path: &'static str,
    label: &'static str,
    symbol: &'static str,
    unit: &'static str,
    default: Option<f64>,
    range: Range,
    doc: &'static str,
) -> Param {
    Param {
        path,
        label,
        symbol,
        unit,
        default,
        range,
        integer: false,
        doc,
    }
}

const fn int(
    path: &'static str,
    label: &'static str,
    symbol: &'static str,
    default: Option<f64>,
    min: f64,
    max: f64,
    doc: &'static str,
) -> Param {
    Param {
        path,
        label,
        symbol,
        unit: "count",
        default,
        range: Range::closed(min, max),
        integer: true,
        doc,
    }
}

/// Every numeric parameter of a scenario.
pub const PARAMS: &[Param] = &[
    // run
    int(
        "run.paths",
        "Monte Carlo paths",
        "",
        Some(1000.0),
        1.0,
        1e9,
        "Monte Carlo paths.",
    ),
    int(
        "run.seed",
        "Random seed",
        "",
        Some(1.0),
        0.0,
        9.007_199_254_740_991e15,
        "Seed of every random draw.",
    ),
    int(
        "run.quarters",
        "Quarters simulated",
        "T",
        Some(12.0),
        1.0,
        400.0,
        "Quarters simulated.",
    ),
    p(
        "run.systemic_share",
        "Systemic-event threshold",
        "",
        "share of system assets",
        Some(0.10),
        Range::left_open(0.0, 1.0),
        "A path is a systemic event when banks holding more than this share of the system's starting assets have failed.",
    ),
    int(
        "run.probe_firms",
        "Probe sample of firms",
        "",
        Some(200.0),
        0.0,
        100_000.0,
        "Firms in the probe sample on which every bank's decision is recorded for the decision-agreement measure.",
    ),
    // rates
    p(
        "rates.initial",
        "Starting policy rate",
        "r_0",
        "percent",
        Some(2.0),
        Range::closed(-10.0, 50.0),
        "Starting policy rate.",
    ),
    p(
        "rates.kappa",
        "Rate mean reversion",
        "kappa",
        "per quarter",
        Some(0.2),
        Range::closed(0.0, 1.0),
        "Mean reversion of the rate noise.",
    ),
    p(
        "rates.sigma",
        "Rate volatility",
        "sigma_r",
        "percentage points per quarter",
        Some(0.1),
        Range::closed(0.0, 10.0),
        "Scale of the rate noise innovations.",
    ),
    p(
        "rates.shock.size",
        "Rate shock size",
        "",
        "percentage points",
        Some(0.0),
        Range::closed(-20.0, 20.0),
        "Size of a step or ramp shock (3.0 = +300 bp).",
    ),
    int(
        "rates.shock.at",
        "Step shock quarter",
        "",
        Some(1.0),
        1.0,
        400.0,
        "Quarter of a step shock (the shock is in force from this quarter on).",
    ),
    int(
        "rates.shock.start",
        "Ramp start quarter",
        "",
        Some(1.0),
        1.0,
        400.0,
        "First quarter of a ramp; the ramp is 0 before it.",
    ),
    int(
        "rates.shock.end",
        "Ramp end quarter",
        "",
        Some(4.0),
        1.0,
        400.0,
        "Quarter a ramp reaches its full size.",
    ),
    p(
        "rates.shock.values[]",
        "Shock in quarter",
        "",
        "percentage points",
        None,
        Range::closed(-20.0, 20.0),
        "Explicit shock per quarter (kind = \"path\"); one value per quarter.",
    ),
    // firms
    int(
        "firms.count",
        "Simulated firms",
        "F",
        Some(10_000.0),
        0.0,
        1e9,
        "Simulated firms.",
    ),
    p(
        "firms.weight",
        "Real firms per simulated firm",
        "",
        "real firms per simulated firm",
        None,
        Range::left_open(0.0, MAX_FIRM_WEIGHT),
        "Money amounts of a simulated firm are multiplied by it. When absent, chosen so that the expected starting SME credit equals the banks' total SME loans.",
    ),
    p(
        "firms.lambda",
        "Rate sensitivity of default",
        "lambda",
        "PD index per percentage point",
        Some(0.15),
        Range::closed(-5.0, 5.0),
        "Rate sensitivity of the default index.",
    ),
    p(
        "firms.beta",
        "Quality loading of default",
        "beta",
        "PD index per unit of quality",
        Some(0.5),
        Range::closed(0.0, 10.0),
        "Quality loading of the default index.",
    ),
    p(
        "firms.rho_global",
        "Economy-wide factor loading",
        "rho_g",
        "share of latent variance",
        Some(0.08),
        Range::right_open(0.0, 1.0),
        "Loading on the economy-wide factor.",
    ),
    p(
        "firms.rho_region",
        "Regional factor loading",
        "rho_r",
        "share of latent variance",
        Some(0.04),
        Range::right_open(0.0, 1.0),
        "Loading on the regional factor; rho_global + rho_region < 1.",
    ),
    p(
        "firms.need_probability",
        "Refinancing probability",
        "nu",
        "probability per quarter",
        Some(0.25),
        Range::closed(0.0, 1.0),
        "Probability that a surviving firm's loan matures and must be rolled over.",
    ),
    p(
        "firms.pd_cutoff",
        "Creditworthiness cut-off (PD)",
        "pd_cutoff",
        "quarterly probability",
        Some(0.02),
        Range::left_open(0.0, 1.0),
        "A firm is creditworthy when its quarterly PD is at most this.",
    ),
    p(
        "firms.liquidity_pd",
        "Extra default risk when rationed",
        "pi_liq",
        "probability per quarter",
        Some(0.10),
        Range::closed(0.0, 1.0),
        "Extra default probability of a rationed firm.",
    ),
    p(
        "firms.lgd",
        "Loss given default (loans)",
        "lgd",
        "share of balance",
        Some(0.45),
        Range::closed(0.0, 1.0),
        "Loss given default on SME loans.",
    ),
    p(
        "firms.size_median",
        "Median credit need",
        "",
        "money per real firm",
        Some(1.0),
        Range::left_open(0.0, MAX_MONEY),
        "Median credit need d_j (lognormal).",
    ),
    p(
        "firms.size_sigma",
        "Dispersion of credit need",
        "",
        "log points",
        Some(0.8),
        Range::closed(0.0, 5.0),
        "Dispersion of log credit need.",
    ),
    // regions
    p(
        "regions[].firm_share",
        "Share of firms",
        "",
        "share of firms",
        Some(1.0),
        Range::closed(0.0, MAX_WEIGHT),
        "Relative share of the simulated firms in the region (normalised over regions).",
    ),
    p(
        "regions[].quality_mean",
        "Mean firm quality",
        "mu_region",
        "quality units",
        Some(0.0),
        Range::closed(-10.0, 10.0),
        "Mean latent quality of the region's firms.",
    ),
    p(
        "regions[].pd_intercept",
        "Default-index intercept",
        "a_region",
        "PD index",
        Some(-2.4),
        Range::closed(-10.0, 10.0),
        "Intercept of the default index: PD = Phi(a + lambda dr - beta q).",
    ),
    // models
    p(
        "models.similarity",
        "Model similarity",
        "rho_model",
        "share of error variance",
        Some(0.5),
        Range::closed(0.0, 1.0),
        "Model similarity: the share of every family's error that all families share.",
    ),
    p(
        "models.families[].error_scale",
        "Scoring error",
        "sigma_m",
        "quality units",
        Some(0.5),
        Range::closed(0.0, 10.0),
        "Scale of the family's scoring error.",
    ),
    p(
        "models.families[].rate_reaction",
        "Reaction to rate changes",
        "phi_m",
        "threshold per percentage point",
        Some(0.2),
        Range::closed(-10.0, 10.0),
        "How much the family's approval threshold rises per point of rate rise.",
    ),
    p(
        "models.families[].eta",
        "Learning rate",
        "eta_m",
        "error growth per rate point",
        Some(0.0),
        Range::closed(0.0, 10.0),
        "Regime shift: the family's error scale grows by this share per point the rate is away from r_train (MODEL.md 4.1).",
    ),
    p(
        "models.families[].zeta",
        "Drift of scoring error",
        "zeta_m",
        "quality units per rate point",
        Some(0.0),
        Range::closed(-5.0, 5.0),
        "Regime shift bias added to every score per point the rate is above r_train (positive: overrates firms after a rise).",
    ),
    p(
        "models.families[].r_train",
        "Rate at training",
        "r_train_m",
        "percent",
        None,
        Range::closed(-10.0, 100.0),
        "Rate level the family was trained at; default rates.initial. Retraining moves it to the window's mean rate.",
    ),
    int(
        "models.families[].retrain_every",
        "Retraining interval",
        "retrain_every_m",
        Some(0.0),
        0.0,
        1000.0,
        "Quarters between retrainings (0: never); the first comes once a whole window has passed.",
    ),
    int(
        "models.families[].window",
        "Training window",
        "window_m",
        Some(4.0),
        1.0,
        1000.0,
        "Quarters a retraining learns from (and the calm-time reference, the path's first window).",
    ),
    p(
        "models.families[].gamma",
        "Feedback strength",
        "gamma_m",
        "threshold per point of quarterly default rate",
        Some(0.0),
        Range::closed(0.0, 100.0),
        "Procyclical learning: the threshold offset per percentage point of the adopters' quarterly default rate above their calm-time rate.",
    ),
    int(
        "models.incidents[].at",
        "Incident quarter",
        "",
        None,
        1.0,
        10000.0,
        "Quarter a scheduled incident starts (give at or rate).",
    ),
    p(
        "models.incidents[].rate",
        "Incident rate",
        "",
        "probability per quarter",
        None,
        Range::closed(0.0, 1.0),
        "Probability a quarter that a random incident starts, for each family it may hit (give at or rate).",
    ),
    int(
        "models.incidents[].duration",
        "Incident duration",
        "",
        Some(1.0),
        1.0,
        10000.0,
        "Quarters an incident lasts.",
    ),
    p(
        "models.incidents[].severity",
        "Incident severity",
        "",
        "quality units",
        None,
        Range::closed(-10.0, 10.0),
        "Size of the incident: the scale of the shared noise (noise, at least 0), or the score shift (bias; negative: turns against everyone).",
    ),
    p(
        "adoption.shares.*",
        "Adoption share",
        "",
        "share of system assets",
        None,
        Range::closed(0.0, 1.0),
        "Target share of assets per family for banks without an explicit family; shares sum to 1.",
    ),
    int(
        "adoption.review_every",
        "Model review interval",
        "",
        Some(0.0),
        0.0,
        1000.0,
        "Quarters between reviews of each bank's family (0: never; MODEL.md 4.1).",
    ),
    p(
        "adoption.switch_prob",
        "Switching probability",
        "",
        "probability",
        Some(1.0),
        Range::closed(0.0, 1.0),
        "Probability that a bank reviews its family at a review.",
    ),
    int(
        "adoption.review_window",
        "Review window",
        "",
        Some(4.0),
        1.0,
        1000.0,
        "Quarters of credit losses a review compares.",
    ),
    p(
        "adoption.switch_threshold",
        "Switching threshold",
        "",
        "share of SME book",
        Some(0.0),
        Range::closed(0.0, 1.0),
        "A bank switches when its family's credit-loss rate over the window exceeds the best family's by more than this.",
    ),
    p(
        "adoption.switch_cost",
        "Switching cost",
        "",
        "share of SME book",
        Some(0.0),
        Range::closed(0.0, 1.0),
        "Cost of a switch, taken from the bank's equity.",
    ),
    // banking
    int(
        "banking.max_applications",
        "Applications per firm",
        "k",
        Some(3.0),
        1.0,
        1000.0,
        "Banks a firm applies to at most each time it needs credit.",
    ),
    p(
        "banking.car_min",
        "Minimum capital ratio",
        "car_min",
        "ratio",
        Some(0.08),
        Range::left_open(0.0, 1.0),
        "Minimum capital ratio; lending capacity is what keeps CAR above it.",
    ),
    p(
        "banking.capital_pressure",
        "Capital pressure on lending",
        "psi",
        "threshold per unit of CAR shortfall",
        Some(10.0),
        Range::closed(0.0, 1000.0),
        "Threshold rise per unit of shortfall below car_target (10 = +0.1 per point).",
    ),
    p(
        "banking.rw_sme",
        "Risk weight, SME loans",
        "rw_sme",
        "risk weight",
        Some(0.75),
        Range::left_open(0.0, 10.0),
        "Risk weight of SME loans.",
    ),
    p(
        "banking.rw_bonds",
        "Risk weight, bonds",
        "rw_bond",
        "risk weight",
        Some(0.10),
        Range::closed(0.0, 10.0),
        "Risk weight of bonds.",
    ),
    p(
        "banking.rw_interbank",
        "Risk weight, interbank",
        "rw_ib",
        "risk weight",
        Some(0.20),
        Range::closed(0.0, 10.0),
        "Risk weight of interbank assets.",
    ),
    p(
        "banking.rw_other",
        "Risk weight, other assets",
        "rw_other",
        "risk weight",
        Some(0.50),
        Range::closed(0.0, 10.0),
        "Risk weight of other assets, for banks that do not set their own.",
    ),
    // bank parameters (bank_defaults, banks[], bank_groups[], bank_files[])
    p(
        "bank.spread",
        "Lending spread",
        "spread_i",
        "per year",
        Some(0.02),
        Range::closed(-1.0, 1.0),
        "Net yearly spread earned on the SME book.",
    ),
    p(
        "bank.deposit_beta",
        "Deposit-rate pass-through",
        "deposit_beta_i",
        "share",
        Some(0.3),
        Range::closed(0.0, 2.0),
        "Share of a rate rise passed to the cost of deposits.",
    ),
    p(
        "bank.threshold",
        "Approval threshold",
        "theta0_i",
        "score units",
        Some(-0.5),
        Range::closed(-20.0, 20.0),
        "Approval threshold on the model score before rate and capital adjustments.",
    ),
    p(
        "bank.fine_tuning",
        "Threshold fine-tuning",
        "w_i",
        "share of error variance",
        Some(0.1),
        Range::closed(0.0, 1.0),
        "Weight of the bank's own fine-tuning error in its model error.",
    ),
    p(
        "bank.car_target",
        "Target capital ratio",
        "car_target_i",
        "ratio",
        Some(0.12),
        Range::closed(0.0, 1.0),
        "Capital ratio below which the bank tightens.",
    ),
    p(
        "bank.bond_fv_share",
        "Bonds at fair value",
        "",
        "share of bonds",
        Some(0.4),
        Range::closed(0.0, 1.0),
        "Share of bonds held at fair value (revalued each quarter).",
    ),
    p(
        "bank.duration",
        "Bond duration",
        "D_i",
        "years",
        Some(4.0),
        Range::closed(0.0, 50.0),
        "Duration of the fair-value bonds.",
    ),
    p(
        "bank.rw_other",
        "Risk weight, other assets",
        "rw_other_i",
        "risk weight",
        None,
        Range::closed(0.0, 10.0),
        "Risk weight of the bank's other assets (default: banking.rw_other).",
    ),
    p(
        "banks[].equity",
        "Equity",
        "E_i",
        "money",
        None,
        Range::closed(0.0, MAX_MONEY),
        "Equity (CET1) at the start.",
    ),
    p(
        "banks[].sme_loans",
        "SME loans",
        "L_i",
        "money",
        Some(0.0),
        Range::closed(0.0, MAX_MONEY),
        "SME loan book at the start; sets the bank's market share in its regions.",
    ),
    p(
        "banks[].bonds",
        "Bonds",
        "B_i",
        "money",
        Some(0.0),
        Range::closed(0.0, MAX_MONEY),
        "Bonds.",
    ),
    p(
        "banks[].interbank_assets",
        "Interbank assets",
        "IB_i",
        "money",
        Some(0.0),
        Range::closed(0.0, MAX_MONEY),
        "Interbank assets.",
    ),
    p(
        "banks[].interbank_liabilities",
        "Interbank liabilities",
        "",
        "money",
        Some(0.0),
        Range::closed(0.0, MAX_MONEY),
        "Interbank liabilities.",
    ),
    p(
        "banks[].other_assets",
        "Other assets",
        "O_i",
        "money",
        Some(0.0),
        Range::closed(0.0, MAX_MONEY),
        "Other assets.",
    ),
    p(
        "banks[].regions.*",
        "Weight in region",
        "",
        "weight",
        None,
        Range::closed(0.0, MAX_WEIGHT),
        "Weight of each region served in the bank's SME book (normalised per bank).",
    ),
    int(
        "bank_groups[].count",
        "Banks in group",
        "",
        None,
        1.0,
        100_000.0,
        "Banks in the group.",
    ),
    p(
        "bank_groups[].assets.value",
        "Assets per bank",
        "",
        "money",
        None,
        Range::left_open(0.0, MAX_MONEY),
        "Total assets of every bank (dist = \"fixed\").",
    ),
    p(
        "bank_groups[].assets.median",
        "Median assets",
        "",
        "money",
        None,
        Range::left_open(0.0, MAX_MONEY),
        "Median total assets (dist = \"lognormal\").",
    ),
    p(
        "bank_groups[].assets.sigma",
        "Dispersion of assets",
        "",
        "log points",
        Some(1.0),
        Range::closed(0.0, 10.0),
        "Dispersion of log total assets (dist = \"lognormal\").",
    ),
    p(
        "bank_groups[].assets.min",
        "Smallest assets",
        "",
        "money",
        None,
        Range::left_open(0.0, MAX_MONEY),
        "Smallest total assets (dist = \"pareto\").",
    ),
    p(
        "bank_groups[].assets.alpha",
        "Pareto tail index",
        "",
        "tail index",
        Some(1.5),
        Range::left_open(0.0, 100.0),
        "Pareto tail index (dist = \"pareto\").",
    ),
    p(
        "bank_groups[].equity_ratio",
        "Equity ratio",
        "",
        "share of assets",
        Some(0.08),
        Range::left_open(0.0, 1.0),
        "Equity over total assets.",
    ),
    p(
        "bank_groups[].sme_share",
        "SME loan share",
        "",
        "share of assets",
        Some(0.3),
        Range::closed(0.0, 1.0),
        "SME loans over total assets.",
    ),
    p(
        "bank_groups[].bond_share",
        "Bond share",
        "",
        "share of assets",
        Some(0.2),
        Range::closed(0.0, 1.0),
        "Bonds over total assets.",
    ),
    p(
        "bank_groups[].interbank_share",
        "Interbank asset share",
        "",
        "share of assets",
        Some(0.05),
        Range::closed(0.0, 1.0),
        "Interbank assets over total assets; the rest of the assets are other assets.",
    ),
    p(
        "bank_groups[].interbank_liability_share",
        "Interbank liability share",
        "",
        "share of assets",
        None,
        Range::closed(0.0, 1.0),
        "Interbank liabilities over total assets (default: interbank_share).",
    ),
    int(
        "bank_groups[].regions_each",
        "Regions per bank",
        "",
        None,
        1.0,
        10_000.0,
        "Regions each bank serves, assigned round-robin from the group's list (default: all).",
    ),
    p(
        "bank_files[].sme_share",
        "SME loan share",
        "",
        "share of total exposure",
        Some(0.15),
        Range::closed(0.0, 1.0),
        "For format eba2018: SME loans as a share of the leverage exposure.",
    ),
    // contagion
    int(
        "contagion.max_rounds",
        "Contagion rounds",
        "",
        Some(50.0),
        1.0,
        100_000.0,
        "Largest number of contagion rounds (interbank clearing, then fire sales) in a quarter; reported when hit.",
    ),
    p(
        "contagion.interbank.alpha",
        "Recovery on interbank assets",
        "alpha",
        "share",
        Some(1.0),
        Range::closed(0.0, 1.0),
        "Rogers-Veraart: share of external assets a defaulting bank recovers.",
    ),
    p(
        "contagion.interbank.beta",
        "Recovery on other assets",
        "beta",
        "share",
        Some(1.0),
        Range::closed(0.0, 1.0),
        "Rogers-Veraart: share of interbank assets a defaulting bank recovers.",
    ),
    p(
        "contagion.interbank.lgd",
        "Interbank loss given default",
        "",
        "share",
        Some(1.0),
        Range::closed(0.0, 1.0),
        "Furfine: loss given default on exposures to failed banks.",
    ),
    p(
        "contagion.interbank.network.mean_degree",
        "Mean counterparties",
        "",
        "links per bank",
        Some(3.0),
        Range::closed(0.0, 1e6),
        "Mean number of borrowers per bank (erdos-renyi).",
    ),
    int(
        "contagion.interbank.network.core",
        "Core banks",
        "",
        Some(5.0),
        1.0,
        1e6,
        "Number of core banks, the largest by assets (core-periphery).",
    ),
    p(
        "contagion.interbank.network.p_core_core",
        "Link probability, core-core",
        "",
        "probability",
        Some(1.0),
        Range::closed(0.0, 1.0),
        "Link probability from a core bank to another core bank.",
    ),
    p(
        "contagion.interbank.network.p_core_periphery",
        "Link probability, core-periphery",
        "",
        "probability",
        Some(0.2),
        Range::closed(0.0, 1.0),
        "Link probability from a core to a periphery bank.",
    ),
    p(
        "contagion.interbank.network.p_periphery_core",
        "Link probability, periphery-core",
        "",
        "probability",
        Some(0.5),
        Range::closed(0.0, 1.0),
        "Link probability from a periphery to a core bank.",
    ),
    p(
        "contagion.interbank.network.p_periphery_periphery",
        "Link probability, periphery-periphery",
        "",
        "probability",
        Some(0.0),
        Range::closed(0.0, 1.0),
        "Link probability between periphery banks.",
    ),
    int(
        "contagion.interbank.network.m",
        "Links per new bank",
        "",
        Some(2.0),
        1.0,
        1e6,
        "Links of each new bank in preferential attachment (scale-free).",
    ),
    p(
        "contagion.fire_sales.lev_max",
        "Maximum leverage",
        "lev_max",
        "assets / equity",
        Some(30.0),
        Range::closed(1.0, 1e6),
        "Leverage above which a bank sells marketable assets.",
    ),
    p(
        "contagion.fire_sales.lev_target",
        "Target leverage",
        "lev_target",
        "assets / equity",
        Some(25.0),
        Range::closed(1.0, 1e6),
        "Leverage a selling bank sells back to; at most lev_max.",
    ),
    int(
        "contagion.fire_sales.max_rounds",
        "Fire-sale rounds",
        "",
        Some(100.0),
        1.0,
        1e6,
        "Largest number of selling rounds in one fire-sale cascade; reported when hit.",
    ),
    p(
        "contagion.fire_sales.assets[].depth",
        "Market depth",
        "depth_a",
        "money",
        None,
        Range::left_open(0.0, MAX_MONEY),
        "Market depth: selling this value (at starting prices) lowers the price by a factor e.",
    ),
    p(
        "contagion.fire_sales.assets[].share",
        "Share of assets",
        "",
        "share of bonds",
        None,
        Range::closed(0.0, 1.0),
        "Share of every bank's bonds held in this class; shares sum to at most 1.",
    ),
    // shocks
    int(
        "shocks[].quarter",
        "Shock quarter",
        "",
        None,
        1.0,
        400.0,
        "Quarter the shock happens.",
    ),
    int(
        "shocks[].random",
        "Randomly hit banks",
        "",
        Some(0.0),
        0.0,
        1e6,
        "Banks drawn at random (uniformly, per path) to fail (bank-failure).",
    ),
    p(
        "shocks[].asset_loss",
        "Asset loss",
        "",
        "share of non-interbank assets",
        Some(0.0),
        Range::closed(0.0, 1.0),
        "Loss on top of the failing bank's equity (bank-failure); 0 wipes out exactly its equity.",
    ),
    p(
        "shocks[].size",
        "Shock size",
        "",
        "share (asset-price) or sd (regional)",
        None,
        Range::closed(-20.0, 20.0),
        "Price fall as a share in [0, 1) (asset-price), or shift of the regional factor in standard deviations, negative = bad (regional).",
    ),
    // policy
    p(
        "policy.diversity_cap.cap",
        "Largest family share",
        "cap",
        "share of system assets",
        Some(0.4),
        Range::left_open(0.0, 1.0),
        "No family may serve more than this share of system assets.",
    ),
    p(
        "policy.herding_alarm.threshold",
        "Alarm threshold",
        "threshold",
        "units of the measure",
        Some(1.5),
        Range::closed(-1e6, 1e6),
        "Level of the watched herding measure that raises the alarm.",
    ),
    int(
        "policy.herding_alarm.lag",
        "Response lag",
        "lag",
        Some(1.0),
        1.0,
        400.0,
        "Quarters from the alarm to the start of the response (1 = the next quarter).",
    ),
    p(
        "policy.herding_alarm.facility_budget",
        "Facility budget",
        "budget",
        "money per quarter",
        Some(0.0),
        Range::closed(0.0, MAX_MONEY),
        "Emergency SME facility lending per quarter once the response starts.",
    ),
    p(
        "policy.herding_alarm.facility_error_scale",
        "Facility scoring error",
        "",
        "quality units",
        Some(0.5),
        Range::closed(0.0, 10.0),
        "Error scale of the facility's independent model.",
    ),
    p(
        "policy.herding_alarm.buffer_release",
        "Buffer release",
        "release",
        "percentage points of CAR",
        Some(0.0),
        Range::closed(0.0, 100.0),
        "Capital-buffer release: lowers car_min and every car_target once the response starts.",
    ),
    p(
        "policy.human_review.share",
        "Share reviewed by humans",
        "h",
        "share of rejections",
        Some(0.0),
        Range::closed(0.0, 1.0),
        "Share of model rejections re-scored by an independent human judgement.",
    ),
    p(
        "policy.human_review.error_scale",
        "Human scoring error",
        "",
        "quality units",
        Some(0.7),
        Range::closed(0.0, 10.0),
        "Error scale of the human judgement.",
    ),
];

/// The parameter at `path`, or `None` when the table has no such path: for callers holding a path
/// a user typed.
pub fn find(path: &str) -> Option<&'static Param> {
    PARAMS.iter().find(|p| p.path == path)
}

/// The parameter at `path`, for the engine's own paths (string literals in its code; a test in
/// `sim/tests/code_shape.rs` checks each against [`PARAMS`]).
///
/// # Panics
///
/// In every build, when `path` is not in [`PARAMS`]: that is a bug in the engine, not in a user's
/// file, and answering with another parameter would check a value against the wrong range. Use
/// [`find`] for a path that may come from a user.
pub fn param(path: &str) -> &'static Param {
    match find(path) {
        Some(p) => p,
        None => panic!("unknown scenario parameter {path:?}: not a path in params::PARAMS"),
    }
}

/// The parameter reference as a Markdown table, as it stands in `docs/scenario.md`.
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| parameter | symbol | unit | default | allowed | meaning |\n|---|---|---|---|---|---|\n",
    );
    for p in PARAMS {
        let default = match p.default {
            Some(d) => format!("{d}"),
            None => "required / see meaning".into(),
        };
        let symbol = if p.symbol.is_empty() {
            String::new()
        } else {
            format!("`{}`", p.symbol)
        };
        let allowed = if p.integer {
            format!("{} (whole)", p.range.describe())
        } else {
            p.range.describe()
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            p.path, symbol, p.unit, default, allowed, p.doc
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Front ends show the label, never the key: every parameter has one, in words (no dots,
    /// underscores or brackets), short enough for a form, and no two parameters of one table share
    /// a label.
    #[test]
    fn every_parameter_has_a_human_label() {
        let mut seen: Vec<(&str, &str)> = Vec::new();
        for p in PARAMS {
            let l = p.label;
            assert!(!l.trim().is_empty(), "{}: no label", p.path);
            assert!(
                !l.contains(['.', '_', '[', ']', '*']),
                "{}: label {l:?} looks like a key",
                p.path
            );
            assert!(l.len() <= 40, "{}: label {l:?} is too long", p.path);
            assert!(
                l.starts_with(|c: char| c.is_uppercase()),
                "{}: label {l:?} is not in sentence case",
                p.path
            );
            assert!(!p.help().is_empty() && p.help().len() <= p.doc.len());
            let table = p.path.split(['.', '[']).next().unwrap_or_default();
            assert!(
                !seen.contains(&(table, l)),
                "{}: label {l:?} used twice in {table}",
                p.path
            );
            seen.push((table, l));
        }
    }

    #[test]
    fn paths_are_unique_and_defaults_in_range() {
        for (i, a) in PARAMS.iter().enumerate() {
            for b in &PARAMS[i + 1..] {
                assert_ne!(a.path, b.path);
            }
            if let Some(d) = a.default {
                assert!(
                    a.range.contains(d),
                    "{} default {d} outside {}",
                    a.path,
                    a.range.describe()
                );
            }
        }
    }

    #[test]
    fn find_answers_none_and_param_panics_for_an_unknown_path() {
        assert_eq!(find("bank.rw_other").map(|p| p.path), Some("bank.rw_other"));
        assert!(find("banks[].rw_other").is_none());
        let panic = std::panic::catch_unwind(|| param("banks[].rw_other"))
            .expect_err("an unknown path panics in every build");
        let message = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .unwrap_or_default();
        assert!(message.contains("\"banks[].rw_other\""), "{message}");
    }

    #[test]
    fn range_membership_and_description() {
        let r = Range::left_open(0.0, 1.0);
        assert!(!r.contains(0.0));
        assert!(r.contains(1.0));
        assert!(!r.contains(f64::NAN));
        assert!(!r.contains(f64::INFINITY));
        assert_eq!(r.describe(), "(0, 1]");
        assert_eq!(Range::closed(0.0, f64::INFINITY).describe(), "[0, inf]");
        assert_eq!(Range::closed(0.0, MAX_MONEY).describe(), "[0, 1e15]");
    }

    #[test]
    fn every_money_amount_and_weight_has_a_finite_maximum() {
        // Issue 22: `sme_loans = 1e308` passed validation and gave inf/NaN outputs.
        for p in PARAMS {
            if p.unit.starts_with("money") {
                assert_eq!(p.range.max, MAX_MONEY, "{}", p.path);
            }
            assert!(
                p.range.max.is_finite(),
                "{}: every parameter needs a finite maximum",
                p.path
            );
        }
    }
}
