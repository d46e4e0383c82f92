//! Progress and cancellation for the command line's runs: an [`Observer`] that drives a progress bar on a terminal,
//! prints a plain line every few seconds otherwise, or stays silent, and stops the run when a
//! shared flag (set by the Ctrl-C handler) is raised.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sim::montecarlo::Observer;

/// How progress is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A progress bar (stderr is a terminal).
    Bar,
    /// A plain line every `every` (logs, schedulers).
    Lines {
        /// Interval between lines.
        every: Duration,
    },
    /// Nothing.
    Quiet,
}

impl Mode {
    /// The bar on a terminal, plain lines every 10 s otherwise, nothing if `quiet`.
    pub fn detect(quiet: bool) -> Mode {
        if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            Mode::Bar
        } else {
            Mode::Lines {
                every: Duration::from_secs(10),
            }
        }
    }
}

/// Shows the progress of one run on stderr and relays cancellation.
pub struct Progress {
    label: String,
    mode: Mode,
    stop: Arc<AtomicBool>,
    bar: Option<ProgressBar>,
    start: Instant,
    last_line: Mutex<Instant>,
    /// Paths done before this process started (a resumed run), left out of the rate.
    base: AtomicU64,
    /// Whether a path of this process has finished (until then, progress is shown by quarter).
    any_path_done: AtomicBool,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("label", &self.label)
            .field("mode", &self.mode)
            .finish()
    }
}

impl Progress {
    /// Starts showing progress of a run of `total` paths, labelled `label` (e.g. the scenario).
    pub fn new(label: &str, total: u64, mode: Mode, stop: Arc<AtomicBool>) -> Progress {
        let bar = (mode == Mode::Bar).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{prefix} [{bar:30}] {pos}/{len} paths  {rate}  {eta} left  {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{:.1} paths/s", state.per_sec());
                },
            )
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(label.to_string());
            bar
        });
        let now = Instant::now();
        Progress {
            label: label.into(),
            mode,
            stop,
            bar,
            start: now,
            last_line: Mutex::new(now),
            base: AtomicU64::new(0),
            any_path_done: AtomicBool::new(false),
        }
    }

    /// Starts from `done` paths finished earlier (a resumed run): the bar starts there and the
    /// rate and time left count only the paths run now.
    pub fn start_at(&self, done: u64) {
        self.base.store(done, Ordering::Relaxed);
        if let Some(bar) = &self.bar {
            bar.set_position(done);
            bar.reset_eta();
        }
    }

    /// Clears the bar (call when the run ends).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    /// The bar is cleared when the run it shows ends.
    fn drop(&mut self) {
        self.finish();
    }
}

/// The progress line shown while no path has finished yet: the quarter reached by the path
/// reporting, the time so far and the time a path takes at that pace.
pub fn quarter_line(label: &str, path: u64, quarter: u32, quarters: u32, secs: f64) -> String {
    let per_path = secs * f64::from(quarters) / f64::from(quarter.max(1));
    format!(
        "{label}: path {path} at quarter {quarter} of {quarters} after {secs:.0} s; about {per_path:.0} s a path at this pace (first paths under way)"
    )
}

impl Observer for Progress {
    fn quarter_done(&self, path: u64, quarter: u32, quarters: u32) {
        if self.any_path_done.load(Ordering::Relaxed) {
            return;
        }
        let secs = self.start.elapsed().as_secs_f64();
        match self.mode {
            Mode::Quiet => {}
            Mode::Bar => {
                if let Some(bar) = &self.bar {
                    bar.set_message(format!("(path {path}: quarter {quarter}/{quarters})"));
                }
            }
            Mode::Lines { every } => {
                let Ok(mut last) = self.last_line.lock() else {
                    return;
                };
                let now = Instant::now();
                if now.duration_since(*last) < every {
                    return;
                }
                *last = now;
                eprintln!(
                    "{}",
                    quarter_line(&self.label, path, quarter, quarters, secs)
                );
            }
        }
    }

    fn path_done(&self, done: u64, total: u64) {
        if !self.any_path_done.swap(true, Ordering::Relaxed)
            && let Some(bar) = &self.bar
        {
            bar.set_message("");
        }
        match self.mode {
            Mode::Quiet => {}
            Mode::Bar => {
                if let Some(bar) = &self.bar {
                    bar.set_position(done);
                }
            }
            Mode::Lines { every } => {
                let now = Instant::now();
                let Ok(mut last) = self.last_line.lock() else {
                    return;
                };
                if now.duration_since(*last) < every && done < total {
                    return;
                }
                *last = now;
                let secs = now.duration_since(self.start).as_secs_f64().max(1e-9);
                let base = self.base.load(Ordering::Relaxed);
                let rate = done.saturating_sub(base) as f64 / secs;
                let left = if rate > 0.0 {
                    (total - done) as f64 / rate
                } else {
                    0.0
                };
                eprintln!(
                    "{}: {done}/{total} paths ({:.1}%), {rate:.1} paths/s, about {left:.0} s left",
                    self.label,
                    100.0 * done as f64 / total.max(1) as f64,
                );
            }
        }
    }

    fn should_stop(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quarter_line_says_where_the_first_path_is_and_what_a_path_takes() {
        assert_eq!(
            quarter_line("china-region", 0, 3, 12, 45.2),
            "china-region: path 0 at quarter 3 of 12 after 45 s; about 181 s a path at this pace (first paths under way)"
        );
    }

    #[test]
    fn quarter_progress_stops_once_a_path_is_done() {
        let p = Progress::new("x", 2, Mode::Quiet, Arc::new(AtomicBool::new(false)));
        assert!(!p.any_path_done.load(Ordering::Relaxed));
        p.quarter_done(0, 1, 4);
        p.path_done(1, 2);
        assert!(p.any_path_done.load(Ordering::Relaxed));
    }
}
