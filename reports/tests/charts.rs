//! Renders every chart type from small real runs and checks the files: SVG parses as XML with the
//! title and a series name in its text; PNG decodes to the requested size, records the DPI and is
//! not blank; CSV has the header and the expected rows; a second render gives the same bytes.

#[path = "charts_common/mod.rs"]
mod common;

use std::fs;
use std::path::{Path, PathBuf};

use reports::charts::{self, Error, Formats, Labels, Output, Theme};

/// What a rendered chart must contain.
struct Expect<'a> {
    /// A fragment of the title.
    title: &'a str,
    /// A series, panel or row name shown in the figure.
    series: &'a str,
    /// Header of `<stem>.csv`.
    header: &'a [&'a str],
    /// Data rows of `<stem>.csv`.
    rows: usize,
}

fn small() -> Output {
    // Small and low-DPI keeps the tests quick; the gallery example renders full size.
    Output {
        width_px: 900,
        height_px: 600,
        dpi: 150.0,
        formats: Formats::BOTH,
    }
}

/// All text content of an SVG document (it must parse as XML with an `svg` root).
fn svg_text(path: &Path) -> String {
    let text = fs::read_to_string(path).expect("svg readable");
    let doc = roxmltree::Document::parse(&text).expect("SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .flat_map(str::split_whitespace)
        .collect::<Vec<_>>()
        // Words with single spaces: a title wrapped onto two lines still reads as one.
        .join(" ")
}

/// Decodes a PNG: (width, height, pixels per metre, number of distinct colours).
fn png_info(path: &Path) -> (u32, u32, u32, usize) {
    let decoder = png::Decoder::new(fs::File::open(path).expect("png readable"));
    let mut reader = decoder.read_info().expect("PNG header decodes");
    let mut buf = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut buf).expect("PNG data decodes");
    let ppm = reader.info().pixel_dims.map_or(0, |d| d.xppu);
    let bytes = &buf[..frame.buffer_size()];
    let channels = frame.color_type.samples();
    let mut colours: Vec<&[u8]> = bytes.chunks(channels).collect();
    colours.sort_unstable();
    colours.dedup();
    (frame.width, frame.height, ppm, colours.len())
}

/// Checks the files of one chart and that rendering again gives identical bytes.
fn check(
    written: &[PathBuf],
    out: &Output,
    expect: &Expect,
    again: impl Fn(&Path) -> charts::Result<Vec<PathBuf>>,
) {
    let svg = written
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "svg"));
    let png = written
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "png"));
    let csv = written
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "csv"))
        .expect("a CSV is written");
    let text = svg_text(svg.expect("an SVG is written"));
    assert!(
        text.contains(expect.title),
        "title {:?} in\n{text}",
        expect.title
    );
    assert!(
        text.contains(expect.series),
        "series {:?} in\n{text}",
        expect.series
    );

    let (w, h, ppm, colours) = png_info(png.expect("a PNG is written"));
    // Charts with many panels or rows grow taller than asked, never narrower or shorter.
    assert_eq!(w, out.width_px);
    assert!(
        h >= out.height_px,
        "height {h} below the {} asked",
        out.height_px
    );
    assert_eq!(
        ppm,
        (out.dpi / 0.0254).round() as u32,
        "DPI recorded in pHYs"
    );
    assert!(colours > 8, "PNG is not blank ({colours} colours)");

    let mut reader = csv::Reader::from_path(csv).expect("csv readable");
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    assert_eq!(header, expect.header);
    let records: Vec<csv::StringRecord> = reader
        .records()
        .collect::<Result<_, _>>()
        .expect("csv rows parse");
    assert!(records.iter().all(|r| r.len() == expect.header.len()));
    let rows = records.len();
    assert_eq!(rows, expect.rows, "rows of {}", csv.display());

    let dir2 = tempfile::tempdir().expect("tempdir");
    let second = again(dir2.path()).expect("renders again");
    assert_eq!(second.len(), written.len());
    for (a, b) in written.iter().zip(&second) {
        assert_eq!(a.file_name(), b.file_name());
        assert!(
            fs::read(a).expect("read") == fs::read(b).expect("read"),
            "{} differs between two renders",
            a.display()
        );
    }
}

#[test]
fn fan_charts_of_quarter_measures_and_regions() {
    let m = common::monoculture();
    let labels = Labels::from_scenario(&m.scenario);
    let out = small();
    let theme = Theme::default();
    let quarters = m.scenario.run.quarters as usize;
    for (measure, series) in [
        ("credit_gap_share", "Credit gap share"),
        ("firm_default_rate", "Firm default rate"),
        ("system_car", "System capital ratio"),
        ("bank_failures", "Bank failures"),
    ] {
        let fan = charts::fan_from_aggregates(&m.aggregates, measure, &labels).expect("fan");
        let dir = tempfile::tempdir().expect("tempdir");
        let render = |d: &Path| charts::fan_chart(&fan, d, measure, &out, &theme);
        let written = render(dir.path()).expect("renders");
        check(
            &written,
            &out,
            &Expect {
                title: "by quarter — regional-monoculture",
                series,
                header: &["series", "x", "p05", "p25", "p50", "p75", "p95"],
                rows: quarters,
            },
            render,
        );
    }
    let fan = charts::region_gap_fan(&m.aggregates, &labels).expect("fan");
    let dir = tempfile::tempdir().expect("tempdir");
    let render = |d: &Path| charts::fan_chart(&fan, d, "regions", &out, &theme);
    check(
        &render(dir.path()).expect("renders"),
        &out,
        &Expect {
            title: "Credit gap share by region",
            series: "east",
            header: &["series", "x", "p05", "p25", "p50", "p75", "p95"],
            rows: quarters * (1 + m.scenario.regions.len()),
        },
        render,
    );
}

#[test]
fn histograms_mark_var_and_expected_shortfall() {
    let m = common::monoculture();
    let labels = Labels::from_scenario(&m.scenario);
    let out = small();
    let theme = Theme::default();
    for measure in ["bank_losses", "credit_gap_share"] {
        let h = charts::histogram_from_paths(&m.paths, measure, &labels).expect("histogram");
        assert_eq!(h.values.len(), m.paths.len());
        assert_eq!(h.markers.len(), 4, "VaR and ES at 95% and 99%");
        let dir = tempfile::tempdir().expect("tempdir");
        let render = |d: &Path| charts::histogram_chart(&h, d, measure, &out, &theme);
        let written = render(dir.path()).expect("renders");
        let bins = fs::read_to_string(&written[0]).expect("csv");
        let counted: usize = bins
            .lines()
            .skip(1)
            .map(|l| {
                l.rsplit(',')
                    .next()
                    .and_then(|c| c.parse::<usize>().ok())
                    .expect("count")
            })
            .sum();
        assert_eq!(counted, m.paths.len(), "every path in exactly one bin");
        let rows = bins.lines().count() - 1;
        check(
            &written,
            &out,
            &Expect {
                title: "across paths — regional-monoculture",
                series: "VaR 99%",
                header: &["bin_low", "bin_high", "paths"],
                rows,
            },
            render,
        );
        let markers = fs::read_to_string(dir.path().join(format!("{measure}-markers.csv")))
            .expect("markers csv");
        assert!(markers.contains("ES 95%"));
    }
}

#[test]
fn herding_against_baselines() {
    let m = common::monoculture();
    let labels = Labels::from_scenario(&m.scenario);
    let out = small();
    let theme = Theme::default();
    let h = charts::herding_from_aggregates(&m.aggregates, &labels).expect("herding");
    let dir = tempfile::tempdir().expect("tempdir");
    let render = |d: &Path| charts::herding_chart(&h, d, "herding", &out, &theme);
    check(
        &render(dir.path()).expect("renders"),
        &out,
        &Expect {
            title: "Herding measures",
            series: "Systemic rejection",
            header: &["panel", "x", "p05", "p25", "p50", "p75", "p95", "baseline"],
            rows: 3 * m.scenario.run.quarters as usize,
        },
        render,
    );
}

#[test]
fn loss_attribution_by_quarter_and_by_bank() {
    let m = common::monoculture();
    let labels = Labels::from_scenario(&m.scenario);
    let out = small();
    let theme = Theme::default();
    let a = charts::attribution_from_aggregates(&m.aggregates, &labels).expect("attribution");
    let dir = tempfile::tempdir().expect("tempdir");
    let render = |d: &Path| charts::attribution_chart(&a, d, "quarters", &out, &theme);
    check(
        &render(dir.path()).expect("renders"),
        &out,
        &Expect {
            title: "Bank losses by channel and quarter",
            series: "Credit",
            header: &["category", "channel", "value"],
            rows: a.channels.len() * m.scenario.run.quarters as usize,
        },
        render,
    );
    let b = charts::attribution_from_paths(&m.scenario, &m.paths, &labels, 5).expect("by bank");
    assert_eq!(b.categories.len(), 6, "five banks and the rest");
    let dir = tempfile::tempdir().expect("tempdir");
    let render = |d: &Path| charts::attribution_chart(&b, d, "banks", &out, &theme);
    check(
        &render(dir.path()).expect("renders"),
        &out,
        &Expect {
            title: "Bank losses by bank and channel",
            series: "NAT0",
            header: &["category", "channel", "value"],
            rows: b.channels.len() * 6,
        },
        render,
    );
}

#[test]
fn scenario_comparison_with_intervals() {
    let (m, d) = (common::monoculture(), common::diverse());
    let c = charts::comparison_from(
        common::comparison(),
        &[],
        &Labels::from_scenario(&m.scenario),
        &Labels::from_scenario(&d.scenario),
    )
    .expect("comparison");
    let out = small();
    let theme = Theme::default();
    let dir = tempfile::tempdir().expect("tempdir");
    let render = |p: &Path| charts::comparison_chart(&c, p, "comparison", &out, &theme);
    check(
        &render(dir.path()).expect("renders"),
        &out,
        &Expect {
            title: "regional-monoculture-diverse minus regional-monoculture",
            series: "Peak credit gap share",
            header: &["measure", "unit", "mean", "low", "high"],
            rows: c.rows.len(),
        },
        render,
    );
    let regional = charts::comparison_from(
        common::comparison(),
        &["credit_gap[east]", "credit_gap[west]"],
        &Labels::default(),
        &Labels::default(),
    )
    .expect("regional gaps");
    assert_eq!(regional.rows.len(), 2);
    assert_eq!(regional.rows[0].unit, "currency units");
    assert_eq!(regional.rows[0].name, "Total credit gap, east");
}

#[test]
fn sweep_heatmap_and_lines() {
    let out = small();
    let theme = Theme::default();
    let grid = common::sweep();
    let dir = tempfile::tempdir().expect("tempdir");
    let render = |d: &Path| charts::sweep_heatmap(grid, d, "heatmap", &out, &theme);
    check(
        &render(dir.path()).expect("renders"),
        &out,
        &Expect {
            title: "over model similarity and rate shock",
            series: "models.similarity",
            header: &[
                "models.similarity",
                "rate step in quarter 2 (percentage points)",
                "mean",
                "low",
                "high",
            ],
            rows: 9,
        },
        render,
    );
    let lines = common::sweep_lines();
    let dir = tempfile::tempdir().expect("tempdir");
    let render = |d: &Path| charts::sweep_line(&lines, d, "lines", &out, &theme);
    check(
        &render(dir.path()).expect("renders"),
        &out,
        &Expect {
            title: "over model similarity",
            series: "rate step 3 pp",
            header: &["series", "models.similarity", "mean", "low", "high"],
            rows: 9,
        },
        render,
    );
}

#[test]
fn interbank_networks_small_and_large() {
    let out = small();
    let theme = Theme::default();
    for (net, stem, series) in [
        (common::monoculture_network(), "banks", "NAT01"),
        (
            // A thousand banks: the sorted adjacency heatmap with its failure strip.
            common::cascade_network(),
            "cascade",
            "Failed (%)",
        ),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let render = |d: &Path| charts::network_chart(&net, d, stem, &out, &theme);
        let written = render(dir.path()).expect("renders");
        check(
            &written,
            &out,
            &Expect {
                title: "Interbank ",
                series,
                header: &["bank", "assets", "failure_probability", "x", "y"],
                rows: net.nodes.len(),
            },
            render,
        );
        let edges = csv::Reader::from_path(dir.path().join(format!("{stem}-edges.csv")))
            .expect("edges csv")
            .records()
            .count();
        assert_eq!(edges, net.edges.len());
    }
}

#[test]
fn size_and_dpi_are_honoured() {
    let m = common::monoculture();
    let labels = Labels::from_scenario(&m.scenario);
    let fan = charts::fan_from_aggregates(&m.aggregates, "credit_gap_share", &labels).expect("fan");
    let out = Output::inches(3.5, 2.5, 300.0);
    let dir = tempfile::tempdir().expect("tempdir");
    let written = charts::fan_chart(&fan, dir.path(), "fan", &out, &Theme::default()).expect("ok");
    let png = written
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "png"))
        .expect("png");
    let (w, h, ppm, _) = png_info(png);
    assert_eq!((w, h, ppm), (1050, 750, 11811));
    let svg = fs::read_to_string(
        written
            .iter()
            .find(|p| p.extension().is_some_and(|e| e == "svg"))
            .expect("svg"),
    )
    .expect("svg");
    assert!(
        svg.contains(r#"width="3.5in" height="2.5in""#),
        "physical size in the SVG"
    );
    // Only the formats asked for.
    let svg_only = Output {
        formats: Formats {
            svg: true,
            png: false,
        },
        ..small()
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let written =
        charts::fan_chart(&fan, dir.path(), "fan", &svg_only, &Theme::default()).expect("ok");
    assert!(
        written
            .iter()
            .all(|p| p.extension().is_some_and(|e| e != "png"))
    );
    assert!(!dir.path().join("fan.png").exists());
}

#[test]
fn zero_paths_draw_empty_states() {
    let m = common::monoculture();
    let agg = sim::aggregate::aggregate(&m.scenario, &[]);
    let labels = Labels::from_scenario(&m.scenario);
    let out = small();
    let theme = Theme::default();
    let dir = tempfile::tempdir().expect("tempdir");
    let fan = charts::fan_from_aggregates(&agg, "credit_gap_share", &labels).expect("fan");
    let w = charts::fan_chart(&fan, dir.path(), "fan", &out, &theme).expect("empty fan renders");
    assert!(svg_text(&w[1]).contains("No data"));
    let h = charts::histogram_from_paths(&[], "bank_losses", &labels).expect("histogram");
    charts::histogram_chart(&h, dir.path(), "hist", &out, &theme).expect("empty histogram");
    let hd = charts::herding_from_aggregates(&agg, &labels).expect("herding");
    charts::herding_chart(&hd, dir.path(), "herding", &out, &theme).expect("empty herding");
    let a = charts::attribution_from_aggregates(&agg, &labels).expect("attribution");
    charts::attribution_chart(&a, dir.path(), "attr", &out, &theme).expect("empty attribution");
    let b = charts::attribution_from_paths(&m.scenario, &[], &labels, 5).expect("by bank");
    charts::attribution_chart(&b, dir.path(), "attr-b", &out, &theme).expect("empty by bank");
    charts::sweep_heatmap(
        &charts::SweepGrid::default(),
        dir.path(),
        "heat",
        &out,
        &theme,
    )
    .expect("empty heatmap");
    charts::sweep_line(
        &charts::SweepLines::default(),
        dir.path(),
        "line",
        &out,
        &theme,
    )
    .expect("empty lines");
    charts::network_chart(
        &charts::NetworkChart::default(),
        dir.path(),
        "net",
        &out,
        &theme,
    )
    .expect("empty network");
    charts::comparison_chart(
        &charts::ComparisonChart::default(),
        dir.path(),
        "cmp",
        &out,
        &theme,
    )
    .expect("empty comparison");
}

#[test]
fn all_equal_values_do_not_break_axes() {
    let out = small();
    let theme = Theme::default();
    let dir = tempfile::tempdir().expect("tempdir");
    let h = charts::HistogramChart {
        title: "Constant".into(),
        x_label: "x (%)".into(),
        values: vec![3.0; 20],
        markers: vec![charts::Marker {
            label: "VaR 99%".into(),
            value: 3.0,
        }],
        ..Default::default()
    };
    let w = charts::histogram_chart(&h, dir.path(), "const", &out, &theme).expect("renders");
    let (.., colours) = png_info(&w[4]);
    assert!(colours > 8);
    let zeros = charts::FanChart {
        title: "Zeros".into(),
        series: vec![charts::FanSeries {
            name: "flat".into(),
            points: (1..=4)
                .map(|q| charts::FanPoint {
                    x: q as f64,
                    ..Default::default()
                })
                .collect(),
        }],
        ..Default::default()
    };
    charts::fan_chart(&zeros, dir.path(), "zeros", &out, &theme).expect("renders");
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let out = small();
    let theme = Theme::default();
    let dir = tempfile::tempdir().expect("tempdir");
    let h = charts::HistogramChart {
        values: vec![1.0, f64::NAN],
        ..Default::default()
    };
    let e = charts::histogram_chart(&h, dir.path(), "nan", &out, &theme).expect_err("NaN");
    assert!(matches!(e, Error::InvalidInput { .. }), "{e}");
    assert!(e.to_string().contains("values[1]"));
    let tiny = Output {
        width_px: 10,
        ..small()
    };
    let e = charts::histogram_chart(
        &charts::HistogramChart::default(),
        dir.path(),
        "x",
        &tiny,
        &theme,
    )
    .expect_err("too small");
    assert!(matches!(e, Error::Output(_)));
    let e = charts::histogram_chart(
        &charts::HistogramChart::default(),
        dir.path(),
        "../x",
        &out,
        &theme,
    )
    .expect_err("stem with a path");
    assert!(matches!(e, Error::Output(_)));
    let m = common::monoculture();
    let e = charts::fan_from_aggregates(&m.aggregates, "no_such_measure", &Labels::default())
        .expect_err("unknown");
    assert!(matches!(e, Error::UnknownMeasure { .. }));
    let grid = charts::SweepGrid {
        x_values: vec![1.0, 2.0],
        y_values: vec![1.0],
        values: vec![vec![1.0]],
        ..Default::default()
    };
    let e = charts::sweep_heatmap(&grid, dir.path(), "g", &out, &theme).expect_err("shape");
    assert!(matches!(e, Error::InvalidInput { .. }));
    assert!(
        fs::read_dir(dir.path()).expect("dir").count() == 0,
        "nothing written on error"
    );
}
