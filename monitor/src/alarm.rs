//! The herding-alarm rule of MODEL.md §8 on a monitored series: threshold, persistence, lag.
//!
//! An alarm is raised in the quarter in which the watched measure has been strictly above the
//! threshold for `persistence` consecutive quarters (consecutive quarter numbers: a missing
//! quarter, or a quarter where the measure is undefined, breaks the run). Its response starts `lag`
//! quarters later. After the measure falls back to the threshold or below, a new run can raise a
//! new alarm. With `persistence = 1` this is the engine's rule (raised the first quarter the
//! measure exceeds its threshold).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The measure an alarm watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Measure {
    /// Systemic rejection over its independence baseline.
    SystemicRejectionRatio,
    /// Mean pairwise decision correlation (among creditworthy applicants when known, where its
    /// independence baseline is 0, so it is the engine's excess).
    DecisionAgreement,
    /// LSV herding measure.
    Lsv,
    /// Shared-model excess: the decision agreement that banks of one model family add beyond
    /// banks of different families (needs a `family` column).
    SharedModelExcess,
}

impl Measure {
    /// Names accepted on the command line (the scenario file's names; `decision-agreement-excess`
    /// is accepted for [`Measure::DecisionAgreement`]).
    pub const NAMES: [&'static str; 4] = [
        "systemic-rejection-ratio",
        "decision-agreement",
        "lsv",
        "shared-model-excess",
    ];

    /// The measure of a name, as in [`Measure::NAMES`] or a scenario file.
    pub fn from_name(name: &str) -> Result<Self> {
        match name {
            "systemic-rejection-ratio" => Ok(Measure::SystemicRejectionRatio),
            "decision-agreement" | "decision-agreement-excess" => Ok(Measure::DecisionAgreement),
            "lsv" => Ok(Measure::Lsv),
            "shared-model-excess" => Ok(Measure::SharedModelExcess),
            _ => Err(Error::Setting {
                name: "alarm.measure",
                value: format!("{name:?}"),
                allowed: "systemic-rejection-ratio, decision-agreement, lsv, shared-model-excess",
            }),
        }
    }
}

/// The alarm rule.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlarmRule {
    /// The measure watched. Default: systemic-rejection ratio.
    pub measure: Measure,
    /// Level the measure must exceed (strictly). Default 2.5 (the bundled `herding-alarm`
    /// scenario's).
    pub threshold: f64,
    /// Consecutive quarters above the threshold before the alarm is raised, >= 1. Default 2.
    pub persistence: u32,
    /// Quarters from the alarm to the start of the response. Default 1 (the next quarter).
    pub lag: u32,
}

impl Default for AlarmRule {
    fn default() -> Self {
        AlarmRule {
            measure: Measure::SystemicRejectionRatio,
            threshold: 2.5,
            persistence: 2,
            lag: 1,
        }
    }
}

impl AlarmRule {
    /// The rule of a scenario's `[policy.herding_alarm]`, with the persistence the scenario
    /// format does not have.
    pub fn from_scenario(alarm: &sim::scenario::Alarm, persistence: u32) -> Self {
        let measure = match alarm.measure {
            sim::scenario::AlarmMeasure::DecisionAgreementExcess => Measure::DecisionAgreement,
            sim::scenario::AlarmMeasure::Lsv => Measure::Lsv,
            _ => Measure::SystemicRejectionRatio,
        };
        AlarmRule {
            measure,
            threshold: alarm.threshold,
            persistence,
            lag: alarm.lag,
        }
    }

    /// Checks the ranges.
    pub fn validate(&self) -> Result<()> {
        if !self.threshold.is_finite() {
            return Err(Error::Setting {
                name: "alarm.threshold",
                value: self.threshold.to_string(),
                allowed: "a finite number",
            });
        }
        if self.persistence == 0 {
            return Err(Error::Setting {
                name: "alarm.persistence",
                value: "0".into(),
                allowed: "1 or more quarters",
            });
        }
        Ok(())
    }
}

/// One raised alarm.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlarmEvent {
    /// The region whose series raised it; `None` for the whole log.
    pub region: Option<String>,
    /// The measure watched.
    pub measure: Measure,
    /// First quarter of the run above the threshold.
    pub first_quarter_over: u32,
    /// Quarter in which the alarm is raised (the run reached `persistence` quarters).
    pub raised_quarter: u32,
    /// Quarter in which the response starts (`raised_quarter + lag`).
    pub response_quarter: u32,
    /// The measure in the raising quarter.
    pub value: f64,
}

/// Applies `rule` to a series of `(quarter, value)` in ascending quarter order. Returns, for each
/// point, whether it is above the threshold (`None` when undefined) and whether an alarm is raised
/// there, and the alarms.
pub fn evaluate(
    rule: &AlarmRule,
    region: Option<&str>,
    series: &[(u32, Option<f64>)],
) -> (Vec<(Option<bool>, bool)>, Vec<AlarmEvent>) {
    let mut flags = Vec::with_capacity(series.len());
    let mut events = Vec::new();
    let mut run: Option<(u32, u32, u32)> = None; // (first quarter, last quarter, length)
    let mut raised_in_run = false;
    for &(quarter, value) in series {
        let over = value.map(|v| v > rule.threshold);
        let mut raised = false;
        if over == Some(true) {
            run = match run {
                Some((first, last, n)) if quarter == last + 1 => Some((first, quarter, n + 1)),
                _ => {
                    raised_in_run = false;
                    Some((quarter, quarter, 1))
                }
            };
            if let Some((first, _, n)) = run
                && n >= rule.persistence
                && !raised_in_run
            {
                raised = true;
                raised_in_run = true;
                events.push(AlarmEvent {
                    region: region.map(str::to_string),
                    measure: rule.measure,
                    first_quarter_over: first,
                    raised_quarter: quarter,
                    response_quarter: quarter.saturating_add(rule.lag),
                    value: value.unwrap_or(f64::NAN),
                });
            }
        } else {
            run = None;
            raised_in_run = false;
        }
        flags.push((over, raised));
    }
    (flags, events)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(persistence: u32) -> AlarmRule {
        AlarmRule {
            measure: Measure::Lsv,
            threshold: 1.0,
            persistence,
            lag: 2,
        }
    }

    #[test]
    fn persistence_counts_consecutive_quarters_over_the_threshold() {
        let s = [
            (1, Some(2.0)),
            (2, Some(0.5)),
            (3, Some(2.0)),
            (4, Some(2.0)),
            (5, Some(3.0)),
        ];
        let (flags, ev) = evaluate(&rule(2), None, &s);
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].first_quarter_over, 3);
        assert_eq!(ev[0].raised_quarter, 4);
        assert_eq!(ev[0].response_quarter, 6);
        assert_eq!(ev[0].value, 2.0);
        assert_eq!(
            flags,
            vec![
                (Some(true), false),
                (Some(false), false),
                (Some(true), false),
                (Some(true), true),
                (Some(true), false)
            ]
        );
        // Persistence 1 is the engine's rule: the first quarter over raises it.
        let (_, ev) = evaluate(&rule(1), Some("north"), &s);
        assert_eq!(ev.len(), 2);
        assert_eq!((ev[0].raised_quarter, ev[1].raised_quarter), (1, 3));
        assert_eq!(ev[0].region.as_deref(), Some("north"));
    }

    #[test]
    fn a_gap_an_undefined_value_or_the_threshold_itself_breaks_the_run() {
        let s = [(1, Some(2.0)), (3, Some(2.0)), (4, None), (5, Some(2.0))];
        assert!(evaluate(&rule(2), None, &s).1.is_empty());
        let s = [(1, Some(2.0)), (2, Some(1.0)), (3, Some(2.0))];
        let (flags, ev) = evaluate(&rule(2), None, &s);
        assert!(ev.is_empty());
        assert_eq!(flags[1], (Some(false), false));
    }

    #[test]
    fn bad_rules_are_refused_with_their_names() {
        let e = rule(0).validate().expect_err("persistence 0").to_string();
        assert!(e.contains("alarm.persistence"), "{e}");
        let mut r = rule(1);
        r.threshold = f64::NAN;
        assert!(
            r.validate()
                .expect_err("NaN threshold")
                .to_string()
                .contains("threshold")
        );
        assert!(Measure::from_name("herding").is_err());
        assert_eq!(
            Measure::from_name("decision-agreement-excess").ok(),
            Some(Measure::DecisionAgreement)
        );
    }
}
