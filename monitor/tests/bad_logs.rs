//! Every class of bad log gets an error naming the file, and the row, line, column and value
//! where there is one; nothing is written on error.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use monitor::{Error, Request, Settings, run};

const HEADER: &str = "quarter,bank,applicant,approved,region,amount,creditworthy\n";

fn good_quarter(q: u32) -> String {
    let mut s = String::new();
    for j in 0..3 {
        s += &format!("{q},A,f{j},1,north,10,1\n{q},B,f{j},0,north,10,1\n");
    }
    s
}

fn log(dir: &Path, body: &str) -> PathBuf {
    let p = dir.join("log.csv");
    std::fs::write(&p, body).expect("write log");
    p
}

fn error_of(path: PathBuf) -> (Error, String) {
    let e = run(&Request {
        log: path,
        settings: Settings::default(),
    })
    .expect_err("a bad log must be refused");
    let text = e.to_string();
    (e, text)
}

fn assert_names(text: &str, parts: &[&str]) {
    for p in parts {
        assert!(text.contains(p), "{text:?} should name {p:?}");
    }
}

#[test]
fn a_missing_column_is_named_with_the_columns_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (e, t) = error_of(log(
        dir.path(),
        "quarter,bank,applicant,decision\n1,A,f,1\n",
    ));
    assert!(
        matches!(
            e,
            Error::MissingColumn {
                column: "approved",
                ..
            }
        ),
        "{t}"
    );
    assert_names(&t, &["log.csv", "`approved`", "decision"]);
    let (e, t) = error_of(log(dir.path(), "quarter,bank,bank,applicant,approved\n"));
    assert!(matches!(e, Error::DuplicateColumn { .. }), "{t}");
}

#[test]
fn bad_values_name_row_line_column_and_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        ("1,A,f9,yes,north,10,1\n", "approved", "\"yes\""),
        ("q1,A,f9,1,north,10,1\n", "quarter", "\"q1\""),
        ("-1,A,f9,1,north,10,1\n", "quarter", "\"-1\""),
        ("1,A,f9,1,north,-5,1\n", "amount", "\"-5\""),
        ("1,A,f9,1,north,inf,1\n", "amount", "\"inf\""),
        ("1,A,f9,1,north,10,maybe\n", "creditworthy", "\"maybe\""),
        ("1,,f9,1,north,10,1\n", "bank", "\"\""),
    ];
    for (row, column, value) in cases {
        // The bad row is data row 7, line 8.
        let (e, t) = error_of(log(
            dir.path(),
            &format!("{HEADER}{}{row}", good_quarter(1)),
        ));
        assert!(matches!(e, Error::BadValue { .. }), "{t}");
        assert_names(
            &t,
            &["log.csv", "row 7 (line 8)", &format!("`{column}`"), value],
        );
    }
    let (e, t) = error_of(log(dir.path(), &format!("{HEADER}1,A,f9,1\n")));
    assert!(matches!(e, Error::Format { .. }), "{t}");
    assert_names(&t, &["row 1 (line 2)", "4 fields", "header has 7"]);
}

#[test]
fn duplicate_rows_name_both() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body = format!("{HEADER}{}1,A,f1,0,north,10,1\n", good_quarter(1));
    let (e, t) = error_of(log(dir.path(), &body));
    assert!(matches!(e, Error::Duplicate { quarter: 1, .. }), "{t}");
    assert_names(
        &t,
        &[
            "row 7 (line 8)",
            "repeats row 3 (line 4)",
            "\"A\"",
            "\"f1\"",
        ],
    );
}

#[test]
fn a_quarter_with_one_bank_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body = format!(
        "{HEADER}{}2,A,f1,0,north,10,1\n2,A,f2,1,north,10,1\n",
        good_quarter(1)
    );
    let (e, t) = error_of(log(dir.path(), &body));
    assert!(matches!(e, Error::OneBank { quarter: 2, .. }), "{t}");
    assert_names(
        &t,
        &["quarter 2", "row 7 (line 8)", "one bank only", "\"A\""],
    );
}

#[test]
fn an_empty_log_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    for body in [HEADER, ""] {
        let (e, t) = error_of(log(dir.path(), body));
        assert!(matches!(e, Error::Empty { .. }), "{t}");
        assert_names(&t, &["log.csv", "no data rows"]);
    }
}

#[test]
fn quarters_out_of_order_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body = format!("{HEADER}{}{}", good_quarter(2), good_quarter(1));
    let (e, t) = error_of(log(dir.path(), &body));
    assert!(
        matches!(
            e,
            Error::OutOfOrder {
                quarter: 1,
                after: 2,
                ..
            }
        ),
        "{t}"
    );
    assert_names(&t, &["row 7 (line 8)", "sorted by quarter"]);
    // A quarter that comes back after another has started is out of order too.
    let body = format!(
        "{HEADER}{}{}1,A,f7,1,north,10,1\n",
        good_quarter(1),
        good_quarter(2)
    );
    let (e, _) = error_of(log(dir.path(), &body));
    assert!(matches!(
        e,
        Error::OutOfOrder {
            quarter: 1,
            after: 2,
            ..
        }
    ));
}

#[test]
fn an_applicant_with_two_regions_in_a_quarter_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body = format!("{HEADER}{}1,C,f0,1,south,10,1\n", good_quarter(1));
    let (e, t) = error_of(log(dir.path(), &body));
    assert!(matches!(e, Error::Inconsistent(_)), "{t}");
    assert_names(
        &t,
        &[
            "row 7 (line 8)",
            "`region`",
            "\"south\"",
            "\"north\"",
            "row 1 (line 2)",
        ],
    );
}

#[test]
fn parquet_columns_of_the_wrong_type_and_nulls_are_named() {
    use arrow_array::{ArrayRef, Int32Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, quarter: ArrayRef, approved: ArrayRef| {
        let schema = Arc::new(Schema::new(vec![
            Field::new("quarter", quarter.data_type().clone(), true),
            Field::new("bank", DataType::Utf8, false),
            Field::new("applicant", DataType::Utf8, false),
            Field::new("approved", approved.data_type().clone(), true),
        ]));
        let cols: Vec<ArrayRef> = vec![
            quarter,
            Arc::new(StringArray::from(vec!["A", "B", "A"])),
            Arc::new(StringArray::from(vec!["f1", "f1", "f2"])),
            approved,
        ];
        let path = dir.path().join(name);
        let file = std::fs::File::create(&path).expect("create");
        let mut w = parquet::arrow::ArrowWriter::try_new(file, schema.clone(), None).expect("w");
        w.write(&RecordBatch::try_new(schema, cols).expect("batch"))
            .expect("write");
        w.close().expect("close");
        path
    };
    let p = write(
        "text_quarter.parquet",
        Arc::new(StringArray::from(vec!["1", "1", "1"])),
        Arc::new(Int32Array::from(vec![1, 0, 1])),
    );
    let (e, t) = error_of(p);
    assert!(
        matches!(
            e,
            Error::ColumnType {
                column: "quarter",
                ..
            }
        ),
        "{t}"
    );
    assert_names(
        &t,
        &["text_quarter.parquet", "`quarter`", "Utf8", "integer"],
    );
    let p = write(
        "null_approved.parquet",
        Arc::new(Int32Array::from(vec![1, 1, 1])),
        Arc::new(Int32Array::from(vec![Some(1), Some(0), None])),
    );
    let (_, t) = error_of(p);
    assert_names(
        &t,
        &["null_approved.parquet", "row 3", "`approved`", "\"\""],
    );
    let p = write(
        "two_approved.parquet",
        Arc::new(Int32Array::from(vec![1, 1, 1])),
        Arc::new(Int32Array::from(vec![1, 2, 0])),
    );
    let (_, t) = error_of(p);
    assert_names(&t, &["row 2", "`approved`", "\"2\""]);
}

#[test]
fn bad_settings_are_refused_before_reading() {
    let e = run(&Request {
        log: PathBuf::from("/nonexistent/log.csv"),
        settings: Settings {
            confidence: 1.5,
            ..Settings::default()
        },
    })
    .expect_err("confidence 1.5");
    assert!(e.to_string().contains("confidence"), "{e}");
    let e = run(&Request {
        log: PathBuf::from("/nonexistent/log.csv"),
        settings: Settings::default(),
    })
    .expect_err("no such file");
    assert!(e.to_string().contains("/nonexistent/log.csv"), "{e}");
}

#[test]
fn nothing_is_half_written_on_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("quarters.csv");
    let e = monitor::output::write_atomic(&target, |_| {
        Err(Error::Empty {
            path: PathBuf::from("x"),
        })
    });
    assert!(e.is_err());
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("read dir").collect();
    assert!(left.is_empty(), "{left:?}");
    // A good report writes its three files, and nothing else stays behind.
    let body = format!("{HEADER}{}{}", good_quarter(1), good_quarter(2));
    let r = run(&Request {
        log: log(dir.path(), &body),
        settings: Settings::default(),
    })
    .expect("run");
    let out = dir.path().join("out");
    monitor::output::write_tables(&r, &out).expect("write tables");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("read out")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    assert_eq!(names, ["quarters.csv", "quarters.parquet", "summary.json"]);
    let csv = std::fs::read_to_string(out.join("quarters.csv")).expect("csv");
    assert!(csv.starts_with("quarter,region,rows,"));
    assert_eq!(csv.lines().count(), 1 + 2 + 2);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).expect("json"))
            .expect("valid json");
    assert_eq!(json["rows"], 12);
}

#[test]
fn errors_in_appended_rows_name_their_row_and_line_in_the_whole_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = log(dir.path(), &format!("{HEADER}{}", good_quarter(1)));
    let mut m = monitor::Monitor::new(Settings::default()).expect("monitor");
    assert_eq!(m.update(&path).expect("first part"), 6);
    let mut text = std::fs::read_to_string(&path).expect("read");
    text += "2,A,f1,1,north,10,1\n2,B,f1,perhaps,north,10,1\n";
    std::fs::write(&path, text).expect("append");
    let e = m.update(&path).expect_err("bad appended row");
    assert_names(
        &e.to_string(),
        &["row 8 (line 9)", "`approved`", "\"perhaps\""],
    );
    // The monitor stopped at the error.
    assert!(matches!(m.update(&path), Err(Error::Poisoned)));
}

#[test]
fn a_bank_with_two_families_in_one_quarter_is_named_with_both_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let body = "quarter,bank,applicant,approved,family\n\
                1,A,f1,1,vendor-a\n1,B,f1,0,vendor-b\n1,A,f2,0,vendor-a\n1,A,f3,1,vendor-c\n";
    let (e, t) = error_of(log(dir.path(), body));
    assert!(
        matches!(&e, Error::FamilyChanged(c) if c.quarter == 1),
        "{t}"
    );
    assert_names(
        &t,
        &[
            "log.csv", "line 5", "`family`", "\"A\"", "vendor-c", "vendor-a", "line 2",
        ],
    );
    // A bank may change family between quarters (MODEL.md 4.1 adoption), and a row without a
    // family leaves the bank's family as the other rows give it.
    let ok = "quarter,bank,applicant,approved,family\n\
              1,A,f1,1,vendor-a\n1,B,f1,0,vendor-b\n1,A,f2,0,\n1,B,f2,1,vendor-b\n\
              2,A,f1,1,vendor-b\n2,B,f1,0,vendor-b\n";
    run(&Request {
        log: log(dir.path(), ok),
        settings: Settings::default(),
    })
    .expect("a family change between quarters is allowed");
}
