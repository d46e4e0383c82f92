//! `herdlab monitor LOG --out DIR`: the herding measures and alarms of MODEL.md §10 on a log of
//! credit decisions (see docs/monitor.md), through `reports::service::monitor_log`.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use clap::Args;
use reports::error::{Error, Result};
use reports::service::{self, MonitorOutcome, MonitorRequest};

use super::Context;

/// The flags of `herdlab monitor`.
#[derive(Debug, Args)]
pub(crate) struct MonitorArgs {
    /// The decision log: CSV with a header, or Parquet (columns in docs/monitor.md).
    log: PathBuf,
    /// Result folder.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Replace an existing herdlab result folder.
    #[arg(long)]
    force: bool,
    /// Take the alarm rule (measure, threshold, lag) from this scenario's [policy.herding_alarm].
    #[arg(long, value_name = "FILE")]
    scenario: Option<String>,
    /// Alarm measure: systemic-rejection-ratio, decision-agreement, lsv or shared-model-excess
    /// (needs a family column) [default: systemic-rejection-ratio].
    #[arg(long, value_name = "NAME")]
    measure: Option<String>,
    /// Alarm threshold [default: 2.5].
    #[arg(long, value_name = "X")]
    threshold: Option<f64>,
    /// Quarters the measure must stay over the threshold before the alarm is raised [default: 2].
    #[arg(long, value_name = "Q")]
    persistence: Option<u32>,
    /// Quarters from the alarm to the response [default: 1].
    #[arg(long, value_name = "Q")]
    lag: Option<u32>,
    /// Compute no alarm.
    #[arg(long, conflicts_with_all = ["scenario", "measure", "threshold", "persistence", "lag"])]
    no_alarm: bool,
    /// Fewest shared applicants for a bank pair to enter decision agreement.
    #[arg(long, value_name = "N", default_value_t = 30)]
    min_shared: u64,
    /// Bootstrap resamples of the systemic-rejection ratio's interval (0: none).
    #[arg(long, value_name = "N", default_value_t = 999)]
    resamples: u32,
    /// Follow a growing log: re-read it every SECONDS and rewrite the result folder, until Ctrl-C.
    #[arg(long, value_name = "SECONDS")]
    follow: Option<f64>,
}

/// Runs `herdlab monitor`. An alarm is reported through [`Error::AlarmRaised`] (exit status
/// [`monitor::EXIT_ALARM`]) after the folder is written.
pub(crate) fn execute(a: MonitorArgs, ctx: &Context) -> Result<()> {
    let mut settings = monitor::Settings {
        min_shared: a.min_shared,
        resamples: a.resamples,
        ..Default::default()
    };
    settings.alarm = if a.no_alarm {
        None
    } else {
        let mut rule = match &a.scenario {
            Some(file) => {
                let s = service::validate(file)?.scenario;
                match &s.policy.alarm {
                    Some(alarm) => monitor::AlarmRule::from_scenario(
                        alarm,
                        monitor::AlarmRule::default().persistence,
                    ),
                    None => {
                        return Err(Error::Usage(format!(
                            "--scenario {file}: it has no [policy.herding_alarm] to take the rule from"
                        )));
                    }
                }
            }
            None => monitor::AlarmRule::default(),
        };
        if let Some(m) = &a.measure {
            rule.measure = monitor::Measure::from_name(m)?;
        }
        if let Some(t) = a.threshold {
            if !t.is_finite() {
                return Err(Error::Usage(format!(
                    "--threshold {t}: a finite number is needed"
                )));
            }
            rule.threshold = t;
        }
        if let Some(p) = a.persistence {
            rule.persistence = p;
        }
        if let Some(l) = a.lag {
            rule.lag = l;
        }
        Some(rule)
    };
    let request = MonitorRequest {
        log: a.log,
        out: a.out,
        force: a.force,
        settings,
    };
    let outcome = match a.follow {
        None => service::monitor_log(&request)?,
        Some(secs) => {
            if !(secs.is_finite() && secs > 0.0 && secs <= 86_400.0) {
                return Err(Error::Usage(format!(
                    "--follow {secs}: seconds between reads, more than 0 and at most 86400"
                )));
            }
            let stop = || ctx.stop.load(Ordering::SeqCst);
            let mut printed = 0;
            service::follow_log(&request, Duration::from_secs_f64(secs), &stop, &mut |r| {
                for q in &r.quarters[printed.min(r.quarters.len())..] {
                    if ctx.tables {
                        print_quarter(q);
                    }
                }
                printed = r.quarters.len();
            })?
        }
    };
    if ctx.tables {
        print_outcome(&outcome);
    }
    if outcome.report.alarm_raised() {
        return Err(Error::AlarmRaised {
            alarms: outcome.report.alarms.len(),
            folder: outcome.folder,
        });
    }
    Ok(())
}

fn opt(x: Option<f64>) -> String {
    x.map_or("-".into(), |v| format!("{v:.3}"))
}

fn print_quarter(q: &monitor::QuarterMeasures) {
    println!(
        "  {:>7}  {:>10}  {:>6}  {:>8}  {:>10}  {:>17}  {:>9}  {:>7}  {:>7}  {}",
        q.quarter,
        q.applicants,
        q.banks,
        format!("{:.3}", q.approval_rate),
        opt(q.systemic_rejection_ratio),
        format!("[{}, {}]", opt(q.ratio_ci_low), opt(q.ratio_ci_high)),
        opt(q.decision_agreement),
        opt(q.shared_model_excess),
        opt(q.lsv),
        if q.alarm { "ALARM" } else { "" }
    );
}

fn print_outcome(o: &MonitorOutcome) {
    let r = &o.report;
    println!(
        "{}: {} rows, {} quarters{}",
        r.log.display(),
        r.rows,
        r.quarters.len(),
        if r.creditworthy_known {
            " (measures among creditworthy applicants)"
        } else {
            ""
        }
    );
    println!(
        "  {:>7}  {:>10}  {:>6}  {:>8}  {:>10}  {:>17}  {:>9}  {:>7}  {:>7}",
        "quarter",
        "applicants",
        "banks",
        "approved",
        "SR ratio",
        "95% interval",
        "agreement",
        "excess",
        "LSV"
    );
    for q in &r.quarters {
        print_quarter(q);
    }
    for a in &r.alarms {
        println!(
            "alarm: {} — {:?} over the threshold from quarter {}, raised in quarter {} (value {:.3})",
            a.region.as_deref().unwrap_or("all regions"),
            a.measure,
            a.first_quarter_over,
            a.raised_quarter,
            a.value
        );
    }
    println!("results written to {}", o.folder.display());
}
