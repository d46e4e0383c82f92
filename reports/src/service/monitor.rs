//! The herding monitor (MODEL.md §10) as a service: read a decision log with the `monitor` crate
//! and write a result folder in herdlab's conventions (atomic, `--force` only over a herdlab
//! folder): `summary.json`, `quarters.csv`, `quarters.parquet`, charts of each measure by region
//! with its interval and the alarm quarters, `report.html` and `manifest.json`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use monitor::{MonitorReport, QuarterMeasures};
use serde::Serialize;

use super::Result;
use crate::charts::{FanChart, FanPoint, FanSeries, Output, Theme, fan_chart};
use crate::lock::FolderLock;
use crate::output::{self, AtomicDir};

/// What [`monitor_log`] does.
#[derive(Clone, Debug)]
pub struct MonitorRequest {
    /// The decision log (CSV or Parquet).
    pub log: PathBuf,
    /// The result folder.
    pub out: PathBuf,
    /// Replace an existing herdlab result folder at `out`.
    pub force: bool,
    /// The measures' and the alarm's settings.
    pub settings: monitor::Settings,
}

/// What [`monitor_log`] produced.
#[derive(Clone, Debug)]
pub struct MonitorOutcome {
    /// The monitor's report.
    pub report: MonitorReport,
    /// The result folder written.
    pub folder: PathBuf,
}

/// The manifest of a monitor result folder (`manifest.json`): what was read and by what.
#[derive(Debug, Serialize)]
struct MonitorManifest<'a> {
    kind: &'static str,
    program: &'static str,
    version: &'static str,
    created: String,
    log: &'a Path,
    rows: u64,
    quarters: usize,
    alarm_raised: bool,
}

/// Reads the whole log and writes the result folder. The folder is checked before the log is
/// read, so a refused `--out` costs nothing.
pub fn monitor_log(request: &MonitorRequest) -> Result<MonitorOutcome> {
    AtomicDir::check(&request.out, request.force)?;
    let _lock = FolderLock::acquire(&request.out)?;
    let report = monitor::run(&monitor::Request {
        log: request.log.clone(),
        settings: request.settings.clone(),
    })?;
    let folder = write_monitor_folder_locked(&report, &request.out, request.force)?;
    Ok(MonitorOutcome { report, folder })
}

/// Reads a whole log and returns its measures and alarms without writing anything (the desktop
/// app's Monitor view; [`write_monitor_folder`] writes them later).
pub fn measure_log(log: &Path, settings: &monitor::Settings) -> Result<MonitorReport> {
    Ok(monitor::run(&monitor::Request {
        log: log.to_path_buf(),
        settings: settings.clone(),
    })?)
}

/// Follows a growing log: reads what was appended every `interval`, measures the quarters that
/// are complete and rewrites the result folder after each read that added rows, until `stop`
/// says so; then measures the last quarter and writes the folder a last time. `updated` sees
/// each report written.
pub fn follow_log(
    request: &MonitorRequest,
    interval: Duration,
    stop: &dyn Fn() -> bool,
    updated: &mut dyn FnMut(&MonitorReport),
) -> Result<MonitorOutcome> {
    AtomicDir::check(&request.out, request.force)?;
    // Held while following: one writer of the folder at a time.
    let _lock = FolderLock::acquire(&request.out)?;
    let mut m = monitor::Monitor::new(request.settings.clone())?;
    let mut force = request.force;
    loop {
        let rows = m.update(&request.log)?;
        if rows > 0 {
            let report = m.report();
            write_monitor_folder_locked(&report, &request.out, force)?;
            // From now on the folder is ours to replace.
            force = true;
            updated(&report);
        }
        if stop() {
            break;
        }
        let mut waited = Duration::ZERO;
        while waited < interval && !stop() {
            let step = Duration::from_millis(100).min(interval - waited);
            std::thread::sleep(step);
            waited += step;
        }
    }
    let report = m.finish()?;
    let folder = write_monitor_folder_locked(&report, &request.out, force)?;
    Ok(MonitorOutcome { report, folder })
}

/// Writes a monitor result folder for `report` at `out`, atomically, holding the folder's lock
/// ([`FolderLock`]) meanwhile.
pub fn write_monitor_folder(report: &MonitorReport, out: &Path, force: bool) -> Result<PathBuf> {
    let _lock = FolderLock::acquire(out)?;
    write_monitor_folder_locked(report, out, force)
}

/// [`write_monitor_folder`] by a caller that holds the folder's lock.
fn write_monitor_folder_locked(report: &MonitorReport, out: &Path, force: bool) -> Result<PathBuf> {
    let dir = AtomicDir::create(out, force)?;
    monitor::output::write_tables(report, dir.path())?;
    let charts = write_charts(report, dir.path())?;
    let html = report_html(report, &charts);
    std::fs::write(dir.path().join("report.html"), html)
        .map_err(|e| crate::error::Error::io(dir.path().join("report.html"), "cannot write", e))?;
    output::write_json(
        &dir.path().join("manifest.json"),
        &MonitorManifest {
            kind: "monitor",
            program: "herdlab",
            version: output::PROGRAM_VERSION,
            created: output::now_rfc3339(),
            log: &report.log,
            rows: report.rows,
            quarters: report.quarters.len(),
            alarm_raised: report.alarm_raised(),
        },
    )?;
    dir.commit()
}

/// A measure of the monitor drawn as a chart: stem, title, y label and how to read a quarter.
struct Drawn {
    stem: &'static str,
    title: &'static str,
    y_label: &'static str,
    note: &'static str,
    value: fn(&QuarterMeasures) -> Option<f64>,
    interval: fn(&QuarterMeasures) -> Option<(f64, f64)>,
    /// What the band shows, when the measure has an interval.
    band: Option<&'static str>,
}

const DRAWN: [Drawn; 4] = [
    Drawn {
        stem: "monitor-systemic-rejection-ratio",
        title: "Systemic rejection over its independence baseline",
        y_label: "ratio",
        note: "Line: the ratio each quarter; band: its bootstrap interval over applicants.",
        value: |q| q.systemic_rejection_ratio,
        interval: |q| q.ratio_ci_low.zip(q.ratio_ci_high),
        band: Some("bootstrap interval"),
    },
    Drawn {
        stem: "monitor-decision-agreement",
        title: "Decision agreement between banks",
        y_label: "correlation",
        note: "Mean pairwise correlation of banks' decisions on shared applicants.",
        value: |q| q.decision_agreement,
        interval: |_| None,
        band: None,
    },
    Drawn {
        stem: "monitor-shared-model-excess",
        title: "Shared-model excess: agreement that sharing a model family adds",
        y_label: "correlation",
        note: "Share of shared applicants in same-family bank pairs times their agreement above \
               different-family pairs' (needs a family column).",
        value: |q| q.shared_model_excess,
        interval: |_| None,
        band: None,
    },
    Drawn {
        stem: "monitor-lsv",
        title: "LSV herding of approval-rate changes",
        y_label: "LSV",
        note: "Lakonishok-Shleifer-Vishny measure, regions as markets.",
        value: |q| q.lsv,
        interval: |_| None,
        band: None,
    },
];

/// The series of one drawn measure: the whole log, then each region.
fn series_of(report: &MonitorReport, d: &Drawn) -> Vec<FanSeries> {
    let point = |q: &QuarterMeasures| {
        let v = (d.value)(q)?;
        let (lo, hi) = (d.interval)(q).unwrap_or((v, v));
        Some(FanPoint {
            x: f64::from(q.quarter),
            p05: lo,
            p25: lo,
            p50: v,
            p75: hi,
            p95: hi,
        })
    };
    let mut out = vec![FanSeries {
        name: "all".into(),
        points: report.quarters.iter().filter_map(point).collect(),
    }];
    let mut names: Vec<&str> = report
        .regions
        .iter()
        .filter_map(|q| q.region.as_deref())
        .collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        out.push(FanSeries {
            name: name.to_string(),
            points: report
                .regions
                .iter()
                .filter(|q| q.region.as_deref() == Some(name))
                .filter_map(point)
                .collect(),
        });
    }
    out.retain(|s| !s.points.is_empty());
    out
}

/// The monitor's charts of a report, each with its file stem: one per measure that has a value
/// in some quarter (systemic-rejection ratio with its bootstrap interval, decision agreement,
/// shared-model excess, LSV), each with the whole log's series and one per region, and the
/// alarms in the note. The CLI's folder and the desktop app draw the same charts.
pub fn monitor_charts(report: &MonitorReport) -> Vec<(&'static str, FanChart)> {
    let alarms: Vec<String> = report
        .alarms
        .iter()
        .map(|a| {
            format!(
                "{} raised in quarter {}",
                a.region.as_deref().unwrap_or("all"),
                a.raised_quarter
            )
        })
        .collect();
    let confidence = report.settings.confidence;
    let mut out = Vec::new();
    for d in &DRAWN {
        let series = series_of(report, d);
        if series.is_empty() {
            continue;
        }
        let note = if alarms.is_empty() {
            format!("{} No alarm raised.", d.note)
        } else {
            format!("{} Alarms: {}.", d.note, alarms.join("; "))
        };
        out.push((
            d.stem,
            FanChart {
                title: d.title.to_string(),
                subtitle: Some(format!("{} ({} rows)", report.log.display(), report.rows)),
                note: Some(note),
                x_label: "quarter".into(),
                y_label: d.y_label.into(),
                series,
                counts: false,
                interval: Some(
                    d.band
                        .map_or_else(String::new, |b| format!("{b}, {:.0}%", confidence * 100.0)),
                ),
            },
        ));
    }
    out
}

/// Writes the charts with data; returns the stems written with their titles.
fn write_charts(report: &MonitorReport, dir: &Path) -> Result<Vec<(&'static str, String)>> {
    let mut written = Vec::new();
    for (stem, chart) in monitor_charts(report) {
        fan_chart(
            &chart,
            dir,
            stem,
            &Output::inches(6.0, 4.0, 200.0),
            &Theme::journal(),
        )
        .map_err(|e| crate::error::Error::format(dir.join(stem), e))?;
        written.push((stem, chart.title));
    }
    Ok(written)
}

/// A self-contained page: the alarms, the charts (as linked PNG files of the folder) and the
/// per-quarter table of the whole log.
fn report_html(report: &MonitorReport, charts: &[(&str, String)]) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let opt = |x: Option<f64>| x.map_or("–".to_string(), |v| format!("{v:.4}"));
    let mut h = String::from(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>herdlab monitor</title>\
         <style>body{font-family:sans-serif;max-width:60em;margin:2em auto}\
         table{border-collapse:collapse}td,th{padding:.2em .6em;border-bottom:1px solid #ccc;text-align:right}\
         .alarm{color:#b00}</style></head><body>",
    );
    h += &format!(
        "<h1>Herding monitor</h1><p>Log <code>{}</code>: {} rows, {} quarters{}.</p>",
        esc(&report.log.display().to_string()),
        report.rows,
        report.quarters.len(),
        if report.creditworthy_known {
            "; measures among creditworthy applicants"
        } else {
            ""
        }
    );
    if report.alarms.is_empty() {
        h += "<p>No alarm was raised.</p>";
    } else {
        h += "<h2 class=\"alarm\">Alarms</h2><ul>";
        for a in &report.alarms {
            h += &format!(
                "<li class=\"alarm\">{}: {:?} over its threshold from quarter {}, raised in quarter {} (value {:.3}); response from quarter {}</li>",
                esc(a.region.as_deref().unwrap_or("all regions")),
                a.measure,
                a.first_quarter_over,
                a.raised_quarter,
                a.value,
                a.response_quarter
            );
        }
        h += "</ul>";
    }
    for (stem, title) in charts {
        h += &format!(
            "<figure><img src=\"{stem}.png\" alt=\"{t}\" style=\"max-width:100%\"><figcaption>{t} (data: <a href=\"{stem}.csv\">{stem}.csv</a>)</figcaption></figure>",
            t = esc(title)
        );
    }
    h += "<h2>Per quarter, whole log</h2><table><tr><th>quarter</th><th>applicants</th><th>banks</th>\
          <th>approval rate</th><th>systemic rejection ratio</th><th>95% interval</th>\
          <th>decision agreement</th><th>shared-model excess</th><th>LSV</th><th>alarm</th></tr>";
    for q in &report.quarters {
        h += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.3}</td><td>{}</td><td>[{}, {}]</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            q.quarter,
            q.applicants,
            q.banks,
            q.approval_rate,
            opt(q.systemic_rejection_ratio),
            opt(q.ratio_ci_low),
            opt(q.ratio_ci_high),
            opt(q.decision_agreement),
            opt(q.shared_model_excess),
            opt(q.lsv),
            if q.alarm { "yes" } else { "" }
        );
    }
    h += "</table><p>Files: <a href=\"summary.json\">summary.json</a>, <a href=\"quarters.csv\">quarters.csv</a>, \
          quarters.parquet. Measures and formulas: docs/monitor.md.</p></body></html>\n";
    h
}
