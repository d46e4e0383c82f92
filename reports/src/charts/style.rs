//! The look of every chart ([`Theme`]), the output size and resolution ([`Output`]), units on
//! axes ([`UnitAxis`]) and colour scales.

use plotters::style::RGBColor;

use super::error::{Error, Result};

/// The Okabe–Ito palette (Okabe & Ito 2008), distinguishable under the common colour-vision
/// deficiencies, in the order series use it: blue, vermillion, bluish green, orange, reddish
/// purple, sky blue, yellow, black.
pub const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(230, 159, 0),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(240, 228, 66),
    RGBColor(0, 0, 0),
];

/// Which files to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Formats {
    /// Write `<stem>.svg`.
    pub svg: bool,
    /// Write `<stem>.png`.
    pub png: bool,
}

impl Formats {
    /// Both SVG and PNG.
    pub const BOTH: Formats = Formats {
        svg: true,
        png: true,
    };
}

impl Default for Formats {
    fn default() -> Self {
        Formats::BOTH
    }
}

/// Size, resolution and formats of the files a chart writes.
///
/// The PNG is `width_px` × `height_px` pixels and records `dpi` in its `pHYs` chunk; the SVG has
/// the same pixel geometry (`viewBox`) and a physical size of `width_px / dpi` inches. Fonts and
/// line widths are given in points by the [`Theme`] and scaled by `dpi`, so a chart looks the
/// same at any resolution for the same physical size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Output {
    /// Width in pixels (64 to 20,000). Default 1500.
    pub width_px: u32,
    /// Height in pixels (64 to 20,000). Default 1000.
    pub height_px: u32,
    /// Dots per inch (36 to 1200). Default 250 (a 6 × 4 inch figure).
    pub dpi: f64,
    /// Files to write. Default both.
    pub formats: Formats,
}

impl Default for Output {
    fn default() -> Self {
        Output {
            width_px: 1500,
            height_px: 1000,
            dpi: 250.0,
            formats: Formats::BOTH,
        }
    }
}

impl Output {
    /// An output of `width_in` × `height_in` inches at `dpi`.
    pub fn inches(width_in: f64, height_in: f64, dpi: f64) -> Output {
        Output {
            width_px: (width_in * dpi).round().max(0.0) as u32,
            height_px: (height_in * dpi).round().max(0.0) as u32,
            dpi,
            formats: Formats::BOTH,
        }
    }

    /// Checks the ranges documented on the fields.
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [("width_px", self.width_px), ("height_px", self.height_px)] {
            if !(64..=20_000).contains(&v) {
                return Err(Error::Output(format!("{name} = {v} is outside 64..=20000")));
            }
        }
        if !(self.dpi.is_finite() && (36.0..=1200.0).contains(&self.dpi)) {
            return Err(Error::Output(format!(
                "dpi = {} is outside 36..=1200",
                self.dpi
            )));
        }
        if !self.formats.svg && !self.formats.png {
            return Err(Error::Output(
                "no format selected (svg and png both off)".into(),
            ));
        }
        Ok(())
    }
}

/// Fonts, sizes, colours and spacing shared by every chart. Sizes are in points (1/72 inch).
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    /// Series colours, used in order (default [`OKABE_ITO`]).
    pub palette: Vec<RGBColor>,
    /// Title size. Default 11 pt.
    pub title_pt: f64,
    /// Subtitle and note size. Default 8 pt.
    pub subtitle_pt: f64,
    /// Axis label size. Default 9 pt.
    pub axis_label_pt: f64,
    /// Tick label size. Default 8 pt.
    pub tick_pt: f64,
    /// Legend text size. Default 8 pt.
    pub legend_pt: f64,
    /// Width of data lines. Default 1.25 pt.
    pub line_pt: f64,
    /// Outer margin. Default 8 pt.
    pub margin_pt: f64,
    /// Text and axis colour. Default near-black.
    pub ink: RGBColor,
    /// Secondary text colour (subtitles, notes). Default dark grey.
    pub muted: RGBColor,
    /// Grid line colour. Default light grey.
    pub grid: RGBColor,
    /// Figure background. Default white.
    pub background: RGBColor,
    /// Title and axis labels set for the figure, over the chart's own.
    pub text: FigureText,
}

/// Title and axis labels of a figure, set by the user (a paper's own wording) over the ones a
/// chart builds from the measure's name and unit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FigureText {
    /// The title: `None` the chart's own, `Some("")` no title (a paper's caption says it).
    pub title: Option<String>,
    /// The x axis label (`None`: the chart's own).
    pub x_label: Option<String>,
    /// The y axis label (`None`: the chart's own).
    pub y_label: Option<String>,
}

/// Matplotlib's `tab10` palette, the second colour-blind-friendlier choice of
/// [`Theme::with_palette`].
pub const TAB10: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

impl Default for Theme {
    fn default() -> Self {
        Theme::journal()
    }
}

impl Theme {
    /// The journal theme: sizes suited to a single-column figure of about 6 inches.
    pub fn journal() -> Theme {
        Theme {
            palette: OKABE_ITO.to_vec(),
            title_pt: 11.0,
            subtitle_pt: 8.0,
            axis_label_pt: 9.0,
            tick_pt: 8.0,
            legend_pt: 8.0,
            line_pt: 1.25,
            margin_pt: 8.0,
            ink: RGBColor(26, 26, 26),
            muted: RGBColor(90, 90, 90),
            grid: RGBColor(225, 225, 225),
            background: RGBColor(255, 255, 255),
            text: FigureText::default(),
        }
    }

    /// The journal theme on a dark background (slides, dark-mode pages): light ink, dark grid,
    /// and the palette's black replaced by white.
    pub fn dark() -> Theme {
        Theme::journal().into_dark()
    }

    /// This theme on a dark background.
    pub fn into_dark(mut self) -> Theme {
        self.ink = RGBColor(235, 235, 235);
        self.muted = RGBColor(170, 170, 170);
        self.grid = RGBColor(70, 70, 70);
        self.background = RGBColor(24, 24, 24);
        for c in &mut self.palette {
            *c = if luminance(*c) < 0.15 {
                RGBColor(240, 240, 240)
            } else {
                // A quarter of the way to white: the palette's hues, visible on the dark ground.
                let up = |v: u8| v + ((255 - v) as f64 * 0.25).round() as u8;
                RGBColor(up(c.0), up(c.1), up(c.2))
            };
        }
        self
    }

    /// Whether the background is dark.
    pub fn is_dark(&self) -> bool {
        luminance(self.background) < 0.5
    }

    /// Every text size multiplied by `factor` (1.2: a fifth larger), e.g. for a figure shown
    /// small in a two-column paper.
    pub fn with_font_scale(mut self, factor: f64) -> Theme {
        for pt in [
            &mut self.title_pt,
            &mut self.subtitle_pt,
            &mut self.axis_label_pt,
            &mut self.tick_pt,
            &mut self.legend_pt,
        ] {
            *pt *= factor;
        }
        self
    }

    /// The theme with a named palette: `okabe-ito` (the default) or `tab10`; `None` for another
    /// name.
    pub fn with_palette(mut self, name: &str) -> Option<Theme> {
        let dark = self.is_dark();
        self.palette = match name.to_ascii_lowercase().as_str() {
            "okabe-ito" | "okabe_ito" | "okabeito" => OKABE_ITO.to_vec(),
            "tab10" => TAB10.to_vec(),
            _ => return None,
        };
        Some(if dark { self.into_dark() } else { self })
    }

    /// Series colour `i`: the palette's colours in order, then further colours spread evenly
    /// around the hue circle (alternating lightness), so that no two series of one chart share a
    /// colour however many there are (black when the palette is empty and `i` is 0).
    pub fn color(&self, i: usize) -> RGBColor {
        if let Some(c) = self.palette.get(i) {
            return *c;
        }
        let k = i - self.palette.len();
        // Golden-angle hues never repeat; lightness alternates so neighbours differ in two ways.
        let hue = (k as f64 * 137.507_764 + 20.0) % 360.0;
        let light = if self.is_dark() {
            [0.62, 0.74, 0.52][k % 3]
        } else {
            [0.42, 0.55, 0.32][k % 3]
        };
        let c = hsl(hue, 0.65, light);
        // A generated colour equal to one before it (rounding) is nudged.
        if self.palette.contains(&c) {
            RGBColor(c.0.wrapping_add(1), c.1, c.2)
        } else {
            c
        }
    }
}

/// A colour from hue (degrees), saturation and lightness in `[0, 1]`.
fn hsl(h: f64, s: f64, l: f64) -> RGBColor {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = (h % 360.0) / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let to = |v: f64| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    RGBColor(to(r), to(g), to(b))
}

/// Labels shared by the builders: the scenario's name for titles and the money unit for axes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Labels {
    /// Scenario name, put in titles (empty: left out).
    pub scenario: String,
    /// Label of the money unit, e.g. `EUR million` (None: "currency units").
    pub currency: Option<String>,
}

impl Labels {
    /// Name and currency of a scenario.
    pub fn from_scenario(s: &sim::scenario::Scenario) -> Labels {
        Labels {
            scenario: s.name.clone(),
            currency: (!s.currency.trim().is_empty()).then(|| s.currency.clone()),
        }
    }

    /// `text — scenario`, or `text` when the scenario has no name.
    pub(super) fn title(&self, text: &str) -> String {
        if self.scenario.is_empty() {
            text.to_string()
        } else {
            format!("{text} — {}", self.scenario)
        }
    }
}

/// How a measure's unit is shown on an axis: values are multiplied by `scale` and the axis says
/// `label`.
#[derive(Clone, Debug, PartialEq)]
pub struct UnitAxis {
    /// Factor from the measure's unit to the plotted numbers (100 for shares shown as percent).
    pub scale: f64,
    /// Unit text for the axis, e.g. `%` or `EUR million`.
    pub label: String,
}

impl UnitAxis {
    /// The axis unit for an engine unit (`share`, `money`, `ratio`, ...; see
    /// `sim::results::MeasureInfo::unit`). Shares are shown as percent; money as the currency
    /// label, or "currency units" without one.
    pub fn for_unit(unit: &str, currency: Option<&str>) -> UnitAxis {
        let (scale, label) = match unit {
            "share" => (100.0, "%".to_string()),
            "money" => (
                1.0,
                currency.map_or_else(|| "currency units".to_string(), str::to_string),
            ),
            "percent" => (1.0, "%".to_string()),
            "index" => (1.0, "index, start = 1".to_string()),
            "LSV" => (1.0, "LSV".to_string()),
            "0/1" => (1.0, "0/1".to_string()),
            other => (1.0, other.to_string()),
        };
        UnitAxis { scale, label }
    }

    /// `name (unit)`.
    pub(super) fn axis_label(&self, name: &str) -> String {
        format!("{name} ({})", self.label)
    }
}

/// The human label of a measure from `table` (e.g. `QuarterRecord::MEASURES`), with a region
/// written after a comma: `credit_gap_share[east]` → `Credit gap share, east`; names not in the
/// table are made readable by [`pretty_measure`].
pub(super) fn measure_label(name: &str, table: &[sim::results::MeasureInfo]) -> String {
    let (base, region) = match name.split_once('[') {
        Some((b, r)) => (b, Some(r.trim_end_matches(']'))),
        None => (name, None),
    };
    match (table.iter().find(|m| m.name == base), region) {
        (Some(m), Some(r)) => format!("{}, {r}", m.label),
        (Some(m), None) => m.label.to_string(),
        (None, _) => pretty_measure(name),
    }
}

/// A readable name for an engine measure: `credit_gap_share` → `Credit gap share`,
/// `credit_gap_share[east]` → `Credit gap share, east`, `system_car` → `System CAR`.
pub(super) fn pretty_measure(name: &str) -> String {
    let (base, region) = match name.split_once('[') {
        Some((b, r)) => (b, Some(r.trim_end_matches(']'))),
        None => (name, None),
    };
    let words: Vec<String> = base
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| match w {
            "car" => "CAR".to_string(),
            "lsv" => "LSV".to_string(),
            "var" => "VaR".to_string(),
            "debtrank" => "DebtRank".to_string(),
            other => other.to_string(),
        })
        .collect();
    let mut text = words.join(" ");
    if let Some(first) = text.get(0..1) {
        let upper = first.to_uppercase();
        text.replace_range(0..1, &upper);
    }
    match region {
        Some(r) => format!("{text}, {r}"),
        None => text,
    }
}

/// Viridis (van der Walt & Smith), perceptually uniform and colour-blind safe, at `t` in
/// `[0, 1]` (clamped; NaN gives the low end).
pub fn viridis(t: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 9] = [
        (68.0, 1.0, 84.0),
        (71.0, 44.0, 122.0),
        (59.0, 81.0, 139.0),
        (44.0, 113.0, 142.0),
        (33.0, 144.0, 141.0),
        (39.0, 173.0, 129.0),
        (92.0, 200.0, 99.0),
        (170.0, 220.0, 50.0),
        (253.0, 231.0, 37.0),
    ];
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let x = t * (STOPS.len() - 1) as f64;
    let i = (x.floor() as usize).min(STOPS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: f64, q: f64| (p + (q - p) * f).round().clamp(0.0, 255.0) as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Perceived luminance in `[0, 1]`, to choose black or white text on a fill.
pub(super) fn luminance(c: RGBColor) -> f64 {
    (0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64) / 255.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_names() {
        assert_eq!(pretty_measure("credit_gap_share"), "Credit gap share");
        assert_eq!(pretty_measure("credit_gap[east]"), "Credit gap, east");
        assert_eq!(pretty_measure("system_car"), "System CAR");
    }

    #[test]
    fn units() {
        assert_eq!(UnitAxis::for_unit("share", None).scale, 100.0);
        assert_eq!(UnitAxis::for_unit("money", None).label, "currency units");
        assert_eq!(
            UnitAxis::for_unit("money", Some("EUR million")).label,
            "EUR million"
        );
    }

    #[test]
    fn palette_never_repeats() {
        for theme in [Theme::journal(), Theme::dark()] {
            let colours: Vec<RGBColor> = (0..64).map(|i| theme.color(i)).collect();
            for (i, a) in colours.iter().enumerate() {
                assert!(
                    !colours[i + 1..].contains(a),
                    "colour {i} {a:?} repeats in {colours:?}"
                );
            }
        }
        assert_eq!(Theme::journal().color(0), OKABE_ITO[0]);
        assert_eq!(
            Theme::journal().with_palette("tab10").map(|t| t.color(1)),
            Some(TAB10[1])
        );
        assert!(Theme::journal().with_palette("rainbow").is_none());
    }

    #[test]
    fn viridis_ends() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(f64::NAN), RGBColor(68, 1, 84));
    }

    #[test]
    fn output_ranges() {
        assert!(Output::default().validate().is_ok());
        let bad = Output {
            width_px: 10,
            ..Output::default()
        };
        assert!(bad.validate().is_err());
        assert_eq!(Output::inches(6.0, 4.0, 300.0).width_px, 1800);
    }
}
