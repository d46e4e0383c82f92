//! Terminal tables: columns aligned (text left, numbers right), numbers with the same decimals
//! along a row or a column and thousands separated by commas.

/// A number with `decimals` decimals and its thousands separated by commas (`12,345.6`), a
/// minus sign only when the shown number is not zero; `–` for NaN and infinities.
pub(crate) fn fixed(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s.as_str(), None),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let body = match frac {
        Some(f) => format!("{grouped}.{f}"),
        None => grouped,
    };
    let zero = body.chars().all(|c| matches!(c, '0' | '.' | ','));
    if x < 0.0 && !zero {
        format!("-{body}")
    } else {
        body
    }
}

/// Decimals that give the largest of `values` (in magnitude) four significant digits, from 0
/// to 6 (0 when all are zero or not finite).
pub(crate) fn decimals(values: impl IntoIterator<Item = f64>) -> usize {
    let max = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    if max == 0.0 {
        return 0;
    }
    (3 - max.log10().floor() as i64).clamp(0, 6) as usize
}

/// Prints `rows` under `header`, each line indented by two spaces, columns separated by two
/// spaces; column `i` is left-aligned when `left[i]` (text), right-aligned otherwise (numbers).
pub(crate) fn print(header: &[String], rows: &[Vec<String>], left: &[bool]) {
    for line in lines(header, rows, left) {
        println!("{line}");
    }
}

/// The lines [`print`] prints.
pub(crate) fn lines(header: &[String], rows: &[Vec<String>], left: &[bool]) -> Vec<String> {
    let n = header.len();
    let width = |i: usize| {
        std::iter::once(&header[i])
            .chain(rows.iter().filter_map(|r| r.get(i)))
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..n).map(width).collect();
    std::iter::once(header)
        .chain(rows.iter().map(Vec::as_slice))
        .map(|r| {
            let cells: Vec<String> = (0..n)
                .map(|i| {
                    let cell = r.get(i).map_or("", String::as_str);
                    let w = widths[i];
                    if left.get(i).copied().unwrap_or(false) {
                        format!("{cell:<w$}")
                    } else {
                        format!("{cell:>w$}")
                    }
                })
                .collect();
            format!("  {}", cells.join("  ").trim_end())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_aligned() {
        assert_eq!(fixed(1234567.891, 1), "1,234,567.9");
        assert_eq!(fixed(-660.777, 1), "-660.8");
        assert_eq!(fixed(-0.0001, 2), "0.00");
        assert_eq!(fixed(f64::NAN, 2), "–");
        assert_eq!(decimals([0.2171, -1.982, 2.416]), 3);
        assert_eq!(decimals([-660.8, -703.0]), 1);
        assert_eq!(decimals([0.0]), 0);
        let l = lines(
            &["measure".into(), "mean".into()],
            &[
                vec!["a".into(), "1.5".into()],
                vec!["longer".into(), "-12,345.5".into()],
            ],
            &[true, false],
        );
        assert_eq!(
            l,
            [
                "  measure       mean",
                "  a              1.5",
                "  longer   -12,345.5"
            ]
        );
    }
}
