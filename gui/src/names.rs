//! Scenario parameters and measures the app names in its code, as checked constants: a name that
//! is not in the engine's parameter registry or measure tables fails the tests below instead of
//! silently falling back to another entry.

/// Scenario parameters (paths in the file, as in `sim::scenario::params::PARAMS`).
pub mod param {
    /// Monte Carlo paths.
    pub const RUN_PATHS: &str = "run.paths";
    /// Seed.
    pub const RUN_SEED: &str = "run.seed";
    /// Model similarity.
    pub const MODELS_SIMILARITY: &str = "models.similarity";

    /// Every constant of this module.
    pub const ALL: [&str; 3] = [RUN_PATHS, RUN_SEED, MODELS_SIMILARITY];
}

/// Measures of paths and quarters (`PathSummary::MEASURES`, `QuarterRecord::MEASURES`).
pub mod measure {
    /// Credit gap as a share of demand (quarter).
    pub const CREDIT_GAP_SHARE: &str = "credit_gap_share";
    /// Firm default rate (quarter).
    pub const FIRM_DEFAULT_RATE: &str = "firm_default_rate";
    /// System capital ratio (quarter).
    pub const SYSTEM_CAR: &str = "system_car";
    /// Failed banks (quarter).
    pub const FAILED_BANKS: &str = "failed_banks";
    /// Bank losses (path).
    pub const BANK_LOSSES: &str = "bank_losses";
    /// Credit gap (path).
    pub const CREDIT_GAP: &str = "credit_gap";
    /// Effective number of model families (quarter; MODEL.md 4.1).
    pub const EFFECTIVE_FAMILIES: &str = "effective_families";

    /// Every constant of this module.
    pub const ALL: [&str; 7] = [
        CREDIT_GAP_SHARE,
        FIRM_DEFAULT_RATE,
        SYSTEM_CAR,
        FAILED_BANKS,
        BANK_LOSSES,
        CREDIT_GAP,
        EFFECTIVE_FAMILIES,
    ];
}

/// The registry entry of a parameter the app names, or `None`: never another entry.
pub fn param(path: &str) -> Option<&'static sim::scenario::params::Param> {
    sim::scenario::params::find(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim::results::{PathSummary, QuarterRecord};

    #[test]
    fn every_named_parameter_is_in_the_registry() {
        for p in param::ALL {
            assert!(param(p).is_some(), "{p} is not a scenario parameter");
        }
        assert!(param("run.no_such_thing").is_none());
    }

    #[test]
    fn every_named_measure_is_a_path_or_quarter_measure() {
        let known = |m: &str| {
            PathSummary::MEASURES.iter().any(|x| x.name == m)
                || QuarterRecord::MEASURES.iter().any(|x| x.name == m)
        };
        for m in measure::ALL {
            assert!(known(m), "{m} is not a measure");
        }
        for h in reports::output::HEADLINE {
            assert!(known(h), "headline {h} is not a measure");
        }
    }
}
