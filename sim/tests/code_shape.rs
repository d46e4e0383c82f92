//! The shape of the engine's code, checked by reading its source (issue 16):
//!
//! - no function in `sim/src` is longer than [`MAX_FN_LINES`] lines (unit tests aside: files named
//!   `tests.rs` and `#[cfg(test)] mod … { … }` blocks are not read), so each stays readable as
//!   named steps;
//! - every parameter path the engine names in code (`param("…")`, and the path argument of the
//!   validation checker's `num`, `int` and `num_or`) is a path of
//!   `sim::scenario::params::PARAMS`. A path that is not a string literal fails the scan, unless
//!   it is one of the few [`FORWARDED`] arguments that pass on a path read elsewhere, so the scan
//!   is never silently blind.
//!
//! The scanner is a small lexer (comments, strings, raw strings and char literals blanked), not a
//! parser; its own tests below feed it sources with violations to show that it finds them.

use std::path::{Path, PathBuf};

/// The longest function allowed, in lines from its `fn` line to its closing brace.
const MAX_FN_LINES: usize = 150;

/// Functions that take a parameter path as their first argument: `param` (a free function) and
/// the checker's methods (`c.num(…)`), which look the path up with `param`.
const PATH_TAKERS: [(&str, Call); 4] = [
    ("param", Call::Free),
    ("num", Call::Method),
    ("int", Call::Method),
    ("num_or", Call::Method),
];

/// Path arguments that are not literals, accepted because each passes on a path this scan reads
/// where it is written: (file under `sim/src`, argument as written, why).
const FORWARDED: [(&str, &str, &str); 2] = [
    (
        "scenario/check.rs",
        "spec",
        "the checker's methods pass on their caller's path; every caller is scanned",
    ),
    (
        "scenario/validate.rs",
        "path",
        "bank_params: the path of a `param(\"bank.…\")` literal, scanned where written",
    ),
];

/// How a path taker is called.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Call {
    /// `name(…)` or `module::name(…)`.
    Free,
    /// `receiver.name(…)`.
    Method,
}

/// A source file with comments and the contents of literals blanked (byte offsets kept), and the
/// text of each string literal by the offset of its opening quote.
struct Lexed {
    text: String,
    code: Vec<u8>,
    strings: Vec<(usize, String)>,
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Blanks `text[from..to]` in `code`, keeping newlines.
fn blank(code: &mut [u8], from: usize, to: usize) {
    for b in &mut code[from..to] {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

fn lex(text: &str) -> Lexed {
    let src = text.as_bytes();
    let mut code = src.to_vec();
    let mut strings = Vec::new();
    let n = src.len();
    let mut i = 0;
    while i < n {
        let rest = &src[i..];
        if rest.starts_with(b"//") {
            let end = src[i..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(n, |k| i + k);
            blank(&mut code, i, end);
            i = end;
        } else if rest.starts_with(b"/*") {
            let (mut depth, mut j) = (0usize, i);
            while j < n {
                if src[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if src[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut code, i, j);
            i = j;
        } else if let Some((open, hashes)) = raw_string_start(src, i) {
            let close: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            let body = i + open;
            let end = src[body..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(n, |k| body + k);
            strings.push((i, text[body..end].to_string()));
            blank(&mut code, i + 1, end);
            i = (end + close.len()).min(n);
        } else if src[i] == b'"' {
            let mut j = i + 1;
            while j < n && src[j] != b'"' {
                j += if src[j] == b'\\' { 2 } else { 1 };
            }
            let end = j.min(n);
            strings.push((i, text[i + 1..end].to_string()));
            blank(&mut code, i + 1, end);
            i = end + 1;
        } else if src[i] == b'\'' {
            // A char literal ('x', '\n', '\u{7b}', '…'), else a lifetime or label ('a).
            let end = if src.get(i + 1) == Some(&b'\\') {
                // The escaped character itself may be a quote: `'\''`.
                src.get(i + 3..)
                    .and_then(|r| r.iter().position(|&b| b == b'\''))
                    .map(|k| i + 3 + k)
            } else {
                text[i + 1..]
                    .chars()
                    .next()
                    .map(|c| i + 1 + c.len_utf8())
                    .filter(|&e| src.get(e) == Some(&b'\''))
            };
            match end {
                Some(e) => {
                    blank(&mut code, i, e + 1);
                    i = e + 1;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    Lexed {
        text: text.to_string(),
        code,
        strings,
    }
}

/// If a raw string (`r"`, `r#"`, `br#"`) starts at `i`: the length of its opening and its `#`s.
fn raw_string_start(src: &[u8], i: usize) -> Option<(usize, usize)> {
    if i > 0 && is_ident(src[i - 1]) {
        return None;
    }
    let mut j = i;
    if src.get(j) == Some(&b'b') {
        j += 1;
    }
    if src.get(j) != Some(&b'r') {
        return None;
    }
    j += 1;
    let hashes = src[j..].iter().take_while(|&&b| b == b'#').count();
    j += hashes;
    (src.get(j) == Some(&b'"')).then_some((j + 1 - i, hashes))
}

/// The offset of the brace closing the one opening at `open`.
fn matching_brace(code: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    for (k, &b) in code.iter().enumerate().skip(open) {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    code.len()
}

/// The offset after the identifier `word` when it stands alone at `i`.
fn word_at(code: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    let end = i + word.len();
    (code[i..].starts_with(word)
        && (i == 0 || !is_ident(code[i - 1]))
        && code.get(end).is_none_or(|&b| !is_ident(b)))
    .then_some(end)
}

fn skip_space(code: &[u8], mut i: usize) -> usize {
    while i < code.len() && code[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// Byte ranges of `#[cfg(test)] mod name { … }` blocks.
fn test_modules(code: &[u8]) -> Vec<(usize, usize)> {
    let attr = b"#[cfg(test)]";
    let mut out = Vec::new();
    for i in 0..code.len() {
        if !code[i..].starts_with(attr) {
            continue;
        }
        let mut j = skip_space(code, i + attr.len());
        if let Some(e) = word_at(code, j, b"pub") {
            j = skip_space(code, e);
        }
        let Some(e) = word_at(code, j, b"mod") else {
            continue;
        };
        j = skip_space(code, e);
        while j < code.len() && is_ident(code[j]) {
            j += 1;
        }
        j = skip_space(code, j);
        if code.get(j) == Some(&b'{') {
            out.push((i, matching_brace(code, j)));
        }
    }
    out
}

fn line_of(code: &[u8], offset: usize) -> usize {
    code[..offset].iter().filter(|&&b| b == b'\n').count() + 1
}

/// A function of the scanned code: its name, first line and length in lines.
struct Function {
    name: String,
    line: usize,
    lines: usize,
}

/// Every function with a body outside test modules.
fn functions(lexed: &Lexed) -> Vec<Function> {
    let code = &lexed.code;
    let skipped = test_modules(code);
    let mut out = Vec::new();
    for i in 0..code.len() {
        let Some(after_fn) = word_at(code, i, b"fn") else {
            continue;
        };
        if skipped.iter().any(|&(a, b)| (a..=b).contains(&i)) {
            continue;
        }
        let name_start = skip_space(code, after_fn);
        let name_end = name_start
            + code[name_start..]
                .iter()
                .take_while(|&&b| is_ident(b))
                .count();
        if name_end == name_start {
            continue; // a function pointer type, `fn(f64) -> f64`
        }
        // The body opens at the first `{` outside parentheses and brackets; a `;` first means
        // a declaration without a body.
        let mut depth = 0i32;
        let mut open = None;
        for (k, &b) in code.iter().enumerate().skip(name_end) {
            match b {
                b'(' | b'[' => depth += 1,
                b')' | b']' => depth -= 1,
                b';' if depth == 0 => break,
                b'{' if depth == 0 => {
                    open = Some(k);
                    break;
                }
                _ => {}
            }
        }
        let Some(open) = open else {
            continue;
        };
        let close = matching_brace(code, open);
        let line = line_of(code, i);
        out.push(Function {
            name: String::from_utf8_lossy(&code[name_start..name_end]).into_owned(),
            line,
            lines: line_of(code, close) - line + 1,
        });
    }
    out
}

/// A path argument found by the scan.
#[derive(Debug, PartialEq, Eq)]
enum PathArg {
    /// A string literal: the path.
    Literal(String),
    /// Anything else, as written.
    Other(String),
}

/// The first argument of every call of a [`PATH_TAKERS`] function outside test modules, with its
/// line.
fn path_args(lexed: &Lexed) -> Vec<(usize, PathArg)> {
    let code = &lexed.code;
    let skipped = test_modules(code);
    let mut out = Vec::new();
    for i in 0..code.len() {
        for (name, call) in PATH_TAKERS {
            let Some(end) = word_at(code, i, name.as_bytes()) else {
                continue;
            };
            let before = code[..i]
                .iter()
                .rev()
                .find(|b| !b.is_ascii_whitespace())
                .copied();
            let called_so = match call {
                Call::Method => before == Some(b'.'),
                // Not a definition (`fn param(`) nor a method of something else.
                Call::Free => before != Some(b'.') && !code[..i].trim_ascii_end().ends_with(b"fn"),
            };
            let open = skip_space(code, end);
            if !called_so
                || code.get(open) != Some(&b'(')
                || skipped.iter().any(|&(a, b)| (a..=b).contains(&i))
            {
                continue;
            }
            let start = skip_space(code, open + 1);
            // The argument runs to the first `,` or `)` outside brackets.
            let mut depth = 0i32;
            let mut stop = start;
            while stop < code.len() {
                match code[stop] {
                    b'(' | b'[' | b'{' => depth += 1,
                    b')' | b']' | b'}' if depth == 0 => break,
                    b')' | b']' | b'}' => depth -= 1,
                    b',' if depth == 0 => break,
                    _ => {}
                }
                stop += 1;
            }
            let written = lexed.text[start..stop].trim().to_string();
            let literal = lexed
                .strings
                .iter()
                .find(|(at, _)| *at == start)
                .filter(|(_, s)| written == format!("\"{s}\""));
            let arg = match literal {
                Some((_, s)) => PathArg::Literal(s.clone()),
                None => PathArg::Other(written),
            };
            out.push((line_of(code, i), arg));
        }
    }
    out
}

/// Every `.rs` file under `dir` except files named `tests.rs`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read sim/src") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "tests.rs")
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The engine's source files: (path relative to `sim/src`, text).
fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = rust_files(&root);
    assert!(
        files.len() > 20,
        "found only {} files in {root:?}",
        files.len()
    );
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&root).expect("under src").to_string_lossy();
            let text = std::fs::read_to_string(&p).expect("read a source file");
            (rel.replace('\\', "/"), text)
        })
        .collect()
}

/// Functions longer than [`MAX_FN_LINES`], as `file:line fn name: N lines`.
fn long_functions(file: &str, text: &str) -> Vec<String> {
    functions(&lex(text))
        .into_iter()
        .filter(|f| f.lines > MAX_FN_LINES)
        .map(|f| format!("{file}:{} fn {}: {} lines", f.line, f.name, f.lines))
        .collect()
}

/// Path arguments that are not parameter paths, or cannot be read, as `file:line: why`.
fn bad_paths(file: &str, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (line, arg) in path_args(&lex(text)) {
        match arg {
            PathArg::Literal(path) => {
                if sim::scenario::params::find(&path).is_none() {
                    out.push(format!(
                        "{file}:{line}: {path:?} is not a path in sim::scenario::params::PARAMS"
                    ));
                }
            }
            PathArg::Other(written) => {
                if !FORWARDED
                    .iter()
                    .any(|(f, w, _)| *f == file && *w == written)
                {
                    out.push(format!(
                        "{file}:{line}: the path argument `{written}` is not a string literal, \
                         so this scan cannot check it (write the path, or list the argument in \
                         FORWARDED with the reason)"
                    ));
                }
            }
        }
    }
    out
}

#[test]
fn no_function_in_sim_src_is_longer_than_150_lines() {
    let long: Vec<String> = sources()
        .iter()
        .flat_map(|(file, text)| long_functions(file, text))
        .collect();
    assert!(
        long.is_empty(),
        "functions over {MAX_FN_LINES} lines; split them into named steps:\n{}",
        long.join("\n")
    );
}

#[test]
fn every_parameter_path_in_sim_src_is_in_the_table() {
    let files = sources();
    let bad: Vec<String> = files
        .iter()
        .flat_map(|(file, text)| bad_paths(file, text))
        .collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // The scan reads something: the checker's callers name dozens of paths.
    let literals = files
        .iter()
        .flat_map(|(_, text)| path_args(&lex(text)))
        .filter(|(_, a)| matches!(a, PathArg::Literal(_)))
        .count();
    assert!(literals > 50, "only {literals} literal paths found");
    // Every accepted non-literal argument is still there (no stale exceptions).
    for (file, written, why) in FORWARDED {
        let used = files.iter().any(|(f, text)| {
            f == file
                && path_args(&lex(text))
                    .iter()
                    .any(|(_, a)| *a == PathArg::Other(written.to_string()))
        });
        assert!(used, "FORWARDED ({file}, {written}: {why}) matches no call");
    }
}

/// The scanner itself, on sources with violations: it must find them.
#[test]
fn the_scans_find_what_they_look_for() {
    let body = "    let x = 1;\n".repeat(MAX_FN_LINES - 2);
    let at_limit = format!("fn fits() {{\n{body}}}\n");
    let over = format!(
        "/// {{ in a comment\nfn too_long(s: &str) -> [u8; 2] {{\n    let _ = '{{';\n\
         let _ = \"{{\";\n{body}}}\n"
    );
    assert!(long_functions("a.rs", &at_limit).is_empty());
    assert_eq!(
        long_functions("a.rs", &over),
        [format!("a.rs:2 fn too_long: {} lines", MAX_FN_LINES + 2)]
    );
    let in_tests = format!("#[cfg(test)]\nmod tests {{\n{over}}}\n");
    assert!(long_functions("a.rs", &in_tests).is_empty());

    let text = r#"
        fn f(c: &mut Checker, spec: &str, name: &str) {
            let _ = param("run.paths");
            let _ = super::params::param("banks[].rw_other");
            c.num(
                "no.such.path",
                "at",
                None,
            );
            c.int(spec, "at", None);
            let _ = param(&format!("bank.{name}"));
            // param("in.a.comment") is not code
            let _ = c.num_or("run.seed", "at", None, 1.0);
        }
    "#;
    let args: Vec<PathArg> = path_args(&lex(text)).into_iter().map(|(_, a)| a).collect();
    assert_eq!(
        args,
        [
            PathArg::Literal("run.paths".into()),
            PathArg::Literal("banks[].rw_other".into()),
            PathArg::Literal("no.such.path".into()),
            PathArg::Other("spec".into()),
            PathArg::Other("&format!(\"bank.{name}\")".into()),
            PathArg::Literal("run.seed".into()),
        ]
    );
    let bad = bad_paths("x.rs", text);
    assert_eq!(bad.len(), 4, "{bad:#?}");
    assert!(bad[0].starts_with("x.rs:4: \"banks[].rw_other\" is not a path"));
    assert!(bad[1].starts_with("x.rs:5: \"no.such.path\" is not a path"));
    assert!(bad[2].starts_with("x.rs:10: the path argument `spec`"));
    assert!(bad[3].starts_with("x.rs:11: the path argument `&format!"));
}
