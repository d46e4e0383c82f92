//! The parameters of "the models move" (MODEL.md 4.1): each family's regime shift and retraining,
//! the banks' reviews of their family (endogenous adoption), and shared-model incidents. Every
//! mechanism is off by default, so a v1 scenario reads as it always did.

use serde::Serialize;

use super::raw::{RawAdoption, RawFamily, RawIncident};
use super::{Checker, Family};

/// A family's regime shift: its errors grow, and may tilt, as the rate leaves the level it was
/// trained at: `sigma_mt = sigma_m (1 + eta |r_t - r_train|)`, `bias_mt = zeta (r_t - r_train)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Shift {
    /// `eta_m`, the share the error scale grows per rate point away from `r_train`.
    pub eta: f64,
    /// `zeta_m`, quality units of score bias per rate point above `r_train`.
    pub zeta: f64,
    /// `r_train_m` at the start of the path, percent.
    pub r_train: f64,
}

/// A family's retraining: every `every` quarters it learns from the last `window` quarters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Retraining {
    /// Quarters between retrainings (0: never).
    pub every: u32,
    /// Quarters it learns from.
    pub window: u32,
    /// `gamma_m`: threshold points per percentage point of the adopters' quarterly default rate
    /// above their calm-time rate.
    pub gamma: f64,
}

/// The banks' reviews of their family (endogenous adoption).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Switching {
    /// Quarters between reviews (0: never).
    pub review_every: u32,
    /// Probability that a bank reviews at a review.
    pub switch_prob: f64,
    /// Quarters of credit losses compared.
    pub review_window: u32,
    /// Loss-rate gap (share of SME book over the window) above which a bank switches.
    pub switch_threshold: f64,
    /// Cost of a switch, share of the bank's SME book, taken from its equity.
    pub switch_cost: f64,
}

impl Switching {
    /// Whether banks ever review.
    pub fn on(&self) -> bool {
        self.review_every > 0 && self.switch_prob > 0.0
    }
}

/// What an incident does to every adopter's score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum IncidentKind {
    /// `+ severity n_mjt`, a standard normal fresh each quarter for each firm and shared by all
    /// adopters of the family (a corrupted feed, manipulated inputs).
    Noise,
    /// `+ severity` (negative: the model turns against everyone; positive: it waves bad firms
    /// through).
    Bias,
}

/// When an incident starts.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum IncidentStart {
    /// In this quarter.
    At(u32),
    /// Each quarter with this probability, for each family it may hit (a keyed draw), unless
    /// this incident is already under way for that family.
    Random(f64),
}

/// A shared-model incident.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Incident {
    /// The family hit (index), or every family for a random incident without one.
    pub family: Option<usize>,
    /// When it starts.
    pub start: IncidentStart,
    /// Quarters it lasts.
    pub duration: u32,
    /// What it does.
    pub kind: IncidentKind,
    /// Its size, quality units.
    pub severity: f64,
}

/// A family's regime shift and retraining, from its `[[models.families]]` entry `i`; `r_0` is the
/// default training rate.
pub(super) fn family_motion(
    c: &mut Checker,
    i: usize,
    f: &RawFamily,
    r0: f64,
) -> (Shift, Retraining) {
    let at = |x: &str| format!("models.families[{i}].{x}");
    let shift = Shift {
        eta: c.num("models.families[].eta", &at("eta"), f.eta),
        zeta: c.num("models.families[].zeta", &at("zeta"), f.zeta),
        r_train: c.num_or("models.families[].r_train", &at("r_train"), f.r_train, r0),
    };
    let retraining = Retraining {
        every: c.int(
            "models.families[].retrain_every",
            &at("retrain_every"),
            f.retrain_every,
        ) as u32,
        window: c.int("models.families[].window", &at("window"), f.window) as u32,
        gamma: c.num("models.families[].gamma", &at("gamma"), f.gamma),
    };
    (shift, retraining)
}

/// The `[adoption]` table's review settings.
pub(super) fn switching(c: &mut Checker, a: &RawAdoption) -> Switching {
    Switching {
        review_every: c.int(
            "adoption.review_every",
            "adoption.review_every",
            a.review_every,
        ) as u32,
        switch_prob: c.num(
            "adoption.switch_prob",
            "adoption.switch_prob",
            a.switch_prob,
        ),
        review_window: c.int(
            "adoption.review_window",
            "adoption.review_window",
            a.review_window,
        ) as u32,
        switch_threshold: c.num(
            "adoption.switch_threshold",
            "adoption.switch_threshold",
            a.switch_threshold,
        ),
        switch_cost: c.num(
            "adoption.switch_cost",
            "adoption.switch_cost",
            a.switch_cost,
        ),
    }
}

/// The `[[models.incidents]]` entries, checked against the families and the run's quarters.
pub(super) fn incidents(
    c: &mut Checker,
    raw: &[RawIncident],
    families: &[Family],
    quarters: u32,
) -> Vec<Incident> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, x) in raw.iter().enumerate() {
        let at = |k: &str| format!("models.incidents[{i}].{k}");
        let family = match &x.family {
            None => None,
            Some(name) => match families.iter().position(|f| &f.name == name) {
                Some(m) => Some(m),
                None => {
                    let names: Vec<&str> = families.iter().map(|f| f.name.as_str()).collect();
                    c.problem(
                        at("family"),
                        format!("{name:?}"),
                        format!("one of the families: {}", names.join(", ")),
                    );
                    None
                }
            },
        };
        let start = match (x.at, x.rate) {
            (Some(_), Some(_)) => {
                c.problem(
                    at("rate"),
                    "given with at",
                    "either `at` (a scheduled incident) or `rate` (a random one), not both",
                );
                IncidentStart::At(1)
            }
            (None, None) => {
                c.problem(
                    at("at"),
                    "(missing)",
                    "`at` (the quarter a scheduled incident starts) or `rate` (a random incident's probability a quarter)",
                );
                IncidentStart::At(1)
            }
            (Some(q), None) => {
                let q = c.int("models.incidents[].at", &at("at"), Some(q)) as u32;
                if q > quarters {
                    c.problem(
                        at("at"),
                        q.to_string(),
                        format!("a quarter of the run, 1 to run.quarters = {quarters}"),
                    );
                }
                if x.family.is_none() {
                    c.problem(
                        at("family"),
                        "(missing)",
                        "the family a scheduled incident hits",
                    );
                }
                IncidentStart::At(q)
            }
            (None, Some(r)) => {
                IncidentStart::Random(c.num("models.incidents[].rate", &at("rate"), Some(r)))
            }
        };
        let kind = match x.kind.as_deref() {
            Some("noise") => IncidentKind::Noise,
            Some("bias") => IncidentKind::Bias,
            other => {
                c.problem(
                    at("kind"),
                    other.map_or("(missing)".to_string(), |k| format!("{k:?}")),
                    "\"noise\" or \"bias\"",
                );
                IncidentKind::Noise
            }
        };
        let severity = c.num("models.incidents[].severity", &at("severity"), x.severity);
        if kind == IncidentKind::Noise && severity < 0.0 {
            c.problem(
                at("severity"),
                super::fmt_num(severity),
                "at least 0 for a noise incident (the scale of the shared noise)",
            );
        }
        out.push(Incident {
            family,
            start,
            duration: c.int("models.incidents[].duration", &at("duration"), x.duration) as u32,
            kind,
            severity,
        });
    }
    out
}

/// Whether any mechanism of MODEL.md 4.1 is on in `models`: a regime shift, retraining, reviews
/// of families or an incident.
pub fn any_on(models: &super::Models) -> bool {
    models.switching.on()
        || !models.incidents.is_empty()
        || models
            .families
            .iter()
            .any(|f| f.shift.eta != 0.0 || f.shift.zeta != 0.0 || f.retraining.every > 0)
}

/// The per-path measures that show the models moving, printed beside the headline measures when
/// [`any_on`].
pub const MEASURES: [&str; 4] = [
    "final_effective_families",
    "min_effective_families",
    "model_switches",
    "retrainings",
];
