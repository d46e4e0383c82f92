//! Validation of raw values into a [`Scenario`]: every field checked against the parameter table
//! ([`super::params::PARAMS`]) and for consistency, every problem collected (not just the first).

use std::path::Path;

use super::FORMAT_VERSION;
use super::check::{Checker, fmt_num};
use super::params::{Param, param};
use super::raw::{RawBankParams, RawScenario};
use super::{
    Alarm, AlarmMeasure, Bank, BankParams, Banking, Family, Firms, Models, Policy, Rates, Region,
    Review, RunSettings, Scenario, Shock, Sources, apply_diversity_cap, banks, contagion, moving,
};
use crate::error::{Error, Result};

impl Scenario {
    /// Validates raw values; data-file paths are relative to `dir`. Every problem found is
    /// reported, not just the first.
    pub fn from_raw(
        raw: &RawScenario,
        file: &str,
        dir: &Path,
        sources: &dyn Sources,
    ) -> Result<Scenario> {
        let mut c = Checker::new();
        let s = validate(raw, &mut c, file, dir, sources)?;
        if c.problems.is_empty() {
            Ok(s)
        } else {
            Err(Error::Invalid {
                file: file.into(),
                problems: c.problems,
            })
        }
    }
}

/// Validates `raw` part by part, in the order of the format, collecting every problem in `c`.
/// Data files are read through `sources`, relative to `dir`; only an unreadable data file ends
/// validation early (an error, not a problem).
fn validate(
    raw: &RawScenario,
    c: &mut Checker,
    file: &str,
    dir: &Path,
    sources: &dyn Sources,
) -> Result<Scenario> {
    check_version(raw, c);
    let run = validate_run(raw, c);
    let quarters = run.quarters;
    let rates = validate_rates(raw, c, quarters);
    let regions = validate_regions(raw, c);
    let (similarity, families) = validate_models(raw, c, rates.initial);
    let (banking, defaults) = validate_banking(raw, c);
    let ctx = banks::Ctx {
        regions: &regions,
        families: &families,
        banking: &banking,
        defaults: &defaults,
        file,
        dir,
        sources,
    };
    let mut banks = validate_banks(raw, c, &ctx)?;
    let firms = validate_firms(raw, c, &banks);

    // policy (the diversity cap may move banks between families) and models that move
    let policy = validate_policy(raw, c, &families, &mut banks, &banking);
    let switching = moving::switching(c, &raw.adoption);
    let incidents = moving::incidents(c, &raw.models.incidents, &families, quarters);

    // contagion and shocks
    let contagion = contagion::validate_contagion(&raw.contagion, c, &banks, file, dir, sources)?;
    let shocks = contagion::validate_events(&raw.shocks, c, &banks, &regions, &contagion, quarters);

    Ok(Scenario {
        name: raw.name.clone().unwrap_or_else(|| {
            Path::new(file)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        }),
        description: raw.description.clone().unwrap_or_default(),
        currency: raw
            .currency
            .clone()
            .unwrap_or_else(|| super::DEFAULT_CURRENCY.into()),
        run,
        rates,
        firms,
        regions,
        models: Models {
            similarity,
            switching,
            incidents,
            families,
        },
        banking,
        banks,
        policy,
        contagion,
        shocks,
    })
}

/// `version`: present and the one this engine reads.
fn check_version(raw: &RawScenario, c: &mut Checker) {
    match raw.version {
        Some(FORMAT_VERSION) => {}
        Some(v) => c.problem(
            "version",
            v.to_string(),
            format!("this herdlab reads version {FORMAT_VERSION}"),
        ),
        None => c.problem(
            "version",
            "(missing)",
            format!("required: version = {FORMAT_VERSION}"),
        ),
    }
}

/// `[run]`: the run settings.
fn validate_run(raw: &RawScenario, c: &mut Checker) -> RunSettings {
    let quarters = c.int("run.quarters", "run.quarters", raw.run.quarters) as u32;
    RunSettings {
        paths: c.int("run.paths", "run.paths", raw.run.paths) as u64,
        seed: c.int("run.seed", "run.seed", raw.run.seed) as u64,
        quarters,
        systemic_share: c.num(
            "run.systemic_share",
            "run.systemic_share",
            raw.run.systemic_share,
        ),
        probe_firms: c.int("run.probe_firms", "run.probe_firms", raw.run.probe_firms) as usize,
        bank_detail: raw.run.bank_detail.unwrap_or(true),
    }
}

/// `[[regions]]`: names unique, firm shares normalised to sum to 1.
fn validate_regions(raw: &RawScenario, c: &mut Checker) -> Vec<Region> {
    if raw.regions.is_empty() {
        c.problem("regions", "(none)", "at least one [[regions]] entry");
    }
    let mut regions = Vec::new();
    for (i, r) in raw.regions.iter().enumerate() {
        let at = |f: &str| format!("regions[{i}].{f}");
        let name = match &r.name {
            Some(n) if !n.trim().is_empty() => n.clone(),
            _ => {
                c.problem(at("name"), "(missing)", "a non-empty name");
                format!("region{i}")
            }
        };
        if regions.iter().any(|x: &Region| x.name == name) {
            c.problem(
                at("name"),
                format!("{name:?}"),
                "region names must be unique",
            );
        }
        regions.push(Region {
            name,
            firm_share: c.num("regions[].firm_share", &at("firm_share"), r.firm_share),
            quality_mean: c.num(
                "regions[].quality_mean",
                &at("quality_mean"),
                r.quality_mean,
            ),
            pd_intercept: c.num(
                "regions[].pd_intercept",
                &at("pd_intercept"),
                r.pd_intercept,
            ),
        });
    }
    let share_sum: f64 = regions.iter().map(|r| r.firm_share).sum();
    if !regions.is_empty() && share_sum <= 0.0 {
        c.problem(
            "regions[].firm_share",
            "0 in every region",
            "at least one region needs firms",
        );
    } else {
        for r in &mut regions {
            r.firm_share /= share_sum.max(f64::MIN_POSITIVE);
        }
    }
    regions
}

/// `[models]`: the similarity and the families (each with its shift and retraining, which
/// need the initial rate).
fn validate_models(raw: &RawScenario, c: &mut Checker, initial_rate: f64) -> (f64, Vec<Family>) {
    let similarity = c.num(
        "models.similarity",
        "models.similarity",
        raw.models.similarity,
    );
    if raw.models.families.is_empty() {
        c.problem(
            "models.families",
            "(none)",
            "at least one [[models.families]] entry",
        );
    }
    let mut families: Vec<Family> = Vec::new();
    for (i, f) in raw.models.families.iter().enumerate() {
        let at = |x: &str| format!("models.families[{i}].{x}");
        let name = match &f.name {
            Some(n) if !n.trim().is_empty() => n.clone(),
            _ => {
                c.problem(at("name"), "(missing)", "a non-empty name");
                format!("family{i}")
            }
        };
        if families.iter().any(|x| x.name == name) {
            c.problem(
                at("name"),
                format!("{name:?}"),
                "family names must be unique",
            );
        }
        let (shift, retraining) = moving::family_motion(c, i, f, initial_rate);
        families.push(Family {
            name,
            error_scale: c.num(
                "models.families[].error_scale",
                &at("error_scale"),
                f.error_scale,
            ),
            rate_reaction: c.num(
                "models.families[].rate_reaction",
                &at("rate_reaction"),
                f.rate_reaction,
            ),
            shift,
            retraining,
        });
    }
    (similarity, families)
}

/// `[banking]` and `[bank_defaults]`: the system-wide parameters and the bank parameters every
/// bank inherits.
fn validate_banking(raw: &RawScenario, c: &mut Checker) -> (Banking, BankParams) {
    let b = &raw.banking;
    let banking = Banking {
        max_applications: c.int(
            "banking.max_applications",
            "banking.max_applications",
            b.max_applications,
        ) as usize,
        car_min: c.num("banking.car_min", "banking.car_min", b.car_min),
        capital_pressure: c.num(
            "banking.capital_pressure",
            "banking.capital_pressure",
            b.capital_pressure,
        ),
        rw_sme: c.num("banking.rw_sme", "banking.rw_sme", b.rw_sme),
        rw_bonds: c.num("banking.rw_bonds", "banking.rw_bonds", b.rw_bonds),
        rw_interbank: c.num(
            "banking.rw_interbank",
            "banking.rw_interbank",
            b.rw_interbank,
        ),
    };
    let rw_other_default = c.num("banking.rw_other", "banking.rw_other", b.rw_other);
    let defaults = bank_params(
        c,
        "bank_defaults",
        &raw.bank_defaults,
        None,
        rw_other_default,
    );
    (banking, defaults)
}

/// `[[banks]]`, `[[bank_groups]]` and `[[bank_files]]`, in that order, families set by
/// `[adoption]` shares where the file leaves them open; ids unique across all three.
fn validate_banks(raw: &RawScenario, c: &mut Checker, ctx: &banks::Ctx<'_>) -> Result<Vec<Bank>> {
    let mut banks = banks::build_banks(raw, ctx, c)?;
    banks::adopt_by_shares(raw, ctx.families, &mut banks, c);
    let mut ids: Vec<&str> = banks.iter().map(|b| b.bank.id.as_str()).collect();
    ids.sort_unstable();
    for w in ids.windows(2) {
        if w[0] == w[1] {
            c.problem(
                "banks",
                format!("{:?}", w[0]),
                "bank ids must be unique across banks, groups and files",
            );
        }
    }
    let banks: Vec<Bank> = banks.into_iter().map(|b| b.bank).collect();
    if banks.is_empty() {
        c.problem(
            "banks",
            "(none)",
            "at least one bank, from [[banks]], [[bank_groups]] or [[bank_files]]",
        );
    }
    Ok(banks)
}

/// `[firms]`; the weight (real firms per simulated firm), unless given, is calibrated so that the
/// firms' mean credit need matches the banks' SME loans.
fn validate_firms(raw: &RawScenario, c: &mut Checker, banks: &[Bank]) -> Firms {
    let fr = &raw.firms;
    let count = c.int("firms.count", "firms.count", fr.count) as usize;
    let size_median = c.num("firms.size_median", "firms.size_median", fr.size_median);
    let size_sigma = c.num("firms.size_sigma", "firms.size_sigma", fr.size_sigma);
    let total_sme: f64 = banks.iter().map(|b| b.sme_loans).sum();
    let weight = match fr.weight {
        Some(w) => c.num("firms.weight", "firms.weight", Some(w)),
        None => {
            let mean_need = size_median * (0.5 * size_sigma * size_sigma).exp();
            if count > 0 && total_sme > 0.0 {
                total_sme / (count as f64 * mean_need)
            } else {
                1.0
            }
        }
    };
    let firms = Firms {
        count,
        weight,
        lambda: c.num("firms.lambda", "firms.lambda", fr.lambda),
        beta: c.num("firms.beta", "firms.beta", fr.beta),
        rho_global: c.num("firms.rho_global", "firms.rho_global", fr.rho_global),
        rho_region: c.num("firms.rho_region", "firms.rho_region", fr.rho_region),
        need_probability: c.num(
            "firms.need_probability",
            "firms.need_probability",
            fr.need_probability,
        ),
        pd_cutoff: c.num("firms.pd_cutoff", "firms.pd_cutoff", fr.pd_cutoff),
        liquidity_pd: c.num("firms.liquidity_pd", "firms.liquidity_pd", fr.liquidity_pd),
        lgd: c.num("firms.lgd", "firms.lgd", fr.lgd),
        size_median,
        size_sigma,
    };
    if firms.rho_global + firms.rho_region >= 1.0 {
        c.problem(
            "firms.rho_region",
            fmt_num(firms.rho_region),
            format!(
                "rho_global + rho_region must be below 1 (rho_global = {})",
                fmt_num(firms.rho_global)
            ),
        );
    }
    if firms.count > 0 && total_sme <= 0.0 && fr.weight.is_none() && !banks.is_empty() {
        c.problem(
            "firms.weight",
            "(missing)",
            "required when no bank has SME loans to calibrate it from",
        );
    }
    firms
}

/// `[rates]`: the initial rate, its mean reversion and noise, and the scheduled shock (whose
/// fields must fit its kind).
fn validate_rates(raw: &RawScenario, c: &mut Checker, quarters: u32) -> Rates {
    let r = &raw.rates;
    let shock = match &r.shock {
        None => Shock::None,
        Some(s) => {
            let kind = s.kind.as_deref().unwrap_or("step");
            let used: &[&str] = match kind {
                "none" => &[],
                "step" => &["size", "at"],
                "ramp" => &["size", "start", "end"],
                "path" => &["values"],
                other => {
                    c.problem(
                        "rates.shock.kind",
                        format!("{other:?}"),
                        "one of \"none\", \"step\", \"ramp\", \"path\"",
                    );
                    &[]
                }
            };
            let present = [
                ("size", s.size.is_some()),
                ("at", s.at.is_some()),
                ("start", s.start.is_some()),
                ("end", s.end.is_some()),
                ("values", s.values.is_some()),
            ];
            for (f, is) in present {
                if is && !used.contains(&f) && ["none", "step", "ramp", "path"].contains(&kind) {
                    c.problem(
                        format!("rates.shock.{f}"),
                        "(set)",
                        format!("not used by kind = {kind:?}; remove it"),
                    );
                }
            }
            match kind {
                "step" => Shock::Step {
                    size: c.num("rates.shock.size", "rates.shock.size", s.size),
                    at: c.int("rates.shock.at", "rates.shock.at", s.at) as u32,
                },
                "ramp" => {
                    let start = c.int("rates.shock.start", "rates.shock.start", s.start) as u32;
                    let end = c.int("rates.shock.end", "rates.shock.end", s.end) as u32;
                    if end < start {
                        c.problem(
                            "rates.shock.end",
                            end.to_string(),
                            format!("must be at least rates.shock.start = {start}"),
                        );
                    }
                    Shock::Ramp {
                        size: c.num("rates.shock.size", "rates.shock.size", s.size),
                        start,
                        end: end.max(start),
                    }
                }
                "path" => {
                    let values = s.values.clone().unwrap_or_default();
                    if values.len() != quarters as usize {
                        c.problem(
                            "rates.shock.values",
                            format!("{} value(s)", values.len()),
                            format!("one value per quarter: {quarters}"),
                        );
                    }
                    let checked = values
                        .iter()
                        .enumerate()
                        .map(|(i, v)| {
                            c.num(
                                "rates.shock.values[]",
                                &format!("rates.shock.values[{i}]"),
                                Some(*v),
                            )
                        })
                        .collect();
                    Shock::Path(checked)
                }
                _ => Shock::None,
            }
        }
    };
    Rates {
        initial: c.num("rates.initial", "rates.initial", r.initial),
        kappa: c.num("rates.kappa", "rates.kappa", r.kappa),
        sigma: c.num("rates.sigma", "rates.sigma", r.sigma),
        shock,
    }
}

/// Resolves bank parameters: the entry's own, else `inherit` (the defaults), else the registry.
pub(crate) fn bank_params(
    c: &mut Checker,
    prefix: &str,
    p: &RawBankParams,
    inherit: Option<&BankParams>,
    rw_other_default: f64,
) -> BankParams {
    // Each field by its entry in the parameter table (`bank.*`), reported at `{prefix}.{field}`.
    let mut f = |spec: &'static Param, v: Option<f64>, inherited: Option<f64>| {
        let path = spec.path;
        let at = format!("{prefix}.{}", path.trim_start_matches("bank."));
        match inherited {
            Some(d) => c.num_or(path, &at, v, d),
            None => match v {
                None => spec.default.unwrap_or(rw_other_default),
                Some(_) => c.num(path, &at, v),
            },
        }
    };
    BankParams {
        spread: f(param("bank.spread"), p.spread, inherit.map(|d| d.spread)),
        deposit_beta: f(
            param("bank.deposit_beta"),
            p.deposit_beta,
            inherit.map(|d| d.deposit_beta),
        ),
        threshold: f(
            param("bank.threshold"),
            p.threshold,
            inherit.map(|d| d.threshold),
        ),
        fine_tuning: f(
            param("bank.fine_tuning"),
            p.fine_tuning,
            inherit.map(|d| d.fine_tuning),
        ),
        car_target: f(
            param("bank.car_target"),
            p.car_target,
            inherit.map(|d| d.car_target),
        ),
        bond_fv_share: f(
            param("bank.bond_fv_share"),
            p.bond_fv_share,
            inherit.map(|d| d.bond_fv_share),
        ),
        duration: f(
            param("bank.duration"),
            p.duration,
            inherit.map(|d| d.duration),
        ),
        rw_other: f(
            param("bank.rw_other"),
            p.rw_other,
            Some(inherit.map_or(rw_other_default, |d| d.rw_other)),
        ),
    }
}

/// `[policy]`: the diversity cap (applied here, moving banks between families), the herding
/// alarm and human review.
fn validate_policy(
    raw: &RawScenario,
    c: &mut Checker,
    families: &[Family],
    banks: &mut [Bank],
    banking: &Banking,
) -> Policy {
    let p = &raw.policy;
    let mut reassignments = Vec::new();
    let diversity_cap = match &p.diversity_cap {
        Some(d) if d.enabled.unwrap_or(true) => {
            let cap = c.num(
                "policy.diversity_cap.cap",
                "policy.diversity_cap.cap",
                d.cap,
            );
            if !banks.is_empty() && !families.is_empty() {
                match apply_diversity_cap(banks, families, cap) {
                    Ok(moves) => reassignments = moves,
                    Err(best) => c.problem(
                        "policy.diversity_cap.cap",
                        fmt_num(cap),
                        format!(
                            "cannot be met by moving whole banks between the {} families: the lowest largest-family share reachable is {:.4}",
                            families.len(),
                            best
                        ),
                    ),
                }
            }
            Some(cap)
        }
        _ => None,
    };
    let alarm = match &p.herding_alarm {
        Some(a) if a.enabled.unwrap_or(true) => {
            let measure = match a.measure.as_deref().unwrap_or("systemic-rejection-ratio") {
                "decision-agreement-excess" => AlarmMeasure::DecisionAgreementExcess,
                "systemic-rejection-ratio" => AlarmMeasure::SystemicRejectionRatio,
                "lsv" => AlarmMeasure::Lsv,
                other => {
                    c.problem(
                        "policy.herding_alarm.measure",
                        format!("{other:?}"),
                        format!(
                            "one of {}",
                            AlarmMeasure::NAMES.map(|n| format!("{n:?}")).join(", ")
                        ),
                    );
                    AlarmMeasure::SystemicRejectionRatio
                }
            };
            let release_points = c.num(
                "policy.herding_alarm.buffer_release",
                "policy.herding_alarm.buffer_release",
                a.buffer_release,
            );
            let release = release_points / 100.0;
            if release >= banking.car_min {
                c.problem(
                    "policy.herding_alarm.buffer_release",
                    fmt_num(release_points),
                    format!(
                        "must be below banking.car_min = {} points",
                        fmt_num(banking.car_min * 100.0)
                    ),
                );
            }
            Some(Alarm {
                measure,
                threshold: c.num(
                    "policy.herding_alarm.threshold",
                    "policy.herding_alarm.threshold",
                    a.threshold,
                ),
                lag: c.int(
                    "policy.herding_alarm.lag",
                    "policy.herding_alarm.lag",
                    a.lag,
                ) as u32,
                facility_budget: c.num(
                    "policy.herding_alarm.facility_budget",
                    "policy.herding_alarm.facility_budget",
                    a.facility_budget,
                ),
                facility_error_scale: c.num(
                    "policy.herding_alarm.facility_error_scale",
                    "policy.herding_alarm.facility_error_scale",
                    a.facility_error_scale,
                ),
                buffer_release: release.min(banking.car_min * 0.999),
            })
        }
        _ => None,
    };
    let review = match &p.human_review {
        Some(r) if r.enabled.unwrap_or(true) => Some(Review {
            share: c.num(
                "policy.human_review.share",
                "policy.human_review.share",
                r.share,
            ),
            error_scale: c.num(
                "policy.human_review.error_scale",
                "policy.human_review.error_scale",
                r.error_scale,
            ),
        }),
        _ => None,
    };
    Policy {
        diversity_cap,
        reassignments,
        alarm,
        review,
    }
}
