//! `herdlab`: run, compare, sweep, validate and merge herdlab scenarios from the command line.
//! See `herdlab --help` and `docs/outputs.md`.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::Parser;
use reports::commands::{self, Cli, Context};
use reports::progress::Mode;

fn main() -> ExitCode {
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
    match commands::execute(cli, &ctx) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = e.exit_code();
            eprintln!("error: {:#}", anyhow::Error::new(e));
            ExitCode::from(code)
        }
    }
}
