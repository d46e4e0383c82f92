//! Publication-quality charts of herdlab results, as SVG and PNG, each with the plotted data
//! beside it as CSV.
//!
//! Every chart is a function that takes a plain input struct (documented field by field, so the
//! CLI, the desktop app and tests can all build one) and writes `<stem>.svg` and/or `<stem>.png`
//! and `<stem>.csv` into a directory, returning the paths written:
//!
//! | chart | input | builders from engine results |
//! | --- | --- | --- |
//! | [`fan_chart`] | [`FanChart`] | [`fan_from_aggregates`], [`region_gap_fan`] |
//! | [`histogram_chart`] | [`HistogramChart`] | [`histogram_from_paths`] |
//! | [`herding_chart`] | [`HerdingChart`] | [`herding_from_aggregates`] |
//! | [`attribution_chart`] | [`AttributionChart`] | [`attribution_from_aggregates`], [`attribution_from_paths`] |
//! | [`comparison_chart`] | [`ComparisonChart`] | [`comparison_from`] |
//! | [`sweep_heatmap`] | [`SweepGrid`] | — |
//! | [`sweep_line`] | [`SweepLines`] | — |
//! | [`network_chart`] | [`NetworkChart`] | [`network_from`], [`network_from_edges`] |
//! | [`region_network_chart`] | [`RegionNetworkChart`] | [`network_by_region`] |
//! | [`paired_fan_chart`] | [`PairedFanChart`] | [`paired_region_fan`] |
//!
//! [`AnyChart`] holds any of them, and every chart's [`Geometry`] (its tick-label boxes, series
//! colours and panels with their data counts) can be had without writing a file, so a test can
//! check a layout: no overlapping tick labels, no colour used twice, no empty panel. Charts with
//! many panels lay them out as a grid that grows (the figure gets taller than asked).
//!
//! The look is the same everywhere ([`Theme`]): DejaVu Sans embedded in the binary (no system
//! fonts are needed), the Okabe–Ito colour-blind-safe palette for series and viridis for colour
//! scales, font sizes in points scaled by the output's DPI ([`Output`]), legends in their own strip
//! above the plot so they never cover data, and axis labels that carry units.
//!
//! Output is deterministic: the same input gives the same bytes (no timestamps, no hash-map
//! iteration, PNG encoded with fixed settings). Files are written to a temporary name and renamed.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let (scenario, aggregates): (sim::scenario::Scenario, sim::aggregate::Aggregates) = todo!();
//! // In the `reports` crate this path is `reports::charts`.
//! use reports::charts::{self, Labels, Output, Theme};
//! let labels = Labels::from_scenario(&scenario);
//! let fan = charts::fan_from_aggregates(&aggregates, "credit_gap_share", &labels)?;
//! let written = charts::fan_chart(&fan, "out".as_ref(), "credit-gap", &Output::default(), &Theme::default())?;
//! # Ok(()) }
//! ```

mod any;
mod attribution;
mod comparison;
mod error;
mod fan;
mod figure;
mod geometry;
mod herding;
mod histogram;
mod layout;
mod network;
mod network_matrix;
mod network_regions;
mod paired;
mod render;
mod style;
mod sweep;

pub use any::AnyChart;
pub use attribution::{
    AttributionChart, attribution_chart, attribution_from_aggregates, attribution_from_paths,
};
pub use comparison::{ComparisonChart, ComparisonRow, comparison_chart, comparison_from};
pub use error::{Error, Result};
pub use fan::{FanChart, FanPoint, FanSeries, fan_chart, fan_from_aggregates, region_gap_fan};
pub use figure::FigureStyle;
pub use geometry::{Geometry, PanelData, SeriesColour, TextBox};
pub use herding::{HerdingChart, HerdingPanel, herding_chart, herding_from_aggregates};
pub use histogram::{HistogramChart, Marker, histogram_chart, histogram_from_paths};
pub use network::{
    NetworkChart, NetworkEdge, NetworkNode, failure_probabilities, network_chart, network_from,
    network_from_edges,
};
pub use network_regions::{
    MULTI_REGION, RegionGroups, RegionNetworkChart, exposures_by_region, home_region,
    network_by_region, region_network_chart,
};
pub use paired::{
    DifferencePoint, PairedFanChart, PairedPanel, paired_fan_chart, paired_region_fan,
};
pub use render::{FONT_FAMILY, font_files, register_fonts};
pub use style::{FigureText, Formats, Labels, OKABE_ITO, Output, TAB10, Theme, UnitAxis, viridis};
pub use sweep::{SweepGrid, SweepLines, SweepSeries, sweep_heatmap, sweep_line};
