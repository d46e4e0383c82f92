//! The charts of a run, named by an enum rather than by file stems: each has the stem
//! `herdlab report` gives its files and the name the chart picker shows.

use serde::{Deserialize, Serialize};

use crate::names;

/// One chart of a run's report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Chart {
    /// Fan chart of the credit gap share.
    CreditGap,
    /// Fan chart of the firm default rate.
    FirmDefaults,
    /// Fan chart of the system capital ratio.
    CapitalRatio,
    /// Fan chart of the failed banks.
    FailedBanks,
    /// Fan chart of the credit gap share by region (more than one region).
    CreditGapByRegion,
    /// Fan chart of the effective number of model families (when a mechanism of MODEL.md 4.1
    /// is on: the models move).
    ModelFamilies,
    /// Histogram of bank losses across paths.
    BankLossesHistogram,
    /// Histogram of the credit gap across paths.
    CreditGapHistogram,
    /// Herding against independence baselines.
    Herding,
    /// Losses by channel per quarter.
    LossesByChannel,
    /// Losses by bank.
    LossesByBank,
    /// The interbank network.
    Network,
    /// The interbank network summed by home region (banks based in two or more regions).
    NetworkByRegion,
}

impl Chart {
    /// Every chart, in display order.
    pub const ALL: [Chart; 13] = [
        Chart::CreditGap,
        Chart::FirmDefaults,
        Chart::CapitalRatio,
        Chart::FailedBanks,
        Chart::CreditGapByRegion,
        Chart::ModelFamilies,
        Chart::BankLossesHistogram,
        Chart::CreditGapHistogram,
        Chart::Herding,
        Chart::LossesByChannel,
        Chart::LossesByBank,
        Chart::Network,
        Chart::NetworkByRegion,
    ];

    /// The fan charts of a quarter measure, with the measure.
    pub const FANS: [(Chart, &'static str); 4] = [
        (Chart::CreditGap, names::measure::CREDIT_GAP_SHARE),
        (Chart::FirmDefaults, names::measure::FIRM_DEFAULT_RATE),
        (Chart::CapitalRatio, names::measure::SYSTEM_CAR),
        (Chart::FailedBanks, names::measure::FAILED_BANKS),
    ];

    /// The histograms of a path measure, with the measure.
    pub const HISTOGRAMS: [(Chart, &'static str); 2] = [
        (Chart::BankLossesHistogram, names::measure::BANK_LOSSES),
        (Chart::CreditGapHistogram, names::measure::CREDIT_GAP),
    ];

    /// The file stem `herdlab report` gives the chart (`fan-credit_gap_share`...).
    pub fn stem(self) -> &'static str {
        match self {
            Chart::CreditGap => "fan-credit_gap_share",
            Chart::FirmDefaults => "fan-firm_default_rate",
            Chart::CapitalRatio => "fan-system_car",
            Chart::FailedBanks => "fan-failed_banks",
            Chart::CreditGapByRegion => "fan-regions",
            Chart::ModelFamilies => "fan-effective_families",
            Chart::BankLossesHistogram => "hist-bank_losses",
            Chart::CreditGapHistogram => "hist-credit_gap",
            Chart::Herding => "herding",
            Chart::LossesByChannel => "attribution-quarters",
            Chart::LossesByBank => "attribution-banks",
            Chart::Network => "network",
            Chart::NetworkByRegion => "network-regions",
        }
    }

    /// The name shown in the chart picker.
    pub fn title(self) -> &'static str {
        match self {
            Chart::CreditGap => "Credit gap",
            Chart::FirmDefaults => "Firm defaults",
            Chart::CapitalRatio => "Capital ratio",
            Chart::FailedBanks => "Failed banks",
            Chart::CreditGapByRegion => "Credit gap by region",
            Chart::ModelFamilies => "Model families (effective number)",
            Chart::BankLossesHistogram => "Bank losses (histogram)",
            Chart::CreditGapHistogram => "Credit gap (histogram)",
            Chart::Herding => "Herding",
            Chart::LossesByChannel => "Losses by channel",
            Chart::LossesByBank => "Losses by bank",
            Chart::Network => "Interbank network",
            Chart::NetworkByRegion => "Interbank network by region",
        }
    }
}

impl std::fmt::Display for Chart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.title())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_those_of_the_fan_and_histogram_measures_and_all_differ() {
        for (chart, measure) in Chart::FANS {
            assert_eq!(chart.stem(), format!("fan-{measure}"));
        }
        for (chart, measure) in Chart::HISTOGRAMS {
            assert_eq!(chart.stem(), format!("hist-{measure}"));
        }
        let stems: std::collections::BTreeSet<_> = Chart::ALL.iter().map(|c| c.stem()).collect();
        let titles: std::collections::BTreeSet<_> = Chart::ALL.iter().map(|c| c.title()).collect();
        assert_eq!(stems.len(), Chart::ALL.len());
        assert_eq!(titles.len(), Chart::ALL.len());
    }
}
