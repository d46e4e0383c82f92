//! Words, not keys: the names the app shows for fields, sections, switches and ranges. Keys
//! (`regions[1].firm_share`) appear only in tooltips; every label here comes from the engine's
//! parameter registry ([`sim::scenario::params::Param::label`]) or from the table below.

use sim::scenario::params::Param;

use crate::editor::Field;

/// What a list in a scenario file holds, for section headings (`regions[1]` → `Region 2`).
const LISTS: &[(&str, &str)] = &[
    ("regions", "Region"),
    ("families", "Model family"),
    ("incidents", "Model incident"),
    ("banks", "Bank"),
    ("bank_groups", "Bank group"),
    ("bank_files", "Bank file"),
    ("assets", "Fire-sale asset"),
    ("shocks", "Shock"),
];

/// What a table in a scenario file is, for section headings.
const TABLES: &[(&str, &str)] = &[
    ("run", "Simulation"),
    ("rates", "Policy rate"),
    ("rates.shock", "Rate shock"),
    ("firms", "Firms"),
    ("models", "AI models"),
    ("adoption", "Adoption of model families"),
    ("adoption.shares", "Adoption shares"),
    ("banking", "Banking rules"),
    ("bank_defaults", "Defaults for every bank"),
    ("contagion", "Contagion"),
    ("contagion.interbank", "Interbank contagion"),
    ("contagion.interbank.network", "Interbank network"),
    ("contagion.fire_sales", "Fire sales"),
    ("policy", "Policy"),
    ("policy.diversity_cap", "Diversity cap"),
    ("policy.herding_alarm", "Herding alarm"),
    ("policy.human_review", "Human review"),
    ("assets", "Bank assets"),
    ("regions", "Regions served"),
];

/// Switches and kinds shown at the top of their panel: key, label and one-line help.
pub const SWITCH_WORDS: &[(&str, &str, &str)] = &[
    (
        "run.bank_detail",
        "Record each bank's quarters",
        "Keep every bank's capital, lending and losses per quarter of each path (for the drill-down; larger results)",
    ),
    (
        "rates.shock.kind",
        "Rate shock",
        "How the policy rate is shocked: not at all, a step, a ramp, or an explicit path",
    ),
    (
        "contagion.interbank.enabled",
        "Interbank contagion",
        "Losses spread through interbank exposures when a bank fails",
    ),
    (
        "contagion.fire_sales.enabled",
        "Fire sales",
        "Banks over their leverage limit sell assets, and prices fall for everyone",
    ),
    (
        "policy.diversity_cap.enabled",
        "Diversity cap",
        "No model family may serve more than a given share of system assets",
    ),
    (
        "policy.herding_alarm.enabled",
        "Herding alarm",
        "A supervisor watches herding and responds when an alarm is raised",
    ),
    (
        "policy.human_review.enabled",
        "Human review",
        "A share of credit decisions is reviewed by people",
    ),
    (
        "name",
        "Name",
        "The scenario's name: result folders are named after it",
    ),
    (
        "description",
        "Description",
        "One line saying what the scenario shows",
    ),
    (
        "currency",
        "Currency",
        "The unit of money amounts, e.g. `EUR million`",
    ),
];

/// The label and help of a switch, name or kind shown at the top of a panel.
pub fn switch(key: &str) -> (&'static str, &'static str) {
    SWITCH_WORDS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map_or(("", ""), |(_, l, h)| (*l, *h))
}

/// `regions[1]` → `Region 2`; a plain table by its words; anything unknown as it is.
fn step(step: &str, dotted: &str) -> String {
    if let Some((list, rest)) = step.split_once('[') {
        let index: Option<usize> = rest.trim_end_matches(']').parse().ok();
        if let (Some(word), Some(i)) = (LISTS.iter().find(|(k, _)| *k == list), index) {
            return format!("{} {}", word.1, i + 1);
        }
    }
    TABLES
        .iter()
        .find(|(k, _)| *k == dotted || *k == step)
        .map_or_else(|| step.replace('_', " "), |(_, w)| (*w).to_string())
}

/// A section heading in words: `regions[1] (west)` → `Region 2: west`,
/// `bank_groups[0].assets` → `Bank group 1 · Bank assets`, `contagion.interbank.network` →
/// `Interbank network`.
pub fn section(section: &str) -> String {
    if section.is_empty() {
        return "General".into();
    }
    let (path, name) = match section.split_once(" (") {
        Some((p, n)) => (p, Some(n.trim_end_matches(')'))),
        None => (section, None),
    };
    if !path.contains('[')
        && let Some((_, w)) = TABLES.iter().find(|(k, _)| *k == path)
    {
        return (*w).to_string();
    }
    let mut parts = Vec::new();
    let mut dotted = String::new();
    for s in path.split('.') {
        if !dotted.is_empty() {
            dotted.push('.');
        }
        dotted.push_str(s);
        // The first steps of a nested table (`contagion.fire_sales.assets[0]`) are said by the
        // last one; keep list elements and the last step.
        parts.push((s.contains('['), step(s, &dotted)));
    }
    let last = parts.len().saturating_sub(1);
    let words: Vec<String> = parts
        .into_iter()
        .enumerate()
        .filter(|(i, (list, _))| *list || *i == last)
        .map(|(_, (_, w))| w)
        .collect();
    let head = words.join(" · ");
    match name {
        Some(n) => format!("{head}: {n}"),
        None => head,
    }
}

/// A field's label: the registry's, with the element for fields of a table's every key
/// (`Adoption share: vendor-a`) or a list of values (`Shock in quarter 3`).
pub fn field(f: &Field) -> String {
    let p = f.param;
    if p.path.ends_with(".*") {
        return format!("{}: {}", p.label, f.name);
    }
    if p.path.ends_with("[]")
        && let Some(i) = f
            .name
            .rsplit_once('[')
            .and_then(|(_, r)| r.trim_end_matches(']').parse::<usize>().ok())
    {
        return format!("{} {}", p.label, i + 1);
    }
    p.label.to_string()
}

/// A number as a person writes it: the shortest text that reads back the same (`0.45`, `1000`).
pub fn num(x: f64) -> String {
    format!("{x}")
}

fn bound(x: f64) -> String {
    num(x)
}

/// The allowed values in words: `0 to 1`, `more than 0`, `at least 1 (whole number)`. Bounds of
/// 10^12 and more are technical limits, not advice, and are left out.
pub fn range(p: &Param) -> String {
    let r = &p.range;
    let huge = |x: f64| !x.is_finite() || x.abs() >= 1e12;
    let lo = if huge(r.min) {
        None
    } else if r.min_inclusive {
        Some(format!("at least {}", bound(r.min)))
    } else {
        Some(format!("more than {}", bound(r.min)))
    };
    let hi = if huge(r.max) {
        None
    } else if r.max_inclusive {
        Some(format!("at most {}", bound(r.max)))
    } else {
        Some(format!("below {}", bound(r.max)))
    };
    let mut s = match (lo, hi) {
        (Some(_), Some(_)) if r.min_inclusive && r.max_inclusive => {
            format!("{} to {}", bound(r.min), bound(r.max))
        }
        (Some(a), Some(b)) => format!("{a} and {b}"),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => "any number".into(),
    };
    if p.integer {
        s.push_str(" (whole number)");
    }
    s
}

/// A name or kind found in a panel's tables, in words: `adoption.banks.E1` → `Model family of
/// bank E1`, `banks[2].family` → `Bank 3 · model family`.
pub fn leaf(key: &str) -> String {
    if let Some(bank) = key.strip_prefix("adoption.banks.") {
        return format!("Model family of bank {bank}");
    }
    let (head, last) = match key.rsplit_once('.') {
        Some((h, l)) => (h, l),
        None => return key.replace('_', " "),
    };
    let what = match last {
        "family" => "model family".to_string(),
        "id" => "identifier".to_string(),
        other => other.replace('_', " "),
    };
    format!("{} · {what}", section(head))
}

/// Whether a leaf names a model family (chosen from a list of the scenario's families).
pub fn names_a_family(key: &str) -> bool {
    key.starts_with("adoption.banks.") || key.ends_with(".family")
}

/// Headline measures in words (keys in tooltips).
const MEASURES: &[(&str, &str)] = &[
    ("credit_gap", "Credit gap"),
    ("credit_gap_share", "Credit gap share"),
    ("bank_losses", "Bank losses"),
    ("firm_defaults", "Firm defaults"),
    ("bank_failures", "Bank failures"),
    ("systemic_event", "Systemic event"),
    (
        "decision_agreement_excess",
        "Decision agreement above independence",
    ),
    ("systemic_rejection_ratio", "Systemic rejection ratio"),
];

/// A measure's name in words: `credit_gap` → `Credit gap`, `credit_gap[east]` → `Credit gap,
/// east`; others with their underscores as spaces and a capital first letter.
pub fn measure(key: &str) -> String {
    let (base, region) = match key.split_once('[') {
        Some((b, r)) => (b, Some(r.trim_end_matches(']'))),
        None => (key, None),
    };
    let words = MEASURES.iter().find(|(k, _)| *k == base).map_or_else(
        || {
            let s = base.replace('_', " ");
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        },
        |(_, w)| (*w).to_string(),
    );
    match region {
        Some(r) => format!("{words}, {r}"),
        None => words,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_leaves_read_as_words() {
        assert_eq!(section("regions[1] (west)"), "Region 2: west");
        assert_eq!(section("contagion.interbank.network"), "Interbank network");
        assert_eq!(
            section("bank_groups[0].assets"),
            "Bank group 1 · Bank assets"
        );
        assert_eq!(
            section("models.families[0] (vendor-a)"),
            "Model family 1: vendor-a"
        );
        assert_eq!(leaf("adoption.banks.E1"), "Model family of bank E1");
        assert_eq!(leaf("banks[2].family"), "Bank 3 · model family");
        assert!(names_a_family("bank_groups[0].family"));
        assert!(!names_a_family("regions[0].name"));
    }

    /// The seed's range read `[0, 9007199254740991]`: technical bounds are left out.
    #[test]
    fn ranges_read_as_words_without_technical_bounds() {
        let seed = sim::scenario::params::param("run.seed");
        assert_eq!(range(seed), "at least 0 (whole number)");
        let lgd = sim::scenario::params::param("firms.lgd");
        assert_eq!(range(lgd), "0 to 1");
        let cutoff = sim::scenario::params::param("firms.pd_cutoff");
        assert_eq!(range(cutoff), "more than 0 and at most 1");
    }

    #[test]
    fn measures_read_as_words() {
        assert_eq!(measure("credit_gap"), "Credit gap");
        assert_eq!(measure("credit_gap[east]"), "Credit gap, east");
        assert_eq!(measure("effective_families"), "Effective families");
        for h in reports::output::HEADLINE {
            assert!(!measure(h).contains('_'), "{h}");
        }
    }

    #[test]
    fn every_switch_has_words() {
        for (k, l, h) in SWITCH_WORDS {
            assert!(!l.is_empty() && !h.is_empty(), "{k}");
            assert!(!l.contains(['.', '_']), "{k}: {l}");
        }
    }
}
