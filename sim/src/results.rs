//! What one Monte Carlo path produces (MODEL.md §9): a record per quarter, per-region credit
//! figures, a per-path summary and every bank's outcome.
//!
//! Records are plain structs of `f64` with a table of their measures ([`MeasureInfo`]), so that
//! exporters and aggregates can walk every measure without naming each one.

use serde::{Deserialize, Serialize};

/// Name, human label, unit and meaning of one measure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MeasureInfo {
    /// Column name.
    pub name: &'static str,
    /// Short human name for charts and tables, e.g. `Credit gap share` (not serialized: the
    /// column name is the measure's identity in files).
    #[serde(skip)]
    pub label: &'static str,
    /// Unit (`money` is the scenario's currency unit).
    pub unit: &'static str,
    /// What it is.
    pub doc: &'static str,
}

macro_rules! measures {
    ($(#[$m:meta])* pub struct $name:ident { $( $field:ident : $label:literal, $unit:literal, $doc:literal; )* }) => {
        $(#[$m])*
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        pub struct $name {
            $( #[doc = $doc] #[doc = concat!("Unit: ", $unit, ".")] pub $field: f64, )*
        }

        impl $name {
            /// Every measure of this record, in column order.
            pub const MEASURES: &'static [MeasureInfo] = &[
                $( MeasureInfo { name: stringify!($field), label: $label, unit: $unit, doc: $doc }, )*
            ];

            /// A measure's name, label, unit and meaning by its name.
            pub fn info(name: &str) -> Option<&'static MeasureInfo> {
                Self::MEASURES.iter().find(|m| m.name == name)
            }

            /// The values, in the order of [`Self::MEASURES`].
            pub fn values(&self) -> Vec<f64> {
                vec![$( self.$field ),*]
            }

            /// One value by its measure's name.
            pub fn get(&self, name: &str) -> Option<f64> {
                match name {
                    $( stringify!($field) => Some(self.$field), )*
                    _ => None,
                }
            }
        }
    };
}

measures! {
    /// One quarter of one path.
    pub struct QuarterRecord {
        quarter: "Quarter", "quarter", "Quarter, 1-based.";
        rate: "Policy rate", "percent", "Policy rate r_t.";
        demand: "Credit demand", "money", "Credit asked for by firms that needed credit.";
        creditworthy_demand: "Creditworthy demand", "money", "Credit asked for by creditworthy firms (PD at most pd_cutoff).";
        supply: "Bank credit granted", "money", "Credit granted by banks.";
        facility_lending: "Facility lending", "money", "Credit granted by the emergency SME facility.";
        credit_gap: "Credit gap", "money", "Creditworthy demand left unfunded.";
        credit_gap_share: "Credit gap share", "share", "Credit gap over creditworthy demand (0 when there is none).";
        gap_rejected: "Gap from model rejections", "money", "Part of the gap from firms every bank asked rejected on the model.";
        gap_no_capacity: "Gap from lacking capacity", "money", "Part of the gap from firms approved by a bank without capacity, or with no active lender in their region.";
        applicants: "Applicants", "firms", "Simulated firms that needed credit.";
        rationed: "Rationed firms", "firms", "Simulated firms that needed credit and got none.";
        firm_defaults: "Firm defaults", "firms", "Simulated firms that defaulted.";
        firm_default_rate: "Firm default rate", "share", "Defaults over firms alive at the start of the quarter.";
        rationed_defaults: "Defaults of rationed firms", "firms", "Defaults of rationed firms (real-economy defaults under rationing).";
        rationing_caused_defaults: "Defaults caused by rationing", "firms", "Defaults of rationed firms that would have survived with credit.";
        bank_failures: "Bank failures", "banks", "Banks that failed this quarter.";
        failed_banks: "Failed banks", "banks", "Banks failed so far.";
        failed_bank_share: "Failed bank share", "share", "Banks failed so far over all banks.";
        failed_asset_share: "Failed asset share", "share", "Starting assets of failed banks over system starting assets.";
        system_car: "System capital ratio", "ratio", "Equity over risk-weighted assets of the banks still active.";
        loss_credit: "Credit losses", "money", "Bank credit losses on SME loans.";
        loss_bonds: "Bond losses", "money", "Bond revaluation losses (negative: gains).";
        loss_interbank: "Interbank losses", "money", "Interbank clearing losses (0 while the channel is off).";
        loss_fire_sales: "Fire-sale losses", "money", "Fire-sale mark-to-market losses (0 while the channel is off).";
        loss_shock: "Shock losses", "money", "Losses from scheduled shocks: bank failures and asset-price falls.";
        facility_losses: "Facility losses", "money", "Credit losses of the emergency facility.";
        debtrank: "DebtRank", "share", "Differential DebtRank (Bardoscia 2015) of the quarter's initial losses, excluding the initial distress (0 without an interbank network).";
        debtrank_single_hit: "Single-hit DebtRank", "share", "Single-hit DebtRank (Battiston 2012) of the same losses.";
        contagion_rounds: "Contagion rounds", "rounds", "Contagion rounds (clearing, then fire sales) until nothing changed.";
        contagion_limit_hit: "Contagion round limit hit", "0/1", "1 when contagion.max_rounds stopped the rounds before a fixed point.";
        fire_sale_limit_hit: "Fire-sale round limit hit", "0/1", "1 when a fire-sale cascade hit contagion.fire_sales.max_rounds.";
        asset_price: "Asset price index", "index", "Lowest fire-sale price index over the asset classes at the quarter's end (1 at the start, and while fire sales are off).";
        alarm: "Herding alarm raised", "0/1", "1 once the herding alarm has been raised.";
        response: "Alarm response in force", "0/1", "1 while the alarm's response (facility, buffer release) is in force.";
        decision_agreement: "Decision agreement", "correlation", "Mean pairwise correlation of banks' decisions on the probe firms.";
        decision_agreement_baseline: "Decision agreement if independent", "correlation", "The same with every bank's model error an independent draw.";
        decision_agreement_excess: "Excess decision agreement", "correlation", "Decision agreement minus its independence baseline.";
        systemic_rejection: "Systemic rejection", "share", "Creditworthy applicants rejected by every bank they asked.";
        systemic_rejection_baseline: "Systemic rejection if independent", "share", "Expected systemic rejection if model errors were independent.";
        systemic_rejection_ratio: "Systemic rejection ratio", "ratio", "Systemic rejection over its baseline (1 when both are 0).";
        lsv: "LSV herding", "LSV", "Lakonishok-Shleifer-Vishny herding of approval-rate changes, regions as markets (0 in quarter 1).";
        family_hhi: "Model family concentration (HHI)", "HHI", "Herfindahl index of the model families' shares of the active banks' SME lending at the quarter's end (1: one family lends it all; 0: no lending).";
        effective_families: "Effective model families", "families", "Effective number of model families, 1 / family_hhi (0 when no bank lends).";
        model_switches: "Model switches", "banks", "Banks that switched model family this quarter (MODEL.md 4.1).";
        switching_costs: "Switching costs", "money", "Costs of this quarter's switches, taken from the switching banks' equity (in their income).";
        retrainings: "Retrainings", "families", "Families retrained this quarter (MODEL.md 4.1).";
        incidents_active: "Families under incident", "families", "Families under a shared-model incident this quarter.";
    }
}

measures! {
    /// The scalar results of one path.
    pub struct PathSummary {
        credit_gap: "Total credit gap", "money", "Credit gap summed over quarters.";
        credit_gap_share: "Credit gap share over the horizon", "share", "Credit gap over creditworthy demand, summed over quarters.";
        peak_credit_gap_share: "Peak credit gap share", "share", "Largest quarterly credit gap share.";
        bank_losses: "Bank losses", "money", "Bank losses of all channels (credit, bonds, interbank, fire sales, shocks).";
        loss_credit: "Credit losses", "money", "Credit losses.";
        loss_bonds: "Bond losses", "money", "Bond revaluation losses.";
        loss_interbank: "Interbank losses", "money", "Interbank losses.";
        loss_fire_sales: "Fire-sale losses", "money", "Fire-sale losses.";
        loss_shock: "Shock losses", "money", "Losses from scheduled shocks.";
        facility_losses: "Facility losses", "money", "Emergency facility credit losses.";
        facility_lending: "Facility lending", "money", "Emergency facility lending.";
        firm_defaults: "Firm defaults", "firms", "Simulated firm defaults.";
        firm_default_share: "Firm default share", "share", "Defaults over the starting firms.";
        rationing_caused_defaults: "Defaults caused by rationing", "firms", "Defaults that rationing caused.";
        bank_failures: "Bank failures", "banks", "Banks failed by the end.";
        failed_bank_share: "Failed bank share", "share", "Banks failed by the end over all banks.";
        failed_asset_share: "Failed asset share", "share", "Starting assets of failed banks over system assets.";
        systemic_event: "Systemic event", "0/1", "1 when failed_asset_share exceeds run.systemic_share.";
        min_system_car: "Lowest system capital ratio", "ratio", "Lowest system CAR at a quarter's end.";
        final_system_car: "Final system capital ratio", "ratio", "System CAR at the end.";
        decision_agreement_excess: "Excess decision agreement (mean)", "correlation", "Mean over quarters of the excess decision agreement.";
        systemic_rejection_ratio: "Systemic rejection ratio (mean)", "ratio", "Mean over quarters of the systemic rejection ratio.";
        lsv: "LSV herding (mean)", "LSV", "Mean over quarters 2..T of the LSV measure.";
        alarm_quarter: "Alarm quarter", "quarter", "Quarter the herding alarm was raised (0: never).";
        max_debtrank: "Largest DebtRank", "share", "Largest quarterly DebtRank.";
        final_effective_families: "Final effective model families", "families", "Effective number of model families at the end.";
        min_effective_families: "Fewest effective model families", "families", "Fewest effective model families at a quarter's end.";
        model_switches: "Model switches", "banks", "Switches of model family over the path.";
        retrainings: "Retrainings", "families", "Retrainings over the path (a family retrained twice counts twice).";
    }
}

/// One model family in one quarter (MODEL.md 4.1): its share of lending and its state.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FamilyQuarter {
    /// Share of the active banks' SME lending held by its adopters at the quarter's end.
    pub share: f64,
    /// Active banks using it at the quarter's end.
    pub adopters: f64,
    /// Its error scale `sigma_mt` this quarter (quality units).
    pub error_scale: f64,
    /// Its regime-shift bias `bias_mt` this quarter (quality units).
    pub bias: f64,
    /// Its learned threshold offset `offset_m` (threshold points).
    pub offset: f64,
    /// The rate it was last trained at, `r_train_m` (percent).
    pub r_train: f64,
    /// 1 while a shared-model incident hits it.
    pub incident: f64,
}

/// Credit figures of one region in one quarter.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RegionQuarter {
    /// Creditworthy demand, money.
    pub creditworthy_demand: f64,
    /// Credit gap, money.
    pub credit_gap: f64,
    /// Credit granted by banks, money.
    pub supply: f64,
}

/// One bank's fate on one path. Equity lost is attributed to exactly one channel:
/// `final_equity = starting equity + income - (loss_credit + loss_bonds + loss_interbank +
/// loss_fire_sales + loss_shock)`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BankOutcome {
    /// Quarter of failure, if it failed.
    pub failed_quarter: Option<u32>,
    /// Equity at the end.
    pub final_equity: f64,
    /// Net interest income over the path.
    pub income: f64,
    /// Credit losses.
    pub loss_credit: f64,
    /// Bond losses.
    pub loss_bonds: f64,
    /// Interbank losses.
    pub loss_interbank: f64,
    /// Fire-sale losses.
    pub loss_fire_sales: f64,
    /// Losses from scheduled shocks.
    pub loss_shock: f64,
}

/// One bank in one quarter: its equity at the quarter's end and the quarter's income and losses
/// by channel (kept when `run.bank_detail` is on).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BankQuarter {
    /// Equity at the end of the quarter.
    pub equity: f64,
    /// Income.
    pub income: f64,
    /// Credit losses.
    pub loss_credit: f64,
    /// Bond losses.
    pub loss_bonds: f64,
    /// Interbank losses.
    pub loss_interbank: f64,
    /// Fire-sale losses.
    pub loss_fire_sales: f64,
    /// Shock losses.
    pub loss_shock: f64,
    /// Its SME book (the balance of the simulated firms' loans it holds) at the quarter's end.
    #[serde(default)]
    pub loans: f64,
    /// New SME loans it funded in the quarter.
    #[serde(default)]
    pub new_lending: f64,
    /// Applications it decided in the quarter (every firm that asked it, in any position of the
    /// firm's order).
    #[serde(default)]
    pub applications: u64,
    /// Applications it approved (its model, then human review); `applications - approvals` were
    /// rejected. An approval without capacity left funds nothing.
    #[serde(default)]
    pub approvals: u64,
}

/// Everything one path produced.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PathResult {
    /// Path index.
    pub path: u64,
    /// One record per quarter.
    pub quarters: Vec<QuarterRecord>,
    /// Per region and quarter: `regions[t * R + r]` for quarter `t + 1` and region `r`.
    pub regions: Vec<RegionQuarter>,
    /// Scalars.
    pub summary: PathSummary,
    /// Per bank, in scenario order.
    pub banks: Vec<BankOutcome>,
    /// Per quarter and bank, `bank_quarters[t * N + i]` for quarter `t + 1` and bank `i`; empty
    /// unless `run.bank_detail` is on.
    pub bank_quarters: Vec<BankQuarter>,
    /// Per quarter and model family, `families[t * M + m]` for quarter `t + 1` and family `m`.
    #[serde(default)]
    pub families: Vec<FamilyQuarter>,
}

impl PathResult {
    /// Region `r`'s figures in quarter `t` (1-based), given `n_regions`.
    pub fn region(&self, t: u32, r: usize, n_regions: usize) -> Option<&RegionQuarter> {
        self.regions
            .get((t as usize).checked_sub(1)? * n_regions + r)
    }

    /// Region `r`'s credit gap summed over quarters.
    pub fn region_gap_total(&self, r: usize, n_regions: usize) -> f64 {
        crate::model::total(
            self.regions
                .iter()
                .skip(r)
                .step_by(n_regions.max(1))
                .map(|x| x.credit_gap),
        )
    }
}
