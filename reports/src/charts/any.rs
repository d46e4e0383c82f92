//! [`AnyChart`]: any chart input, so that a list of figures (a report's) can be drawn, written and
//! checked in one place.

use std::path::{Path, PathBuf};

use super::error::Result;
use super::geometry::Geometry;
use super::render::{geometry_of, render};
use super::style::{Output, Theme};
use super::{
    AttributionChart, ComparisonChart, FanChart, HerdingChart, HistogramChart, NetworkChart,
    PairedFanChart, RegionNetworkChart, SweepGrid, SweepLines,
};

/// Any chart input.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum AnyChart {
    /// A fan chart.
    Fan(FanChart),
    /// A histogram.
    Histogram(HistogramChart),
    /// Herding against its baselines.
    Herding(HerdingChart),
    /// Loss attribution.
    Attribution(AttributionChart),
    /// Paired differences of two scenarios.
    Comparison(ComparisonChart),
    /// Two scenarios' fans overlaid per panel, with their paired difference.
    PairedFan(PairedFanChart),
    /// A sweep over two parameters.
    SweepGrid(SweepGrid),
    /// A sweep over one parameter.
    SweepLines(SweepLines),
    /// The interbank network.
    Network(NetworkChart),
    /// The interbank network by home region.
    NetworkByRegion(RegionNetworkChart),
}

macro_rules! each {
    ($self:expr, $c:ident => $body:expr) => {
        match $self {
            AnyChart::Fan($c) => $body,
            AnyChart::Histogram($c) => $body,
            AnyChart::Herding($c) => $body,
            AnyChart::Attribution($c) => $body,
            AnyChart::Comparison($c) => $body,
            AnyChart::PairedFan($c) => $body,
            AnyChart::SweepGrid($c) => $body,
            AnyChart::SweepLines($c) => $body,
            AnyChart::Network($c) => $body,
            AnyChart::NetworkByRegion($c) => $body,
        }
    };
}

impl AnyChart {
    /// Writes the chart into `dir` as `<stem>.svg`/`.png` and its CSV; returns the paths
    /// written (as the chart's own function does).
    pub fn render(
        &self,
        dir: &Path,
        stem: &str,
        output: &Output,
        theme: &Theme,
    ) -> Result<Vec<PathBuf>> {
        each!(self, c => render(c, dir, stem, output, theme))
    }

    /// The chart's geometry as drawn for `output`, without writing a file.
    pub fn geometry(&self, output: &Output, theme: &Theme) -> Result<Geometry> {
        each!(self, c => geometry_of(c, output, theme))
    }
}

macro_rules! from {
    ($($v:ident($t:ty)),*) => {
        $(impl From<$t> for AnyChart {
            fn from(c: $t) -> Self {
                AnyChart::$v(c)
            }
        })*
    };
}

from!(
    Fan(FanChart),
    Histogram(HistogramChart),
    Herding(HerdingChart),
    Attribution(AttributionChart),
    Comparison(ComparisonChart),
    PairedFan(PairedFanChart),
    SweepGrid(SweepGrid),
    SweepLines(SweepLines),
    Network(NetworkChart),
    NetworkByRegion(RegionNetworkChart)
);
