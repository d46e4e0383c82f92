//! Runs the monitor on a log and prints rows per second and the crate's peak state:
//! `cargo run --release -p herdlab-monitor --example monitorlog -- LOG [OUT_DIR]` (with
//! `/usr/bin/time -v` for the peak RSS). Writes the result tables into OUT_DIR when given (`-` for
//! none); a third argument sets the bootstrap resamples (default 999).

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let log = PathBuf::from(args.next().ok_or("usage: monitorlog LOG [OUT_DIR]")?);
    let out = args.next().filter(|o| o != "-");
    let mut settings = monitor::Settings::default();
    if let Some(r) = args.next() {
        settings.resamples = r.parse()?;
    }
    let started = std::time::Instant::now();
    let report = monitor::run(&monitor::Request { log, settings })?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{} rows, {} quarters in {secs:.1} s: {:.2} million rows/s; peak state {:.1} MB; alarms {}",
        report.rows,
        report.quarters.len(),
        report.rows as f64 / secs / 1e6,
        report.peak_state_bytes as f64 / 1e6,
        report.alarms.len()
    );
    if let Some(q) = report.quarters.first() {
        println!(
            "quarter {}: ratio {:?} [{:?}, {:?}], agreement {:?}, lsv {:?}",
            q.quarter,
            q.systemic_rejection_ratio,
            q.ratio_ci_low,
            q.ratio_ci_high,
            q.decision_agreement,
            q.lsv
        );
    }
    if let Some(out) = out {
        monitor::output::write_tables(&report, &PathBuf::from(out))?;
    }
    std::process::exit(if report.alarm_raised() {
        monitor::EXIT_ALARM
    } else {
        0
    });
}
