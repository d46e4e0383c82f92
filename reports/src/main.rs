//! `herdlab`: run, compare, sweep, validate and merge herdlab scenarios from the command line.
//! See `herdlab --help` and `docs/outputs.md`.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;

mod cli;

use cli::progress::Mode;
use cli::{Cli, Context};

/// Ends the program quietly when its output is closed early (`herdlab scenarios | head -1`):
/// Rust's `println!` panics on a broken pipe. The exit status is 141 (128 + SIGPIPE), as for any
/// Unix tool killed by a closed pipe, so `set -o pipefail` scripts still see that not everything
/// was printed, and a failed command is never reported as a success. Result folders are
/// committed before anything is printed, so nothing is left half-written.
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

/// The error and its causes, `: `-separated, leaving out a cause the message already quotes (an
/// I/O error's message names its cause).
fn message(e: &reports::Error) -> String {
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        let said = c.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        cause = c.source();
    }
    text
}

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let command_line: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let cli = Cli::parse();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let handler = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            // A second Ctrl-C: leave at once (partial folders are hidden and named `.partial`).
            std::process::exit(i32::from(reports::exit::INTERRUPTED));
        }
    });
    if let Err(e) = handler {
        eprintln!("warning: Ctrl-C will not stop runs cleanly: {e}");
    }
    let ctx = Context {
        stop,
        command_line,
        mode: Mode::detect(cli.quiet),
        tables: !cli.quiet,
    };
    match cli::execute(cli, &ctx) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = e.exit_code();
            if matches!(e, reports::error::Error::AlarmRaised { .. }) {
                // Not a failure: the monitor's documented status for an alarm.
                eprintln!("{e}");
            } else {
                eprintln!("error: {}", message(&e));
                if matches!(e, reports::Error::Sim(sim::Error::TooLarge { .. })) {
                    eprintln!(
                        "hint: the default limit is 75% of the least of physical memory, the control group's limit and `ulimit -v`; fewer --threads need less, and --max-memory SIZE sets the limit"
                    );
                }
            }
            ExitCode::from(code)
        }
    }
}
