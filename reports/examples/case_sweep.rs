//! The documented case at its documented scale: runs `china-region` (three banks share one AI
//! model) against its twin `china-region-diverse` on common random numbers, prints the paired
//! difference of the region's credit gap with its 95% interval, then moves one parameter at a
//! time to the low and high ends of its plausible range and draws which parameters move the
//! difference most (a tornado chart): `case-china-region-sweep.png` / `.svg` and the table
//! `case-china-region-sweep.csv`.
//!
//! ```text
//! cargo run --release -p herdlab-reports --example case_sweep -- [--paths N] [--sweep-paths N] [--out DIR]
//! ```
//!
//! `--paths` (default 400) is for the headline comparison, `--sweep-paths` (default 100) for
//! each end of each parameter's range; `--out` defaults to `docs/images`.

use std::path::{Path, PathBuf};

use plotters::prelude::*;
use reports::charts::{FONT_FAMILY, OKABE_ITO, register_fonts};
use sim::montecarlo::{RunOptions, Silent, run};
use sim::results::PathResult;
use sim::scenario::{FsSources, Scenario};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// The reported figure: the region's financing gap grew by about 5 bn yuan.
const REPORTED_BN: f64 = 5.0;

/// One parameter of the sweep: its TOML table and key, its calibrated value, and the low and
/// high ends of its plausible range, with the reason for the range.
struct Param {
    table: &'static str,
    key: &'static str,
    label: &'static str,
    calibrated: f64,
    low: f64,
    high: f64,
    /// Shown values are the parameter times this (1 for most).
    display: f64,
}

const PARAMS: &[Param] = &[
    Param {
        table: "models",
        key: "similarity",
        label: "model similarity rho_model",
        calibrated: 0.7,
        low: 0.3,
        high: 0.9,
        display: 1.0,
    },
    Param {
        table: "rates.shock",
        key: "size",
        label: "rate rise (pp)",
        calibrated: 1.5,
        low: 0.5,
        high: 3.0,
        display: 1.0,
    },
    Param {
        table: "bank_defaults",
        key: "threshold",
        label: "approval threshold theta0",
        calibrated: -1.5,
        low: -2.0,
        high: -1.0,
        display: 1.0,
    },
    Param {
        table: "bank_defaults",
        key: "fine_tuning",
        label: "banks' own fine-tuning w",
        calibrated: 0.1,
        low: 0.0,
        high: 0.4,
        display: 1.0,
    },
    Param {
        table: "firms",
        key: "need_probability",
        label: "loans maturing a quarter nu",
        calibrated: 0.25,
        low: 0.15,
        high: 0.4,
        display: 1.0,
    },
    Param {
        table: "banking",
        key: "max_applications",
        label: "banks asked k",
        calibrated: 3.0,
        low: 1.0,
        high: 5.0,
        display: 1.0,
    },
    Param {
        table: "firms",
        key: "liquidity_pd",
        label: "default add-on when rationed",
        calibrated: 0.05,
        low: 0.02,
        high: 0.10,
        display: 1.0,
    },
    Param {
        table: "firms",
        key: "lambda",
        label: "rate sensitivity of default",
        calibrated: 0.08,
        low: 0.04,
        high: 0.15,
        display: 1.0,
    },
];

fn main() {
    if let Err(e) = real_main() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("scenarios")
}

/// `file` with `table.key = value` set on top (`None`: unchanged).
fn scenario(file: &str, set: Option<(&Param, f64)>) -> Res<Scenario> {
    let mut text = format!("base = \"{file}\"\n");
    if let Some((p, v)) = set {
        let value = if p.key == "max_applications" {
            format!("{}", v.round() as i64)
        } else {
            format!("{v:?}")
        };
        text.push_str(&format!("[{}]\n{} = {value}\n", p.table, p.key));
    }
    let at = scenarios_dir().join(format!("sweep-of-{file}"));
    Ok(Scenario::from_toml_str(
        &text,
        &at.to_string_lossy(),
        &FsSources,
    )?)
}

fn paths_of(s: &Scenario, paths: u64) -> Res<Vec<PathResult>> {
    let options = RunOptions {
        paths: Some(paths),
        ..RunOptions::default()
    };
    Ok(run(s, &options, &Silent)?.paths)
}

/// Paired difference (monoculture minus diverse) of a per-path number: mean and 95% interval
/// half-width (normal approximation; at least 80 paths).
fn paired(a: &[PathResult], b: &[PathResult], f: impl Fn(&PathResult) -> f64) -> (f64, f64) {
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| f(x) - f(y)).collect();
    let n = d.len() as f64;
    let m = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, 1.96 * (var / n).sqrt())
}

fn gap_total(p: &PathResult) -> f64 {
    p.quarters.iter().map(|q| q.credit_gap).sum()
}

/// The difference of the summed credit gap in bn yuan (the scenario's money is CNY million).
fn difference(
    file_mono: &str,
    file_div: &str,
    set: Option<(&Param, f64)>,
    n: u64,
) -> Res<(f64, f64)> {
    let mono = paths_of(&scenario(file_mono, set)?, n)?;
    let div = paths_of(&scenario(file_div, set)?, n)?;
    let (m, h) = paired(&mono, &div, gap_total);
    Ok((m / 1000.0, h / 1000.0))
}

struct Row {
    param: &'static Param,
    low: (f64, f64),
    high: (f64, f64),
}

fn real_main() -> Res<()> {
    let (mut paths, mut sweep_paths) = (400u64, 100u64);
    let mut out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/images");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut number = |name: &str| -> Res<u64> {
            let v = args.next().ok_or(format!("{name} needs a value"))?;
            Ok(v.parse::<u64>()
                .ok()
                .filter(|&n| n >= 2)
                .ok_or(format!("{name} {v}: must be a whole number of at least 2"))?)
        };
        match a.as_str() {
            "--paths" => paths = number("--paths")?,
            "--sweep-paths" => sweep_paths = number("--sweep-paths")?,
            "--out" => out = PathBuf::from(args.next().ok_or("--out needs a value")?),
            other => {
                return Err(format!(
                    "unknown argument {other} (allowed: --paths N, --sweep-paths N, --out DIR)"
                )
                .into());
            }
        }
    }
    let (mono_file, div_file) = ("china-region.toml", "china-region-diverse.toml");
    // Headline: the calibrated case.
    let mono = paths_of(&scenario(mono_file, None)?, paths)?;
    let div = paths_of(&scenario(div_file, None)?, paths)?;
    let (m, h) = paired(&mono, &div, gap_total);
    let quarters = mono.first().map_or(0, |p| p.quarters.len());
    println!("paths: {paths}");
    println!(
        "credit gap, summed over {quarters} quarters: diverse {:.2} bn, monoculture {:.2} bn, difference {:.2} bn (95% interval {:.2} to {:.2})",
        mono_mean(&div, gap_total) / 1000.0,
        mono_mean(&mono, gap_total) / 1000.0,
        m / 1000.0,
        (m - h) / 1000.0,
        (m + h) / 1000.0
    );
    let mut per_quarter = Vec::new();
    for t in 0..quarters {
        per_quarter.push(paired(&mono, &div, |p| p.quarters[t].credit_gap));
    }
    let (peak_t, peak) = per_quarter
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.0.total_cmp(&b.1.0))
        .map(|(t, x)| (t + 1, *x))
        .unwrap_or((0, (0.0, 0.0)));
    println!(
        "one quarter's gap: difference {:.3} bn on average over quarters, largest in quarter {peak_t}: {:.3} bn (95% interval {:.3} to {:.3})",
        m / 1000.0 / quarters.max(1) as f64,
        peak.0 / 1000.0,
        (peak.0 - peak.1) / 1000.0,
        (peak.0 + peak.1) / 1000.0
    );
    let (sm, sh) = paired(&mono, &div, |p| p.summary.credit_gap_share);
    println!(
        "credit gap share, summed over quarters: difference {:.4} (95% interval {:.4} to {:.4})",
        sm,
        sm - sh,
        sm + sh
    );
    let (dm, dh) = paired(&mono, &div, |p| p.summary.firm_default_share);
    println!(
        "firms defaulting over 12 quarters (share): difference {:.5} (95% interval {:.5} to {:.5})",
        dm,
        dm - dh,
        dm + dh
    );
    // One at a time.
    let mut rows = Vec::new();
    for p in PARAMS {
        let low = difference(mono_file, div_file, Some((p, p.low)), sweep_paths)?;
        let high = difference(mono_file, div_file, Some((p, p.high)), sweep_paths)?;
        eprintln!("{}: {:?} {:?}", p.label, low, high);
        rows.push(Row {
            param: p,
            low,
            high,
        });
    }
    rows.sort_by(|a, b| {
        let swing = |r: &Row| (r.high.0 - r.low.0).abs();
        swing(b).total_cmp(&swing(a))
    });
    let centre = difference(mono_file, div_file, None, sweep_paths)?;
    println!();
    println!(
        "| parameter | calibrated | low end | difference at low (bn) | high end | difference at high (bn) |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for r in &rows {
        let p = r.param;
        println!(
            "| {} (`{}.{}`) | {} | {} | {:.2} ± {:.2} | {} | {:.2} ± {:.2} |",
            p.label,
            p.table,
            p.key,
            p.calibrated,
            p.low,
            r.low.0,
            r.low.1,
            p.high,
            r.high.0,
            r.high.1
        );
    }
    println!(
        "calibrated, {sweep_paths} paths: {:.2} ± {:.2} bn",
        centre.0, centre.1
    );
    std::fs::create_dir_all(&out)?;
    let mut w = csv::Writer::from_path(out.join("case-china-region-sweep.csv"))?;
    w.write_record([
        "parameter",
        "calibrated",
        "low",
        "diff_low_bn",
        "halfwidth_low_bn",
        "high",
        "diff_high_bn",
        "halfwidth_high_bn",
    ])?;
    for r in &rows {
        let p = r.param;
        w.write_record([
            format!("{}.{}", p.table, p.key),
            p.calibrated.to_string(),
            p.low.to_string(),
            format!("{:.4}", r.low.0),
            format!("{:.4}", r.low.1),
            p.high.to_string(),
            format!("{:.4}", r.high.0),
            format!("{:.4}", r.high.1),
        ])?;
    }
    w.flush()?;
    register_fonts()?;
    let png = out.join("case-china-region-sweep.png");
    let svg = out.join("case-china-region-sweep.svg");
    let (wpx, hpx) = (1600u32, 1000u32);
    let mut pixels = vec![0u8; (wpx * hpx * 3) as usize];
    draw(
        &rows,
        centre.0,
        BitMapBackend::with_buffer(&mut pixels, (wpx, hpx)).into_drawing_area(),
        2.0,
    )?;
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, wpx, hpx);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.write_header()?.write_image_data(&pixels)?;
    }
    std::fs::write(&png, bytes)?;
    draw(
        &rows,
        centre.0,
        SVGBackend::new(&svg, (800, 500)).into_drawing_area(),
        1.0,
    )?;
    eprintln!("wrote {}, {}", png.display(), svg.display());
    Ok(())
}

fn mono_mean(paths: &[PathResult], f: impl Fn(&PathResult) -> f64) -> f64 {
    paths.iter().map(f).sum::<f64>() / paths.len().max(1) as f64
}

/// Tornado chart: one row per parameter, a bar from the difference at the low end of its range
/// to the difference at the high end, whiskers for the 95% intervals, the calibrated value and
/// the reported 5 bn as vertical lines.
fn draw<DB: DrawingBackend>(
    rows: &[Row],
    centre: f64,
    root: DrawingArea<DB, plotters::coord::Shift>,
    s: f64,
) -> Res<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let px = |pt: f64| (pt * s).round() as i32;
    let font = |pt: f64| (FONT_FAMILY, pt * s).into_font();
    let (top, body) = root.split_vertically(px(80.0));
    top.draw(&Text::new(
        "What moves the documented case: shared model minus diverse models, one Chinese region",
        (px(14.0), px(8.0)),
        font(14.0).style(FontStyle::Bold),
    ))?;
    top.draw(&Text::new(
        "Each parameter moved alone from the low to the high end of its plausible range (values at the bar ends); whiskers: 95% intervals.",
        (px(14.0), px(30.0)),
        font(10.0),
    ))?;
    let (lo_c, hi_c) = (OKABE_ITO[5], OKABE_ITO[1]);
    let ly = px(58.0);
    top.draw(&Rectangle::new(
        [(px(14.0), ly - px(5.0)), (px(28.0), ly + px(5.0))],
        lo_c.filled(),
    ))?;
    top.draw(&Text::new(
        "low end of the range",
        (px(34.0), ly - px(6.0)),
        font(10.0),
    ))?;
    top.draw(&Rectangle::new(
        [(px(180.0), ly - px(5.0)), (px(194.0), ly + px(5.0))],
        hi_c.filled(),
    ))?;
    top.draw(&Text::new(
        "high end",
        (px(200.0), ly - px(6.0)),
        font(10.0),
    ))?;
    top.draw(&PathElement::new(
        vec![(px(280.0), ly), (px(305.0), ly)],
        BLACK.stroke_width(px(1.2) as u32),
    ))?;
    top.draw(&Text::new(
        "calibrated",
        (px(311.0), ly - px(6.0)),
        font(10.0),
    ))?;
    top.draw(&PathElement::new(
        vec![(px(390.0), ly), (px(415.0), ly)],
        OKABE_ITO[2].stroke_width(px(2.0) as u32),
    ))?;
    top.draw(&Text::new(
        "reported: about 5 bn yuan",
        (px(421.0), ly - px(6.0)),
        font(10.0),
    ))?;
    let mut x_max: f64 = REPORTED_BN;
    let mut x_min: f64 = 0.0;
    for r in rows {
        for (m, h) in [r.low, r.high] {
            x_max = x_max.max(m + h);
            x_min = x_min.min(m - h);
        }
    }
    let x_max = (x_max * 1.08).ceil();
    let x_min = x_min.floor();
    let n = rows.len();
    let labels: Vec<String> = rows.iter().map(|r| r.param.label.to_string()).collect();
    let mut chart = ChartBuilder::on(&body)
        .margin(px(14.0))
        .x_label_area_size(px(44.0))
        .y_label_area_size(px(190.0))
        .build_cartesian_2d(x_min..x_max, 0.0..n as f64)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(235, 235, 235))
        .y_labels(n * 2 + 1)
        .y_label_formatter(&|y: &f64| {
            let i = (y - 0.5).round();
            if (y - 0.5 - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
                labels[n - 1 - i as usize].clone()
            } else {
                String::new()
            }
        })
        .x_desc("Credit gap, shared model minus diverse models, summed over 12 quarters (bn yuan)")
        .label_style(font(10.0))
        .axis_desc_style(font(11.0))
        .draw()?;
    for (k, r) in rows.iter().enumerate() {
        let y = (n - 1 - k) as f64 + 0.5;
        let mid = centre;
        for ((m, h), c, value, yc) in [
            (r.low, lo_c, r.param.low, y + 0.17),
            (r.high, hi_c, r.param.high, y - 0.17),
        ] {
            let (x0, x1) = if m < mid { (m, mid) } else { (mid, m) };
            chart.draw_series(std::iter::once(Rectangle::new(
                [(x0, yc - 0.15), (x1, yc + 0.15)],
                c.mix(0.85).filled(),
            )))?;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(m - h, yc), (m + h, yc)],
                BLACK.stroke_width(px(1.0) as u32),
            )))?;
            let shown = value * r.param.display;
            let text = if r.param.display == 1.0 {
                format!("{shown}")
            } else {
                format!("{shown:.0}")
            };
            let (pos, h_pos) = if m < mid {
                (m - h, plotters::style::text_anchor::HPos::Right)
            } else {
                (m + h, plotters::style::text_anchor::HPos::Left)
            };
            let style = TextStyle::from(font(9.0)).pos(plotters::style::text_anchor::Pos::new(
                h_pos,
                plotters::style::text_anchor::VPos::Center,
            ));
            chart.draw_series(std::iter::once(Text::new(text, (pos, yc), style)))?;
        }
    }
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(centre, 0.0), (centre, n as f64)],
        BLACK.stroke_width(px(1.2) as u32),
    )))?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(REPORTED_BN, 0.0), (REPORTED_BN, n as f64)],
        OKABE_ITO[2].stroke_width(px(2.0) as u32),
    )))?;
    root.present()?;
    Ok(())
}
