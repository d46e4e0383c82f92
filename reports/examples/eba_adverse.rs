//! Runs `scenarios/eba-2018-adverse.toml` and compares herdlab's end CET1 ratio of each of the 48
//! banks with the EBA's published adverse-scenario end point: prints the table and the headline
//! numbers of `docs/validation.md (Calibration)` (Markdown) and writes the scatter chart
//! `eba-2018-adverse-cet1.png` / `.svg` and the table `eba-2018-adverse-cet1.csv`.
//!
//! ```text
//! cargo run --release -p herdlab-reports --example eba_adverse -- [--paths N] [--out DIR]
//! ```
//!
//! `--paths` defaults to the scenario's `run.paths`; `--out` to `docs/images`.

#[path = "common/eba.rs"]
mod eba;

use std::path::{Path, PathBuf};

use plotters::prelude::*;
use reports::charts::{FONT_FAMILY, OKABE_ITO, register_fonts};
use sim::montecarlo::{RunOptions, Silent, run};
use sim::scenario::{FsSources, Scenario};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn main() {
    if let Err(e) = real_main() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn real_main() -> Res<()> {
    let mut paths = None;
    let mut out = eba::root().join("docs").join("images");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--paths" => {
                let v = args.next().ok_or("--paths needs a value")?;
                paths = Some(
                    v.parse::<u64>()
                        .map_err(|_| format!("--paths {v}: not a whole number"))?,
                );
            }
            "--out" => out = PathBuf::from(args.next().ok_or("--out needs a value")?),
            other => {
                return Err(
                    format!("unknown argument {other} (allowed: --paths N, --out DIR)").into(),
                );
            }
        }
    }
    let scenario = Scenario::load(&eba::root().join(eba::SCENARIO), &FsSources)?;
    let options = RunOptions {
        paths,
        ..RunOptions::default()
    };
    let result = run(&scenario, &options, &Silent)?;
    let ids: Vec<String> = scenario.banks.iter().map(|b| b.id.clone()).collect();
    let cmp = eba::compare(&ids, &result.paths)?;
    print_markdown(&cmp);
    std::fs::create_dir_all(&out)?;
    write_csv(&cmp, &out.join("eba-2018-adverse-cet1.csv"))?;
    let png = out.join("eba-2018-adverse-cet1.png");
    let svg = out.join("eba-2018-adverse-cet1.svg");
    register_fonts()?;
    let (w, h) = (1500u32, 1200u32);
    let mut pixels = vec![0u8; (w * h * 3) as usize];
    draw(
        &cmp,
        BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area(),
        2.0,
    )?;
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.write_header()?.write_image_data(&pixels)?;
    }
    std::fs::write(&png, bytes)?;
    draw(
        &cmp,
        SVGBackend::new(&svg, (750, 600)).into_drawing_area(),
        1.0,
    )?;
    eprintln!("wrote {}, {}", png.display(), svg.display());
    Ok(())
}

fn print_markdown(cmp: &eba::Comparison) {
    let h = &cmp.headline;
    let [se_ce, se_cd, se_gap] = cmp.jackknife_se;
    println!("paths: {}", cmp.paths);
    println!("| measure | EBA 2018 adverse | herdlab |");
    println!("|---|---:|---:|");
    println!(
        "| system CET1 ratio at the start (RWA-weighted) | {:.2}% | {:.2}% |",
        h.start_pct, h.start_pct
    );
    println!(
        "| system CET1 ratio at the end | {:.2}% | {:.2}% (s.e. {:.3}) |",
        h.eba_end_pct, h.herdlab_end_pct, h.herdlab_end_se
    );
    println!(
        "| system-wide drop | {:.2} pp | {:.2} pp |",
        h.start_pct - h.eba_end_pct,
        h.start_pct - h.herdlab_end_pct
    );
    println!(
        "| correlation across banks, end ratios | | {:.3} (s.e. {se_ce:.3}) |",
        h.corr_end
    );
    println!(
        "| correlation across banks, drops | | {:.3} (s.e. {se_cd:.3}) |",
        h.corr_drop
    );
    println!(
        "| mean absolute gap, end ratios | | {:.2} pp (s.e. {se_gap:.3}) |",
        h.mean_abs_gap
    );
    println!(
        "| the same if every bank lost the EBA's system-wide drop | | {:.2} pp |",
        h.mean_abs_gap_uniform
    );
    let c = &cmp.channels;
    println!();
    println!(
        "channels, points of starting RWA: income +{:.2}, SME credit -{:.2}, bonds -{:.2}, other -{:.2}",
        c.income_pp, c.credit_pp, c.bonds_pp, c.other_pp
    );
    println!();
    println!("| bank | start | EBA adverse end | herdlab end | herdlab − EBA |");
    println!("|---|---:|---:|---:|---:|");
    for b in &cmp.banks {
        println!(
            "| {} | {:.2} | {:.2} | {:.2} | {:+.2} |",
            b.bank,
            b.start_pct,
            b.eba_pct,
            b.herdlab_pct,
            b.herdlab_pct - b.eba_pct
        );
    }
}

fn write_csv(cmp: &eba::Comparison, path: &Path) -> Res<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "bank",
        "start_cet1_pct",
        "eba_adverse_cet1_pct",
        "herdlab_cet1_pct",
        "herdlab_std_error",
    ])?;
    for b in &cmp.banks {
        w.write_record([
            b.bank.clone(),
            b.start_pct.to_string(),
            b.eba_pct.to_string(),
            format!("{:.4}", b.herdlab_pct),
            format!("{:.4}", b.herdlab_se),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// The scatter: herdlab's end ratio against the EBA's, per bank, with the 45° line; the starting
/// ratio of each bank is drawn faintly above its point, so the vertical distance from a grey ring
/// to the 45° line is the EBA's drop and to the filled dot herdlab's.
fn draw<DB: DrawingBackend>(
    cmp: &eba::Comparison,
    root: DrawingArea<DB, plotters::coord::Shift>,
    s: f64,
) -> Res<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let px = |pt: f64| (pt * s).round() as i32;
    let font = |pt: f64| (FONT_FAMILY, pt * s).into_font();
    let (lo, hi) = (5.0, 42.0);
    let h = &cmp.headline;
    let title = "herdlab vs the EBA 2018 adverse scenario: end CET1 ratio of 48 EU banks";
    let (top, body) = root.split_vertically(px(90.0));
    top.draw(&Text::new(
        title,
        (px(14.0), px(8.0)),
        font(15.0).style(FontStyle::Bold),
    ))?;
    let sub = format!(
        "System (RWA-weighted): start {:.1}%, EBA end {:.1}%, herdlab end {:.1}%. Correlation across banks {:.2}; mean absolute gap {:.1} pp.",
        h.start_pct, h.eba_end_pct, h.herdlab_end_pct, h.corr_end, h.mean_abs_gap
    );
    top.draw(&Text::new(sub, (px(14.0), px(30.0)), font(10.5)))?;
    let blue = OKABE_ITO[0];
    let grey = RGBColor(150, 150, 150);
    // Legend strip.
    let ly = px(74.0);
    top.draw(&Circle::new((px(20.0), ly), px(4.0), blue.filled()))?;
    top.draw(&Text::new(
        "herdlab end (mean over paths)",
        (px(30.0), ly - px(6.0)),
        font(10.0),
    ))?;
    top.draw(&Circle::new(
        (px(230.0), ly),
        px(4.0),
        grey.stroke_width(px(1.0) as u32),
    ))?;
    top.draw(&Text::new(
        "start (2017)",
        (px(240.0), ly - px(6.0)),
        font(10.0),
    ))?;
    top.draw(&PathElement::new(
        vec![(px(340.0), ly), (px(370.0), ly)],
        BLACK.stroke_width(px(1.0) as u32),
    ))?;
    top.draw(&Text::new(
        "45° line: herdlab = EBA",
        (px(376.0), ly - px(6.0)),
        font(10.0),
    ))?;
    top.draw(&Text::new(
        "Each grey ring is a bank's 2017 ratio, above its EBA end point: the ring's height above the 45° line is the EBA's drop, the dot's distance below the ring herdlab's.",
        (px(14.0), px(48.0)),
        font(9.5),
    ))?;
    let mut chart = ChartBuilder::on(&body)
        .margin(px(14.0))
        .x_label_area_size(px(44.0))
        .y_label_area_size(px(54.0))
        .build_cartesian_2d(lo..hi, lo..hi)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(RGBColor(235, 235, 235))
        .x_desc("EBA 2018 adverse scenario: CET1 ratio at end-2020 (% of RWA)")
        .y_desc("herdlab: CET1 ratio at the end of quarter 12 (% of starting RWA)")
        .label_style(font(10.0))
        .axis_desc_style(font(11.0))
        .draw()?;
    chart.draw_series(LineSeries::new(
        vec![(lo, lo), (hi, hi)],
        BLACK.stroke_width(px(1.0) as u32),
    ))?;
    chart.draw_series(cmp.banks.iter().map(|b| {
        PathElement::new(
            vec![(b.eba_pct, b.start_pct), (b.eba_pct, b.herdlab_pct)],
            grey.mix(0.5).stroke_width(px(0.8).max(1) as u32),
        )
    }))?;
    chart.draw_series(cmp.banks.iter().map(|b| {
        Circle::new(
            (b.eba_pct, b.start_pct),
            px(3.0),
            grey.stroke_width(px(1.0) as u32),
        )
    }))?;
    chart.draw_series(
        cmp.banks
            .iter()
            .map(|b| Circle::new((b.eba_pct, b.herdlab_pct), px(3.5), blue.filled())),
    )?;
    root.present()?;
    Ok(())
}
