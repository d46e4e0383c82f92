//! `herdlab report`: the charts of a result folder and a single self-contained `report.html`.
//!
//! A folder written by `run` (or `merge`) gets fan charts, histograms with VaR and expected
//! shortfall, herding against its independence baselines, loss attribution, and the interbank
//! network when the scenario has one; a `compare` folder gets the paired differences of every
//! scenario against the reference plus each scenario's own report; a `sweep` folder gets heatmaps
//! (two parameters) or line charts (one parameter) of the headline measures. Charts go to
//! `charts/` in the folder (SVG, PNG and the CSV behind each), built under a temporary name and
//! renamed into place; `report.html` embeds the SVGs and the charts' font (DejaVu Sans, as
//! base64 `@font-face`), so it opens offline and looks the same everywhere, and is written
//! atomically too.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sim::aggregate::{Aggregates, Comparison};
use sim::results::PathResult;
use sim::scenario::Scenario;

use crate::charts::{self, Formats, Labels, Output, Theme};
use crate::error::{Error, Result};
use crate::output::{self, Manifest};

/// What `report` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Charts as SVG and PNG (with their CSV) and `report.html`.
    Html,
    /// Charts as SVG (with their CSV) only.
    Svg,
    /// Charts as PNG (with their CSV) only.
    Png,
}

/// A run's result folder read back: the scenario rebuilt from the manifest, the paths from
/// `paths.jsonl`, and the aggregates recomputed from them (the same numbers as `summary.json`).
#[derive(Debug)]
pub struct LoadedResult {
    /// The folder.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// The scenario.
    pub scenario: Scenario,
    /// The paths, in path order.
    pub paths: Vec<PathResult>,
    /// Their aggregates.
    pub aggregates: Aggregates,
}

/// Reads a run's (or a merged run's) result folder, once it is checked against its manifest
/// ([`output::verify_folder`]: a damaged folder is refused, naming what is missing or altered).
pub fn load_result(dir: &Path) -> Result<LoadedResult> {
    let manifest = output::read_manifest(&dir.join("manifest.json"))?;
    output::verify_folder(dir, &manifest)?;
    let scenario = manifest.input.rebuild()?;
    let paths = output::read_paths(&dir.join("paths.jsonl"))?;
    let aggregates = sim::aggregate::aggregate(&scenario, &paths);
    Ok(LoadedResult {
        dir: dir.to_path_buf(),
        manifest,
        scenario,
        paths,
        aggregates,
    })
}

/// The kind of result folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Run,
    Compare,
    Sweep,
}

fn kind(dir: &Path) -> Result<Kind> {
    if dir.join("manifest.json").is_file() {
        Ok(Kind::Run)
    } else if dir.join("comparison.json").is_file() {
        Ok(Kind::Compare)
    } else if dir.join("sweep.json").is_file() {
        Ok(Kind::Sweep)
    } else {
        Err(Error::format(
            dir,
            "not a herdlab result folder (it has no manifest.json, comparison.json or sweep.json)",
        ))
    }
}

/// One chart written: its stem, caption, and files.
#[derive(Clone, Debug)]
struct Figure {
    stem: String,
    caption: String,
}

/// One chart of a report, before it is written: the file stem, the caption under it in
/// report.html, and the chart.
#[derive(Clone, Debug)]
pub struct ReportFigure {
    /// File stem in `charts/`, e.g. `fan-regions`.
    pub stem: String,
    /// One sentence saying what the chart shows.
    pub caption: String,
    /// The chart.
    pub chart: charts::AnyChart,
}

impl ReportFigure {
    fn new(
        stem: impl Into<String>,
        caption: impl Into<String>,
        chart: impl Into<charts::AnyChart>,
    ) -> Self {
        ReportFigure {
            stem: stem.into(),
            caption: caption.into(),
            chart: chart.into(),
        }
    }
}

/// The figures of a report and the charts left out because they would be empty (one sentence
/// each, for the report's text).
#[derive(Clone, Debug, Default)]
pub struct Figures {
    /// The charts to draw, in report order.
    pub figures: Vec<ReportFigure>,
    /// Charts left out, and why.
    pub left_out: Vec<String>,
}

/// Writes the report of the result folder `dir`; returns the files written (charts folder and,
/// for [`Format::Html`], `report.html`). The charts take the style of the scenario's `[charts]`
/// table where it sets one ([`scenario_style`]), over `size` and the default theme.
pub fn report(dir: &Path, format: Format, size: &Output) -> Result<Vec<PathBuf>> {
    let mut style = scenario_style(dir)?;
    if style == charts::FigureStyle::default() {
        return report_with(dir, format, size, &Theme::default());
    }
    style.width.get_or_insert(size.width_px as f64 / size.dpi);
    style.height.get_or_insert(size.height_px as f64 / size.dpi);
    style.dpi.get_or_insert(size.dpi);
    let (out, theme) = style.resolve().map_err(chart_err)?;
    report_with(dir, format, &out, &theme)
}

/// The figure style of the scenario behind a result folder: its `[charts]` table (inherited
/// through `base` like any table), or the default when it has none. A comparison takes its
/// reference scenario's, a sweep its first cell's.
pub fn scenario_style(dir: &Path) -> Result<charts::FigureStyle> {
    let manifest_path = match kind(dir)? {
        Kind::Run => dir.join("manifest.json"),
        Kind::Compare => dir.join(compare_folders(dir)?.0).join("manifest.json"),
        Kind::Sweep => match read_sweep(dir)?.cells.first() {
            Some(c) => dir.join(&c.0).join("manifest.json"),
            None => return Ok(charts::FigureStyle::default()),
        },
    };
    input_style(&output::read_manifest(&manifest_path)?.input)
}

/// The figure style of a scenario as run: its `[charts]` table checked (errors name the file,
/// the key, the value and what is allowed), or the default when it has none.
pub fn input_style(input: &crate::input::ScenarioInput) -> Result<charts::FigureStyle> {
    let table: toml::Table =
        toml::from_str(&input.toml).map_err(|e| Error::format(&input.file, e))?;
    match table.get("charts") {
        Some(toml::Value::Table(t)) => {
            charts::FigureStyle::from_scenario_table(t, &input.file).map_err(chart_err)
        }
        _ => Ok(charts::FigureStyle::default()),
    }
}

/// [`report`] with the charts drawn in `theme` (fonts, palette, light or dark, a figure's own
/// title and axis labels).
pub fn report_with(
    dir: &Path,
    format: Format,
    size: &Output,
    theme: &Theme,
) -> Result<Vec<PathBuf>> {
    let mut out = *size;
    out.formats = match format {
        Format::Html => Formats::BOTH,
        Format::Svg => Formats {
            svg: true,
            png: false,
        },
        Format::Png => Formats {
            svg: false,
            png: true,
        },
    };
    out.validate().map_err(|e| Error::Usage(e.to_string()))?;
    match kind(dir)? {
        Kind::Run => {
            let r = load_result(dir)?;
            run_report(&r, format, &out, theme)
        }
        Kind::Compare => compare_report(dir, format, &out, theme),
        Kind::Sweep => sweep_report(dir, format, &out, theme),
    }
}

/// Builds `dir/charts` under a temporary name with `draw`, then renames it into place.
fn with_chart_dir<T>(dir: &Path, draw: impl FnOnce(&Path) -> Result<T>) -> Result<T> {
    let tmp = dir.join(format!(".charts.partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| Error::io(&tmp, "cannot create", e))?;
    let result = draw(&tmp);
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
        return result;
    }
    let target = dir.join("charts");
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(|e| Error::io(&target, "cannot replace", e))?;
    }
    std::fs::rename(&tmp, &target).map_err(|e| Error::io(&target, "cannot create", e))?;
    result
}

fn chart_err(e: charts::Error) -> Error {
    Error::format("charts", e)
}

/// The charts of one run's report (what `herdlab report` draws for a run folder), leaving out
/// charts that would be empty: fans of a single quarter, histograms of one value repeated,
/// herding without firms, attribution without losses. `dir` names the result in error messages.
pub fn run_figures(
    scenario: &Scenario,
    paths: &[PathResult],
    agg: &Aggregates,
    dir: &Path,
) -> Result<Figures> {
    let labels = Labels::from_scenario(scenario);
    let mut out = Figures::default();
    let firms = scenario.firms.count > 0;
    let mut fans: Vec<(&str, String)> = Vec::new();
    if firms {
        fans.push((
            "credit_gap_share",
            "Credit gap: creditworthy demand left unfunded, as a share of creditworthy demand, per quarter (median, 50% and 90% bands across paths).".into(),
        ));
        fans.push((
            "firm_default_rate",
            "Firm default rate per quarter: defaults over firms alive at the quarter's start (median, 50% and 90% bands across paths).".into(),
        ));
    }
    fans.push((
        "system_car",
        "System capital ratio of the banks still active: equity over risk-weighted assets (median, 50% and 90% bands across paths).".into(),
    ));
    fans.push((
        "failed_banks",
        "Banks failed so far, per quarter (median, 50% and 90% bands across paths).".into(),
    ));
    if sim::scenario::moving::any_on(&scenario.models) {
        fans.push((
            "effective_families",
            "The models move (MODEL.md 4.1): effective number of model families serving SME lending (1 / HHI of the families' shares), per quarter; it falls as adoption concentrates on one vendor.".into(),
        ));
    }
    for (measure, caption) in fans {
        let chart = charts::fan_from_aggregates(agg, measure, &labels).map_err(chart_err)?;
        if chart.has_data() {
            out.figures
                .push(ReportFigure::new(format!("fan-{measure}"), caption, chart));
        } else {
            out.left_out.push(format!(
                "{}: the run has fewer than two quarters (or no paths), so there is no fan to draw.",
                chart.series.first().map_or(measure, |s| s.name.as_str())
            ));
        }
    }
    if firms && scenario.regions.len() > 1 {
        let chart = charts::region_gap_fan(agg, &labels).map_err(chart_err)?;
        if chart.has_data() {
            out.figures.push(ReportFigure::new(
                "fan-regions",
                format!(
                    "Credit gap share in each of the {} regions and in all together, per quarter (median, 50% and 90% bands across paths), on one scale.",
                    scenario.regions.len()
                ),
                chart,
            ));
        }
    }
    let mut hists: Vec<(&str, &str)> = vec![(
        "bank_losses",
        "Bank losses per path, all channels, with value at risk and expected shortfall at 95% and 99%.",
    )];
    if firms {
        hists.push((
            "credit_gap",
            "Credit gap per path, summed over quarters, with value at risk and expected shortfall at 95% and 99%.",
        ));
    }
    for (measure, caption) in hists {
        let chart = charts::histogram_from_paths(paths, measure, &labels).map_err(chart_err)?;
        if chart.has_spread() {
            out.figures
                .push(ReportFigure::new(format!("hist-{measure}"), caption, chart));
        } else {
            let label = sim::results::PathSummary::info(measure).map_or(measure, |m| m.label);
            out.left_out.push(match chart.values.first() {
                Some(v) => format!(
                    "{label}: {} on every path, so there is no distribution to draw.",
                    fmt(*v)
                ),
                None => format!("{label}: no paths."),
            });
        }
    }
    if firms {
        let chart = charts::herding_from_aggregates(agg, &labels).map_err(chart_err)?;
        if chart.panels.iter().any(|p| p.measure.len() >= 2) {
            out.figures.push(ReportFigure::new(
                "herding",
                "Herding: decision agreement and systemic rejection against what the same banks would show with independent model errors; LSV herding of approval-rate changes.",
                chart,
            ));
        }
    } else {
        out.left_out.push(
            "Herding measures: the scenario has no simulated firms, so there are no credit decisions to measure."
                .into(),
        );
    }
    let chart = charts::attribution_from_aggregates(agg, &labels).map_err(chart_err)?;
    if attribution_has_data(&chart) {
        out.figures.push(ReportFigure::new(
            "attribution-quarters",
            "Losses by channel per quarter (mean across paths); dots mark the net total.",
            chart,
        ));
        let chart =
            charts::attribution_from_paths(scenario, paths, &labels, 12).map_err(chart_err)?;
        if attribution_has_data(&chart) {
            out.figures.push(ReportFigure::new(
                "attribution-banks",
                "Losses by channel per bank (mean across paths; the largest banks, the rest summed); dots mark the net total.",
                chart,
            ));
        }
    } else {
        out.left_out
            .push("Loss attribution: no bank lost anything on any path.".into());
    }
    if let Some((chart, caption)) = network_of(scenario, agg, &labels, dir)? {
        let groups = charts::RegionGroups::of(scenario);
        let by_region = (groups.len() > 1)
            .then(|| {
                charts::network_by_region(
                    scenario,
                    &chart,
                    &charts::failure_probabilities(agg),
                    &labels,
                )
            })
            .transpose()
            .map_err(chart_err)?;
        out.figures
            .push(ReportFigure::new("network", caption, chart));
        match by_region {
            Some(r) if r.has_data() => out.figures.push(ReportFigure::new(
                "network-regions",
                "Interbank exposures by region: what the banks based in one region lent to those based in another (a bank's home region is the one of its largest share of lending), with the share of each region's banks and assets that failed (mean across paths).",
                r,
            )),
            Some(_) => out.left_out.push(
                "Interbank exposures by region: no bank lends to another, so there is nothing to sum by region.".into(),
            ),
            None => out.left_out.push(format!(
                "Interbank exposures by region: every bank is based in one region ({}), so there is nothing to sum by region.",
                groups.names.first().map_or("none", String::as_str)
            )),
        }
    }
    Ok(out)
}

/// Whether an attribution chart has a non-zero bar.
fn attribution_has_data(chart: &charts::AttributionChart) -> bool {
    !chart.categories.is_empty() && chart.values.iter().flatten().any(|v| *v != 0.0)
}

/// Draws `figures` into `dir`.
fn draw_figures(
    figures: &[ReportFigure],
    dir: &Path,
    out: &Output,
    theme: &Theme,
) -> Result<Vec<Figure>> {
    figures
        .iter()
        .map(|f| {
            f.chart
                .render(dir, &f.stem, out, theme)
                .map_err(chart_err)?;
            Ok(Figure {
                stem: f.stem.clone(),
                caption: f.caption.clone(),
            })
        })
        .collect()
}

/// The interbank network chart of a run and its caption, or `None` when the scenario has no
/// interbank network; `dir` names the result in error messages. A network drawn afresh on every
/// path has no single picture, so path 0's is shown.
pub fn network_of(
    scenario: &Scenario,
    agg: &Aggregates,
    labels: &Labels,
    dir: &Path,
) -> Result<Option<(charts::NetworkChart, &'static str)>> {
    let Some(ib) = &scenario.contagion.interbank else {
        return Ok(None);
    };
    // A network drawn afresh on every path has no single picture: path 0's is shown.
    let model = sim::model::Model::new(scenario)?;
    let Some(x) = model
        .network_of_path(0)
        .map_err(|e| Error::format(dir, e))?
    else {
        return Ok(None);
    };
    let chart = charts::network_from(scenario, &x, &charts::failure_probabilities(agg), labels)
        .map_err(chart_err)?;
    let caption = if ib.resample_per_path {
        "The interbank network of path 0 (the network is drawn afresh on every path): banks sized by assets, coloured by failure probability across paths, links by exposure."
    } else {
        "The interbank network: banks sized by assets, coloured by failure probability across paths, links by exposure."
    };
    Ok(Some((chart, caption)))
}

fn run_report(
    r: &LoadedResult,
    format: Format,
    out: &Output,
    theme: &Theme,
) -> Result<Vec<PathBuf>> {
    let all = run_figures(&r.scenario, &r.paths, &r.aggregates, &r.dir)?;
    let figures = with_chart_dir(&r.dir, |d| draw_figures(&all.figures, d, out, theme))?;
    let mut written = vec![r.dir.join("charts")];
    if format == Format::Html {
        let html = run_html(r, &figures, &all.left_out)?;
        written.push(write_atomic(&r.dir.join("report.html"), &html)?);
    }
    Ok(written)
}

/// Writes `text` to `path` through a temporary file renamed into place.
fn write_atomic(path: &Path, text: &str) -> Result<PathBuf> {
    let tmp = path.with_extension(format!("html.partial-{}", std::process::id()));
    std::fs::write(&tmp, text).map_err(|e| Error::io(&tmp, "cannot write", e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, "cannot write", e))?;
    Ok(path.to_path_buf())
}

/// HTML-escapes text.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A number for a table: integers plainly, others with 4 significant digits; thousands
/// separated by commas from 10,000 on.
fn fmt(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let s = if x == x.trunc() && x.abs() < 1e15 {
        format!("{x:.0}")
    } else {
        let digits = 4 - (x.abs().log10().floor() as i32) - 1;
        if digits > 0 {
            format!("{x:.*}", digits.min(8) as usize)
        } else {
            format!("{x:.0}")
        }
    };
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s.as_str()),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    if int.len() <= 4 {
        return s;
    }
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

const STYLE: &str = "body{font-family:'DejaVu Sans',Verdana,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ccc;padding-bottom:.2em}\
.sub{color:#555}table{border-collapse:collapse;margin:1em 0;font-size:.92em}th,td{padding:.3em .7em;border-bottom:1px solid #ddd;text-align:right}\
th:first-child,td:first-child{text-align:left}td:nth-child(2){white-space:nowrap}thead th{border-bottom:2px solid #888}\
figure{margin:1.5em 0}figure svg{width:100%;height:auto}figcaption{color:#444;font-size:.92em}\
pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:.85em}.files a{margin-right:1em;font-size:.85em}\
nav.toc{background:#f6f6f6;padding:.6em 1em;margin:1em 0;font-size:.92em}nav.toc ol{margin:.2em 0}\
details.zero{color:#555;font-size:.92em;margin:-.5em 0 1em}\
@media print{figure{page-break-inside:avoid}nav.toc{display:none}}";

/// `@font-face` rules embedding the charts' font, so the inline SVGs render offline in the font
/// their text was measured with.
fn font_faces() -> String {
    use base64::Engine as _;
    let mut css = String::new();
    for (weight, bytes) in charts::font_files() {
        let _ = write!(
            css,
            "@font-face{{font-family:'DejaVu Sans';font-weight:{weight};src:url(data:font/ttf;base64,{}) format('truetype')}}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        );
    }
    css
}

/// The document around a body.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><style>{}{STYLE}</style></head><body>\n{body}</body></html>\n",
        esc(title),
        font_faces()
    )
}

/// The figure with its SVG inline (when written) and links to its files.
fn figure_html(chart_dir: &Path, rel: &str, f: &Figure, number: usize) -> Result<String> {
    let svg_path = chart_dir.join(format!("{}.svg", f.stem));
    let mut s = format!("<figure id=\"fig-{}\">", esc(&f.stem));
    if svg_path.is_file() {
        let svg = std::fs::read_to_string(&svg_path)
            .map_err(|e| Error::io(&svg_path, "cannot read", e))?;
        let svg = match svg.find("<svg") {
            Some(i) => &svg[i..],
            None => svg.as_str(),
        };
        s.push_str(svg);
    }
    let _ = write!(
        s,
        "<figcaption><b>Figure {number}.</b> {} <span class=\"files\">",
        esc(&f.caption)
    );
    for ext in ["svg", "png", "csv"] {
        if chart_dir.join(format!("{}.{ext}", f.stem)).is_file() {
            let _ = write!(s, "<a href=\"{rel}/{}.{ext}\">{ext}</a>", f.stem);
        }
    }
    s.push_str("</span></figcaption></figure>\n");
    Ok(s)
}

/// A table of contents: the sections, with the figures listed under `charts`.
fn toc(sections: &[(&str, String)], figures: &[Figure]) -> String {
    let mut s = String::from("<nav class=\"toc\"><b>Contents</b><ol>\n");
    for (id, title) in sections {
        let _ = write!(s, "<li><a href=\"#{id}\">{}</a>", esc(title));
        if *id == "charts" && !figures.is_empty() {
            s.push_str("<ol>");
            for (i, f) in figures.iter().enumerate() {
                let short = f
                    .caption
                    .split([':', ';', '(', ','])
                    .next()
                    .unwrap_or(&f.caption);
                let short = short.split(". ").next().unwrap_or(short).trim();
                let _ = write!(
                    s,
                    "<li><a href=\"#fig-{}\">Figure {}: {}</a></li>",
                    esc(&f.stem),
                    i + 1,
                    esc(short.trim_end_matches('.'))
                );
            }
            s.push_str("</ol>");
        }
        s.push_str("</li>\n");
    }
    s.push_str("</ol></nav>\n");
    s
}

/// The charts left out because they would be empty, as a short list.
fn left_out_html(left_out: &[String]) -> String {
    if left_out.is_empty() {
        return String::new();
    }
    let mut s =
        String::from("<p class=\"sub\">Not drawn, as they would be empty:</p><ul class=\"sub\">\n");
    for l in left_out {
        let _ = writeln!(s, "<li>{}</li>", esc(l));
    }
    s.push_str("</ul>\n");
    s
}

/// The headline-measure table of one run.
fn summary_table(agg: &Aggregates, currency: Option<&str>) -> String {
    if agg.paths == 0 {
        return "<p>No paths, so no statistic: this result holds none of the run's paths (an \
                empty shard; merge it with the other shards).</p>\n"
            .into();
    }
    let mut s = String::from(
        "<table><thead><tr><th>measure</th><th>unit</th><th>mean</th><th>95% interval</th><th>5%</th><th>median</th><th>95%</th><th>VaR 99%</th><th>ES 99%</th></tr></thead><tbody>\n",
    );
    let mut zero = Vec::new();
    for m in &agg.path_measures {
        let (lo, hi) = output::mean_interval(&m.summary);
        let q = |p: f64| {
            m.summary
                .quantiles
                .iter()
                .find(|x| (x.0 - p).abs() < 1e-12)
                .map_or(f64::NAN, |x| x.1)
        };
        let tail = m.tail.iter().find(|t| (t.level - 0.99).abs() < 1e-12);
        let (label, unit) = human(&m.name, &m.unit, currency);
        if m.summary.mean == 0.0
            && m.summary.quantiles.iter().all(|x| x.1 == 0.0)
            && tail.is_none_or(|t| t.var == 0.0 && t.es == 0.0)
        {
            zero.push(label);
            continue;
        }
        let k = unit.scale;
        let _ = writeln!(
            s,
            "<tr><td title=\"{}\">{}</td><td>{}</td><td>{}</td><td>[{}, {}]</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&m.name),
            esc(&label),
            esc(&unit.label),
            fmt(m.summary.mean * k),
            fmt(lo * k),
            fmt(hi * k),
            fmt(q(0.05) * k),
            fmt(q(0.5) * k),
            fmt(q(0.95) * k),
            tail.map_or("".into(), |t| fmt(t.var * k)),
            tail.map_or("".into(), |t| fmt(t.es * k)),
        );
    }
    s.push_str("</tbody></table>\n");
    s.push_str(&zero_rows(&zero, "path"));
    s
}

/// A `<details>` listing measures that are zero on every path (empty when there are none).
fn zero_rows(names: &[String], on: &str) -> String {
    if names.is_empty() {
        return String::new();
    }
    let what = if names.len() == 1 {
        "1 measure is".to_string()
    } else {
        format!("{} measures are", names.len())
    };
    format!(
        "<details class=\"zero\"><summary>{what} zero on every {on}</summary><p>{}</p></details>\n",
        names.iter().map(|n| esc(n)).collect::<Vec<_>>().join(", ")
    )
}

/// A path measure's human label and the unit its values are shown in (shares as %, money in the
/// scenario's currency); regional measures (`credit_gap[east]`) take their base measure's.
fn human(name: &str, unit: &str, currency: Option<&str>) -> (String, charts::UnitAxis) {
    let (base, region) = match name.split_once('[') {
        Some((b, r)) => (b, Some(r.trim_end_matches(']'))),
        None => (name, None),
    };
    let label = sim::results::PathSummary::info(base)
        .map_or_else(|| base.replace('_', " "), |m| m.label.to_string());
    let label = match region {
        Some(r) => format!("{label}, {r}"),
        None => label,
    };
    (label, charts::UnitAxis::for_unit(unit, currency))
}

fn run_html(r: &LoadedResult, figures: &[Figure], left_out: &[String]) -> Result<String> {
    let s = &r.scenario;
    let agg = &r.aggregates;
    let m = &r.manifest;
    let mut b = String::new();
    let _ = writeln!(b, "<h1>{}</h1>", esc(&s.name));
    let _ = writeln!(
        b,
        "<p class=\"sub\">{}<br>{} paths, seed {}, {} quarters, {} banks, {} simulated firms; money in {}. Made by herdlab {} ({} to {}).</p>",
        esc(&s.description),
        agg.paths,
        m.seed,
        s.run.quarters,
        s.banks.len(),
        s.firms.count,
        esc(&s.currency),
        esc(&m.version),
        esc(&m.started),
        esc(&m.finished)
    );
    let mut sections = vec![("summary", "Summary".to_string())];
    sections.push(("charts", "Charts".to_string()));
    sections.push(("failures", "Bank failures".to_string()));
    if !s.policy.reassignments.is_empty() {
        sections.push(("diversity", "Diversity cap".to_string()));
    }
    sections.push(("scenario", "Scenario".to_string()));
    sections.push(("manifest", "Manifest".to_string()));
    b.push_str(&toc(&sections, figures));
    let e = &agg.systemic_event;
    let _ = writeln!(
        b,
        "<p>Probability of a systemic event (failed banks holding more than {:.0}% of system assets): <b>{}</b> (95% interval {} to {}, {} of {} paths).</p>",
        s.run.systemic_share * 100.0,
        fmt(e.estimate),
        fmt(e.low),
        fmt(e.high),
        e.successes,
        e.n
    );
    b.push_str("<h2 id=\"summary\">Summary</h2>\n");
    let currency = (!s.currency.trim().is_empty()).then_some(s.currency.as_str());
    b.push_str(&summary_table(agg, currency));
    b.push_str("<h2 id=\"charts\">Charts</h2>\n");
    let chart_dir = r.dir.join("charts");
    for (i, f) in figures.iter().enumerate() {
        b.push_str(&figure_html(&chart_dir, "charts", f, i + 1)?);
    }
    b.push_str(&left_out_html(left_out));
    let mut fails: Vec<&sim::aggregate::BankFailure> = agg
        .bank_failures
        .iter()
        .filter(|f| f.failure.successes > 0)
        .collect();
    fails.sort_by(|a, b| {
        b.failure
            .estimate
            .total_cmp(&a.failure.estimate)
            .then(a.bank.cmp(&b.bank))
    });
    b.push_str("<h2 id=\"failures\">Bank failures</h2>\n");
    if fails.is_empty() {
        b.push_str("<p>No bank failed on any path.</p>\n");
    } else {
        b.push_str("<table><thead><tr><th>bank</th><th>failure probability</th><th>95% interval</th><th>paths</th></tr></thead><tbody>\n");
        for f in fails.iter().take(30) {
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td>{}</td><td>[{}, {}]</td><td>{}</td></tr>",
                esc(&f.bank),
                fmt(f.failure.estimate),
                fmt(f.failure.low),
                fmt(f.failure.high),
                f.failure.successes
            );
        }
        b.push_str("</tbody></table>\n");
        if fails.len() > 30 {
            let _ = writeln!(
                b,
                "<p>… and {} more banks that failed on some path.</p>",
                fails.len() - 30
            );
        }
    }
    if !s.policy.reassignments.is_empty() {
        b.push_str("<h2 id=\"diversity\">Diversity cap</h2>\n<p>Banks moved to another model family before the run:</p><ul>\n");
        for mv in &s.policy.reassignments {
            let _ = writeln!(
                b,
                "<li>{}: {} → {}</li>",
                esc(&mv.bank),
                esc(&mv.from),
                esc(&mv.to)
            );
        }
        b.push_str("</ul>\n");
    }
    b.push_str(
        "<h2 id=\"scenario\">Scenario</h2>\n<p>As run (all files merged, overrides applied):</p>\n",
    );
    let _ = writeln!(b, "<pre>{}</pre>", esc(&m.input.toml));
    b.push_str("<h2 id=\"manifest\">Manifest</h2>\n");
    let manifest = serde_json::to_string_pretty(&m)
        .map_err(|e| Error::format(r.dir.join("manifest.json"), e))?;
    let _ = writeln!(
        b,
        "<details><summary>manifest.json</summary><pre>{}</pre></details>",
        esc(&manifest)
    );
    Ok(page(&format!("herdlab report: {}", s.name), &b))
}

/// Subfolders of a compare folder, reference first, read from `comparison.json`.
fn compare_folders(dir: &Path) -> Result<(String, Vec<String>)> {
    let path = dir.join("comparison.json");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, "cannot read", e))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| Error::format(&path, e))?;
    let reference = v["reference_folder"]
        .as_str()
        .ok_or_else(|| Error::format(&path, "no reference_folder"))?
        .to_string();
    let others = v["comparisons"]
        .as_array()
        .ok_or_else(|| Error::format(&path, "no comparisons"))?
        .iter()
        .filter_map(|c| c["folder"].as_str().map(String::from))
        .collect();
    Ok((reference, others))
}

/// The charts of a comparison of `other` against the reference `a` (stems end in `-{name}`):
/// the paired differences of the headline, herding and regional measures, and — when both
/// scenarios have firms and more than one quarter — the paper figure, both scenarios' credit-gap
/// fans overlaid per region over their paired difference.
pub fn compare_figures(
    (a_scenario, a_paths): (&Scenario, &[PathResult]),
    (b_scenario, b_paths): (&Scenario, &[PathResult]),
    comparison: &Comparison,
    name: &str,
) -> Result<Vec<ReportFigure>> {
    let la = Labels::from_scenario(a_scenario);
    let lb = Labels::from_scenario(b_scenario);
    let mut figs = Vec::new();
    let chart = charts::comparison_from(comparison, &[], &la, &lb).map_err(chart_err)?;
    figs.push(ReportFigure::new(
        format!("comparison-{name}"),
        format!(
            "{} against {}: mean paired differences on common random numbers, with 95% confidence intervals as error bars; measures zero in both are left out.",
            b_scenario.name, a_scenario.name
        ),
        chart,
    ));
    if a_scenario.firms.count > 0 && b_scenario.firms.count > 0 {
        let chart = charts::paired_region_fan(a_scenario, a_paths, b_scenario, b_paths, &la, &lb)
            .map_err(chart_err)?;
        if chart.has_data() {
            figs.push(ReportFigure::new(
                format!("paired-regions-{name}"),
                format!(
                    "Credit gap share per region, {} against {}: both fan charts overlaid (median and 90% band), and below each the paired difference per quarter with its 95% confidence interval.",
                    b_scenario.name, a_scenario.name
                ),
                chart,
            ));
        }
    }
    Ok(figs)
}

fn compare_report(dir: &Path, format: Format, out: &Output, theme: &Theme) -> Result<Vec<PathBuf>> {
    let (reference, others) = compare_folders(dir)?;
    let a = load_result(&dir.join(&reference))?;
    let mut written = run_report(&a, format, out, theme)?;
    let mut loaded = Vec::new();
    for name in &others {
        let r = load_result(&dir.join(name))?;
        written.extend(run_report(&r, format, out, theme)?);
        let c = sim::aggregate::compare(&a.scenario, &a.paths, &r.scenario, &r.paths)?;
        let figs = compare_figures((&a.scenario, &a.paths), (&r.scenario, &r.paths), &c, name)?;
        loaded.push((name.clone(), r, c, figs));
    }
    let figures = with_chart_dir(dir, |d| {
        let mut drawn = Vec::new();
        for (_, _, _, figs) in &loaded {
            drawn.push(draw_figures(figs, d, out, theme)?);
        }
        Ok(drawn)
    })?;
    written.push(dir.join("charts"));
    if format == Format::Html {
        let mut b = String::new();
        let _ = writeln!(b, "<h1>Comparison against {}</h1>", esc(&a.scenario.name));
        let _ = writeln!(
            b,
            "<p class=\"sub\">{} paths each, seed {}, common random numbers: every difference is paired path by path.</p>",
            a.aggregates.paths, a.manifest.seed
        );
        let sections: Vec<(String, String)> = loaded
            .iter()
            .map(|(name, r, _, _)| {
                (
                    format!("vs-{name}"),
                    format!("{} − {}", r.scenario.name, a.scenario.name),
                )
            })
            .collect();
        b.push_str("<nav class=\"toc\"><b>Contents</b><ol>\n");
        for (id, title) in &sections {
            let _ = writeln!(b, "<li><a href=\"#{}\">{}</a></li>", esc(id), esc(title));
        }
        b.push_str("</ol></nav>\n");
        let chart_dir = dir.join("charts");
        let currency =
            (!a.scenario.currency.trim().is_empty()).then_some(a.scenario.currency.as_str());
        let mut number = 0;
        for ((name, r, c, _), figs) in loaded.iter().zip(&figures) {
            let _ = writeln!(
                b,
                "<h2 id=\"vs-{}\">{} − {}</h2>",
                esc(name),
                esc(&r.scenario.name),
                esc(&a.scenario.name)
            );
            let _ = writeln!(b, "<p class=\"sub\">{}</p>", esc(&r.scenario.description));
            b.push_str(&difference_table(c, currency));
            for f in figs {
                number += 1;
                b.push_str(&figure_html(&chart_dir, "charts", f, number)?);
            }
            let _ = writeln!(
                b,
                "<p>Full reports: <a href=\"{}/report.html\">{}</a>, <a href=\"{}/report.html\">{}</a>.</p>",
                esc(&reference),
                esc(&a.scenario.name),
                esc(name),
                esc(&r.scenario.name)
            );
        }
        written.push(write_atomic(
            &dir.join("report.html"),
            &page("herdlab comparison", &b),
        )?);
    }
    Ok(written)
}

fn difference_table(c: &Comparison, currency: Option<&str>) -> String {
    let mut s = String::from(
        "<table><thead><tr><th>measure</th><th>unit</th><th>reference</th><th>scenario</th><th>difference</th><th>95% interval</th><th>correlation</th></tr></thead><tbody>\n",
    );
    let mut zero = Vec::new();
    for m in c.measures.iter().chain(&c.region_gap) {
        let d = &m.difference;
        let (label, unit) = human(&m.name, &m.unit, currency);
        if d.mean_a == 0.0 && d.mean_b == 0.0 && d.mean == 0.0 {
            zero.push(label);
            continue;
        }
        let k = unit.scale;
        let diff_unit = if m.unit == "share" {
            "% / pp".to_string()
        } else {
            unit.label.clone()
        };
        let _ = writeln!(
            s,
            "<tr><td title=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>[{}, {}]</td><td>{}</td></tr>",
            esc(&m.name),
            esc(&label),
            esc(&diff_unit),
            fmt(d.mean_a * k),
            fmt(d.mean_b * k),
            fmt(d.mean * k),
            fmt(d.low * k),
            fmt(d.high * k),
            fmt(d.correlation)
        );
    }
    s.push_str("</tbody></table>\n");
    s.push_str(&zero_rows(&zero, "path of both scenarios"));
    s
}

/// A headline measure of a sweep cell: measure, mean, low, high.
type Headline = (String, f64, f64, f64);

/// A sweep cell: folder, parameter values, headline measures.
type Cell = (String, Vec<f64>, Vec<Headline>);

/// A sweep folder's `sweep.json`, as far as the report needs it.
struct SweepData {
    scenario: String,
    params: Vec<(String, Vec<f64>)>,
    /// Per cell: folder, parameter values, and (measure, mean, low, high).
    cells: Vec<Cell>,
}

fn read_sweep(dir: &Path) -> Result<SweepData> {
    let path = dir.join("sweep.json");
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, "cannot read", e))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| Error::format(&path, e))?;
    let bad = |what: &str| Error::format(&path, format!("missing or malformed {what}"));
    let nums = |x: &serde_json::Value| -> Option<Vec<f64>> {
        x.as_array()?.iter().map(|y| y.as_f64()).collect()
    };
    let params = v["parameters"]
        .as_array()
        .ok_or_else(|| bad("parameters"))?
        .iter()
        .map(|p| Some((p["path"].as_str()?.to_string(), nums(&p["values"])?)))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| bad("parameters"))?;
    let cells = v["cells"]
        .as_array()
        .ok_or_else(|| bad("cells"))?
        .iter()
        .map(|c| {
            let headline = c["headline"]
                .as_array()?
                .iter()
                .map(|h| {
                    Some((
                        h["measure"].as_str()?.to_string(),
                        h["mean"].as_f64()?,
                        h["low"].as_f64()?,
                        h["high"].as_f64()?,
                    ))
                })
                .collect::<Option<Vec<_>>>()?;
            Some((
                c["folder"].as_str()?.to_string(),
                nums(&c["values"])?,
                headline,
            ))
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| bad("cells"))?;
    Ok(SweepData {
        scenario: v["scenario"].as_str().unwrap_or("").to_string(),
        params,
        cells,
    })
}

/// A per-path measure's human name with the unit it is shown in (see [`human`]), and the factor
/// from its values to the shown numbers: `credit_gap_share` → (`Credit gap share over the
/// horizon (%)`, 100).
fn measure_label(name: &str, currency: Option<&str>) -> (String, f64) {
    let unit = sim::results::PathSummary::info(name)
        .map(|m| m.unit)
        .or_else(|| (name == "systemic_event").then_some("share"))
        .unwrap_or("");
    let (label, axis) = human(name, unit, currency);
    if axis.label.is_empty() {
        (label, axis.scale)
    } else {
        (format!("{label} ({})", axis.label), axis.scale)
    }
}

/// A swept parameter's name for a chart: the first clause of its documentation and its unit
/// (`rates.shock.size` → `Size of a step or ramp shock (percentage points)`,
/// `models.similarity` → `Model similarity (share of error variance)`); the path itself only
/// when the engine does not know it.
fn param_label(path: &str) -> String {
    let plain: String = {
        let mut out = String::new();
        let mut depth = 0;
        for c in path.chars() {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                c if depth == 0 => out.push(c),
                _ => {}
            }
        }
        out
    };
    let Some(p) = sim::scenario::params::find(&plain) else {
        return path.to_string();
    };
    let first = p.doc.split(". ").next().unwrap_or(p.doc);
    let first = first.split(" (").next().unwrap_or(first);
    let first = first.split([';', ':', ',']).next().unwrap_or(first);
    let first = first.trim().trim_end_matches('.');
    // A long clause is cut at a word, with an ellipsis.
    let text = if first.chars().count() > 48 {
        let mut t = String::new();
        for w in first.split_whitespace() {
            if t.chars().count() + w.chars().count() + 1 > 44 {
                break;
            }
            if !t.is_empty() {
                t.push(' ');
            }
            t.push_str(w);
        }
        format!("{t}…")
    } else {
        first.to_string()
    };
    // Where the path names one of several (a region), say which.
    let which = path
        .split_once('[')
        .map(|(_, rest)| rest.split(']').next().unwrap_or(""))
        .filter(|w| !w.is_empty())
        .map(|w| format!(" [{w}]"))
        .unwrap_or_default();
    if p.unit.is_empty() {
        format!("{text}{which}")
    } else {
        format!("{text}{which} ({})", p.unit)
    }
}

/// The currency of a sweep's cells (the first cell's scenario), for money axes.
fn sweep_currency(dir: &Path, sw: &SweepData) -> Option<String> {
    sw.cells
        .first()
        .and_then(|c| output::read_manifest(&dir.join(&c.0).join("manifest.json")).ok())
        .and_then(|m| m.input.rebuild().ok())
        .map(|s| s.currency)
        .filter(|c| !c.trim().is_empty())
}

/// The charts of a sweep folder's report: per headline measure, a line chart with its 95% band
/// (one swept parameter) or a heatmap (two); none for more parameters.
pub fn sweep_figures(dir: &Path) -> Result<Vec<ReportFigure>> {
    let sw = read_sweep(dir)?;
    let measures: Vec<String> = sw
        .cells
        .first()
        .map(|c| c.2.iter().map(|h| h.0.clone()).collect())
        .unwrap_or_default();
    let find = |vals: &[f64]| {
        sw.cells
            .iter()
            .find(|c| c.1.len() == vals.len() && c.1.iter().zip(vals).all(|(a, b)| a == b))
    };
    let currency = sweep_currency(dir, &sw);
    let caption = |label: &str| {
        format!(
            "{label} in every cell of the sweep, mean across paths with its 95% confidence interval."
        )
    };
    let mut figs = Vec::new();
    {
        for (k, measure) in measures.iter().enumerate() {
            let stem = format!("sweep-{measure}");
            let (label, scale) = measure_label(measure, currency.as_deref());
            match sw.params.as_slice() {
                [(p, xs)] => {
                    let (mut mean, mut low, mut high) = (Vec::new(), Vec::new(), Vec::new());
                    for &x in xs {
                        let h = find(&[x]).map(|c| c.2[k].clone()).unwrap_or((
                            measure.clone(),
                            f64::NAN,
                            f64::NAN,
                            f64::NAN,
                        ));
                        mean.push(h.1 * scale);
                        low.push(h.2 * scale);
                        high.push(h.3 * scale);
                    }
                    let chart = charts::SweepLines {
                        title: format!("{label} — {}", sw.scenario),
                        subtitle: Some("Mean across paths with its 95% confidence interval; every cell on the same random numbers".into()),
                        note: None,
                        param: param_label(p),
                        values: xs.clone(),
                        y_label: label.clone(),
                        band_label: "95% confidence interval".into(),
                        series: vec![charts::SweepSeries { name: measure.clone(), mean, low: Some(low), high: Some(high) }],
                    };
                    figs.push(ReportFigure::new(stem, caption(&label), chart));
                }
                [(px, xs), (py, ys)] => {
                    let cell = |x: f64, y: f64, i: usize| {
                        find(&[x, y]).map_or(f64::NAN, |c| {
                            scale
                                * match i {
                                    0 => c.2[k].1,
                                    1 => c.2[k].2,
                                    _ => c.2[k].3,
                                }
                        })
                    };
                    let grid = |i: usize| {
                        ys.iter()
                            .map(|&y| xs.iter().map(|&x| cell(x, y, i)).collect())
                            .collect()
                    };
                    let chart = charts::SweepGrid {
                        title: format!("{label} — {}", sw.scenario),
                        subtitle: Some(
                            "Mean across paths in each cell; every cell on the same random numbers"
                                .into(),
                        ),
                        note: None,
                        x_param: param_label(px),
                        x_values: xs.clone(),
                        y_param: param_label(py),
                        y_values: ys.clone(),
                        measure: label.clone(),
                        values: grid(0),
                        low: Some(grid(1)),
                        high: Some(grid(2)),
                    };
                    figs.push(ReportFigure::new(stem, caption(&label), chart));
                }
                _ => continue,
            }
        }
    }
    Ok(figs)
}

fn sweep_report(dir: &Path, format: Format, out: &Output, theme: &Theme) -> Result<Vec<PathBuf>> {
    let sw = read_sweep(dir)?;
    let currency = sweep_currency(dir, &sw);
    let measures: Vec<String> = sw
        .cells
        .first()
        .map(|c| c.2.iter().map(|h| h.0.clone()).collect())
        .unwrap_or_default();
    let all = sweep_figures(dir)?;
    let figures = with_chart_dir(dir, |d| draw_figures(&all, d, out, theme))?;
    let mut written = vec![dir.join("charts")];
    if format == Format::Html {
        let mut b = String::new();
        let names: Vec<&str> = sw.params.iter().map(|p| p.0.as_str()).collect();
        let _ = writeln!(
            b,
            "<h1>Sweep of {} over {}</h1>",
            esc(&sw.scenario),
            esc(&names.join(" × "))
        );
        let chart_dir = dir.join("charts");
        if figures.is_empty() {
            b.push_str(
                "<p>Charts are drawn for sweeps over one or two parameters; see the table.</p>\n",
            );
        }
        for (i, f) in figures.iter().enumerate() {
            b.push_str(&figure_html(&chart_dir, "charts", f, i + 1)?);
        }
        b.push_str("<h2>Grid</h2>\n<table><thead><tr><th>cell</th>");
        for n in &names {
            let _ = write!(b, "<th>{}</th>", esc(&param_label(n)));
        }
        for m in &measures {
            let (label, _) = measure_label(m, currency.as_deref());
            let _ = write!(b, "<th title=\"{}\">{}</th>", esc(m), esc(&label));
        }
        b.push_str("</tr></thead><tbody>\n");
        for (folder, vals, hl) in &sw.cells {
            let _ = write!(
                b,
                "<tr><td><a href=\"{0}/summary.json\">{0}</a></td>",
                esc(folder)
            );
            for v in vals {
                let _ = write!(b, "<td>{}</td>", fmt(*v));
            }
            for h in hl {
                let (_, k) = measure_label(&h.0, currency.as_deref());
                let _ = write!(
                    b,
                    "<td>{} [{}, {}]</td>",
                    fmt(h.1 * k),
                    fmt(h.2 * k),
                    fmt(h.3 * k)
                );
            }
            b.push_str("</tr>\n");
        }
        b.push_str("</tbody></table>\n");
        written.push(write_atomic(
            &dir.join("report.html"),
            &page("herdlab sweep", &b),
        )?);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_for_tables() {
        assert_eq!(fmt(3.0), "3");
        assert_eq!(fmt(0.123456), "0.1235");
        assert_eq!(fmt(1234.5678), "1235");
        assert_eq!(fmt(746289.0), "746,289");
        assert_eq!(fmt(-722937.4), "-722,937");
        assert_eq!(fmt(-0.00123456), "-0.001235");
        assert_eq!(fmt(f64::NAN), "–");
        assert_eq!(esc("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
        assert_eq!(
            measure_label("credit_gap_share", None),
            ("Credit gap share over the horizon (%)".to_string(), 100.0)
        );
        assert_eq!(
            measure_label("bank_losses", Some("EUR million")).0,
            "Bank losses (EUR million)"
        );
        assert_eq!(
            param_label("rates.shock.size"),
            "Size of a step or ramp shock (percentage points)"
        );
        assert_eq!(
            param_label("models.similarity"),
            "Model similarity (share of error variance)"
        );
    }
}
