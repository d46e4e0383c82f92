//! `herdlab slurm ...`: the flags, and what is printed from [`reports::slurm`]'s outcomes.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use reports::error::Result;
use reports::service::RunSettings;
use reports::slurm::{self, Collected, JobOptions, Submitted};

use super::{Context, RunArgs, print_report};

/// `herdlab slurm ...`.
#[derive(Debug, Args)]
pub(crate) struct SlurmArgs {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: SlurmCommand,
}

/// The `slurm` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum SlurmCommand {
    /// Submit a sharded run: an array job with one task per shard, then a job that merges them.
    Run {
        /// Scenario file, or the name of a bundled scenario.
        scenario: String,
        /// Number of shards (array tasks).
        #[arg(long, value_name = "K")]
        shards: u64,
        /// Run settings, passed to every task.
        #[command(flatten)]
        run: RunArgs,
        /// Slurm settings.
        #[command(flatten)]
        job: JobArgs,
        /// Job folder, on a file system the compute nodes share [default: results/slurm-NAME].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Print the scripts and the sbatch commands; write and submit nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Submit a sweep: an array job with one task per cell, then a job that writes grid.csv.
    Sweep {
        /// Scenario file or bundled scenario name.
        scenario: String,
        /// PATH=VALUES, as for `herdlab sweep`.
        #[arg(long, required = true, value_name = "PATH=VALUES")]
        vary: Vec<String>,
        /// Run settings, passed to every task.
        #[command(flatten)]
        run: RunArgs,
        /// Slurm settings.
        #[command(flatten)]
        job: JobArgs,
        /// Job folder, on a file system the compute nodes share [default: results/slurm-sweep-NAME].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Print the scripts and the sbatch commands; write and submit nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Say which shards or cells of a job folder are done, running or missing.
    ///
    /// Exit code 0 when the merged result is written, 3 when it is not yet.
    Status {
        /// The job folder (`--out` of `slurm run` or `slurm sweep`).
        dir: PathBuf,
    },
    /// Merge the shards (or assemble the cells) of a job folder into DIR/result.
    ///
    /// This is what the second job runs; run it by hand after rerunning failed tasks.
    Collect {
        /// The job folder.
        dir: PathBuf,
    },
}

/// Slurm settings: each becomes an `#SBATCH` line of both scripts unless said otherwise.
#[derive(Debug, Default, Args)]
pub(crate) struct JobArgs {
    /// Partition (`--partition`).
    #[arg(long, value_name = "P")]
    pub(crate) partition: Option<String>,
    /// Time limit per task and for the merging job (`--time`, e.g. 30, 2:00:00, 1-00:00:00).
    #[arg(long, value_name = "T")]
    pub(crate) time: Option<String>,
    /// Memory per task and for the merging job (`--mem`, e.g. 4G); also the tasks'
    /// --max-memory unless that is given.
    #[arg(long, value_name = "M")]
    pub(crate) mem: Option<String>,
    /// CPUs per task (`--cpus-per-task`) [default: --threads, else 1].
    #[arg(long, value_name = "C")]
    pub(crate) cpus_per_task: Option<u32>,
    /// Account to charge (`--account`).
    #[arg(long, value_name = "A")]
    pub(crate) account: Option<String>,
    /// Quality of service (`--qos`).
    #[arg(long, value_name = "Q")]
    pub(crate) qos: Option<String>,
    /// Run at most L tasks at once (`--array=1-K%L`).
    #[arg(long, value_name = "L")]
    pub(crate) array_limit: Option<u32>,
    /// Job name [default: herdlab-NAME].
    #[arg(long, value_name = "NAME")]
    pub(crate) job_name: Option<String>,
    /// Any other sbatch option, e.g. --sbatch-arg=--constraint=ib (repeatable).
    #[arg(long = "sbatch-arg", value_name = "OPTION", allow_hyphen_values = true)]
    pub(crate) sbatch_args: Vec<String>,
    /// The herdlab program as the compute nodes see it [default: this program].
    #[arg(long, value_name = "PATH")]
    pub(crate) herdlab: Option<PathBuf>,
}

impl From<JobArgs> for JobOptions {
    fn from(a: JobArgs) -> JobOptions {
        JobOptions {
            partition: a.partition,
            time: a.time,
            mem: a.mem,
            cpus_per_task: a.cpus_per_task,
            account: a.account,
            qos: a.qos,
            array_limit: a.array_limit,
            job_name: a.job_name,
            sbatch_args: a.sbatch_args,
            herdlab: a.herdlab,
        }
    }
}

/// Runs `herdlab slurm ...`.
pub(crate) fn execute(args: SlurmArgs, ctx: &Context) -> Result<()> {
    match args.command {
        SlurmCommand::Run {
            scenario,
            shards,
            run,
            job,
            out,
            dry_run,
        } => {
            let settings = RunSettings::from(&run);
            let plan = slurm::plan_run(&scenario, shards, &settings)?;
            let out = out.unwrap_or_else(|| {
                PathBuf::from("results").join(format!("slurm-{}", plan.scenario_name))
            });
            let submitted = slurm::submit(&plan, &settings, &job.into(), &out, dry_run, ctx)?;
            print_submitted(ctx, &plan, &submitted);
            Ok(())
        }
        SlurmCommand::Sweep {
            scenario,
            vary,
            run,
            job,
            out,
            dry_run,
        } => {
            let settings = RunSettings::from(&run);
            let plan = slurm::plan_sweep(&scenario, &vary, &settings)?;
            let out = out.unwrap_or_else(|| {
                PathBuf::from("results").join(format!("slurm-sweep-{}", plan.scenario_name))
            });
            let submitted = slurm::submit(&plan, &settings, &job.into(), &out, dry_run, ctx)?;
            print_submitted(ctx, &plan, &submitted);
            Ok(())
        }
        SlurmCommand::Status { dir } => {
            let status = slurm::status(&dir)?;
            print!("{status}");
            match status.unfinished() {
                Some(e) => Err(e),
                None => Ok(()),
            }
        }
        SlurmCommand::Collect { dir } => {
            match slurm::collect(&dir, &ctx.command_line)? {
                Collected::Complete { folder } => {
                    if ctx.tables {
                        println!("{} is complete already", folder.display());
                    }
                }
                Collected::Merged {
                    shards,
                    folder,
                    report,
                } => {
                    if ctx.tables {
                        println!("merged {shards} shards into {}", folder.display());
                    }
                    print_report(ctx, report.as_deref());
                }
                Collected::Assembled {
                    cells,
                    folder,
                    report,
                } => {
                    if ctx.tables {
                        println!("assembled {cells} cells into {}", folder.display());
                    }
                    print_report(ctx, report.as_deref());
                }
            }
            Ok(())
        }
    }
}

fn print_submitted(ctx: &Context, plan: &slurm::Plan, submitted: &Submitted) {
    match submitted {
        Submitted::DryRun {
            job_path,
            merge_path,
            scripts,
        } => {
            println!("# {}\n{}", job_path.display(), scripts.job);
            println!("# {}\n{}", merge_path.display(), scripts.merge);
            println!("# would submit:");
            println!("#   sbatch --parsable {}", job_path.display());
            println!(
                "#   sbatch --parsable --dependency=afterany:<array job id> {}",
                merge_path.display()
            );
        }
        Submitted::Complete { folder } => {
            if ctx.tables {
                println!("{}/result is complete; nothing to submit", folder.display());
            }
        }
        Submitted::Submitted {
            folder,
            array_job,
            array,
            merge_job,
        } => {
            if ctx.tables {
                match array_job {
                    Some(id) => println!(
                        "submitted array job {id} ({}s {array} of {}: {}) and merge job {merge_job} (after it)",
                        plan.noun(),
                        plan.tasks,
                        plan.scenario_name
                    ),
                    None => println!(
                        "every {} is complete; submitted merge job {merge_job}",
                        plan.noun()
                    ),
                }
                println!(
                    "result in {}/result; follow with `herdlab slurm status {}`",
                    folder.display(),
                    folder.display()
                );
            }
        }
    }
}
