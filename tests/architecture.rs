//! The house rules of ARCHITECTURE.md, checked on the source: every module of the library sits
//! on one floor of the pipeline, a floor imports only the floors below it (and its own), no
//! files import each other in a loop, and no function runs past 120 lines.
//!
//! `cargo test --test architecture -- --nocapture` prints the floors, each upward import and the
//! longest functions.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The floors, lowest first, as ARCHITECTURE.md draws them: a module may import its own floor
/// and those below.
const FLOORS: &[(&str, &[&str])] = &[
    (
        "shared types",
        &["landmarks", "stats", "terminal", "text_file"],
    ),
    ("video", &["video"]),
    ("pose", &["pose"]),
    ("geometry", &["geometry"]),
    ("reps", &["reps"]),
    ("judge", &["judge"]),
    ("exercise", &["exercise"]),
    (
        "analysis",
        &[
            "analysis",
            "programme",
            "multiview",
            "overlay",
            "cues",
            "draw",
        ],
    ),
    ("outputs", &["output", "history"]),
    ("settings", &["cli", "config"]),
    ("commands", &["batch", "live", "bench", "fuzzing"]),
];

/// Imports that run up a floor, each with its reason. At most two (issue 32).
const ALLOWED_UPWARD: &[(&str, &str, &str)] = &[];

/// The longest a function may be, in lines.
const MAX_FUNCTION_LINES: usize = 120;

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap_or_else(|e| panic!("{e}")).path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// A file's module path under the crate: `src/live/coach.rs` is `["live", "coach"]`.
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src()).unwrap_or(file).with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The source with comments, string and char literals blanked (newlines kept), so braces and
/// paths are read only where they are code.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, s: &[u8]| {
        out.extend(s.iter().map(|&c| if c == b'\n' { b'\n' } else { b' ' }))
    };
    while i < b.len() {
        let rest = &b[i..];
        if rest.starts_with(b"//") {
            let end = rest.iter().position(|&c| c == b'\n').unwrap_or(rest.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if rest.starts_with(b"/*") {
            let end = find(rest, b"*/").map_or(rest.len(), |p| p + 2);
            blank(&mut out, &rest[..end]);
            i += end;
        } else if let Some(len) = raw_string_len(rest) {
            blank(&mut out, &rest[..len]);
            i += len;
        } else if rest[0] == b'"' {
            let mut j = 1;
            while j < rest.len() && rest[j] != b'"' {
                j += if rest[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(rest.len());
            blank(&mut out, &rest[..end]);
            i += end;
        } else if let Some(len) = char_literal_len(rest) {
            blank(&mut out, &rest[..len]);
            i += len;
        } else {
            out.push(rest[0]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `r"…"`, `r#"…"#`, `br"…"`: the literal's length.
fn raw_string_len(s: &[u8]) -> Option<usize> {
    let start = if s.starts_with(b"br") {
        2
    } else if s.starts_with(b"r") {
        1
    } else {
        return None;
    };
    let hashes = s[start..].iter().take_while(|&&c| c == b'#').count();
    if s.get(start + hashes) != Some(&b'"') {
        return None;
    }
    let mut close = vec![b'"'];
    close.extend(std::iter::repeat_n(b'#', hashes));
    let body = start + hashes + 1;
    find(&s[body..], &close).map(|p| body + p + close.len())
}

/// `'x'`, `'\n'`, `'\u{7b}'`; a lifetime (`'a`) is none.
fn char_literal_len(s: &[u8]) -> Option<usize> {
    if s[0] != b'\'' || s.len() < 3 {
        return None;
    }
    if s[1] == b'\\' {
        return s[2..].iter().position(|&c| c == b'\'').map(|p| p + 3);
    }
    let width = match s[1] {
        c if c < 0x80 => 1,
        c if c >= 0xF0 => 4,
        c if c >= 0xE0 => 3,
        _ => 2,
    };
    (s.get(1 + width) == Some(&b'\'')).then_some(2 + width)
}

/// The code before a `#[cfg(test)]` module: tests may reach anywhere.
fn without_tests(code: &str) -> &str {
    code.find("#[cfg(test)]\nmod tests")
        .map_or(code, |at| &code[..at])
}

/// The crate modules a file names through `crate::…` or `super::…` paths, resolved to the
/// longest module path that exists.
fn imports(file: &Path, code: &str, modules: &BTreeSet<Vec<String>>) -> BTreeSet<Vec<String>> {
    let me = module_of(file);
    // `super` is the module's parent, whether the module is `x.rs` or `x/mod.rs`.
    let parent = me[..me.len().saturating_sub(1)].to_vec();
    let mut found = BTreeSet::new();
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':' || c == '{' || c == ','))
        .collect();
    for word in words {
        for (prefix, base) in [("crate::", Vec::new()), ("super::", parent.clone())] {
            let mut rest = word;
            while let Some(at) = rest.find(prefix) {
                let tail = &rest[at + prefix.len()..];
                for path in expand(tail) {
                    let mut full = base.clone();
                    full.extend(path);
                    if let Some(m) = longest_module(&full, modules) {
                        if m != me {
                            found.insert(m);
                        }
                    }
                }
                rest = tail;
            }
        }
    }
    found
}

/// `a::{b, c::d}` into `[a, b]`, `[a, c, d]`; `a::b` into `[a, b]`.
fn expand(tail: &str) -> Vec<Vec<String>> {
    let head: String = tail.chars().take_while(|&c| c != '{').collect();
    let stem: Vec<String> = head
        .split("::")
        .take_while(|p| !p.is_empty() && !p.contains(','))
        .map(str::to_string)
        .collect();
    match tail[head.len()..].strip_prefix('{') {
        Some(group) => {
            let inner: String = group.chars().take_while(|&c| c != '}').collect();
            inner
                .split(',')
                .map(|item| {
                    let mut p = stem.clone();
                    p.extend(
                        item.split("::")
                            .map(str::trim)
                            .filter(|s| !s.is_empty() && *s != "{")
                            .map(str::to_string),
                    );
                    p
                })
                .collect()
        }
        None => vec![stem],
    }
}

fn longest_module(path: &[String], modules: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| modules.contains(p))
}

fn floor_of(module: &[String]) -> Option<usize> {
    let top = module.first()?;
    FLOORS
        .iter()
        .position(|(_, rooms)| rooms.contains(&top.as_str()))
}

struct House {
    files: Vec<PathBuf>,
    modules: BTreeSet<Vec<String>>,
    /// File module → the modules it imports.
    edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
}

fn house() -> House {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.retain(|f| f.file_name().is_some_and(|n| n != "main.rs"));
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(f)).collect();
    let mut edges = BTreeMap::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{e}"));
        let code = code_only(&text);
        let found = imports(file, without_tests(&code), &modules);
        edges.insert(module_of(file), found);
    }
    House {
        files,
        modules,
        edges,
    }
}

#[test]
fn every_module_stands_on_one_floor() {
    let house = house();
    let tops: BTreeSet<&String> = house.modules.iter().filter_map(|m| m.first()).collect();
    let unplaced: Vec<&&String> = tops
        .iter()
        .filter(|t| floor_of(std::slice::from_ref(**t)).is_none() && t.as_str() != "lib")
        .collect();
    assert!(
        unplaced.is_empty(),
        "modules on no floor of FLOORS (place them in ARCHITECTURE.md and here): {unplaced:?}"
    );
}

#[test]
fn every_floor_imports_only_the_floors_below() {
    let house = house();
    let mut upward = Vec::new();
    for (from, tos) in &house.edges {
        let Some(from_floor) = floor_of(from) else {
            continue;
        };
        for to in tos {
            let Some(to_floor) = floor_of(to) else {
                continue;
            };
            if to_floor > from_floor {
                upward.push((from.join("/"), to.join("/")));
            }
        }
    }
    for (from, to) in &upward {
        println!("upward: {from} -> {to}");
    }
    let unexplained: Vec<_> = upward
        .iter()
        .filter(|(f, t)| !ALLOWED_UPWARD.iter().any(|(a, b, _)| a == f && b == t))
        .collect();
    assert!(ALLOWED_UPWARD.len() <= 2, "at most two upward imports");
    assert!(
        unexplained.is_empty(),
        "imports that run up a floor: {unexplained:?}"
    );
}

/// Tarjan's strongly connected components over the file graph; any with two files or more is a
/// loop.
#[test]
fn no_files_import_each_other_in_a_loop() {
    let house = house();
    let nodes: Vec<&Vec<String>> = house.edges.keys().collect();
    let index_of: BTreeMap<&Vec<String>, usize> =
        nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let succ: Vec<Vec<usize>> = nodes
        .iter()
        .map(|n| {
            house.edges[*n]
                .iter()
                .filter_map(|m| index_of.get(m).copied())
                .collect()
        })
        .collect();
    let loops = strongly_connected(&succ);
    let named: Vec<Vec<String>> = loops
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| c.into_iter().map(|i| nodes[i].join("/")).collect())
        .collect();
    assert!(
        named.is_empty(),
        "files importing each other in a loop: {named:?}"
    );
}

fn strongly_connected(succ: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct State<'a> {
        succ: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(s: &mut State, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for &w in &s.succ[v] {
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on_stack[w] => s.low[v] = s.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            s.out.push(component);
        }
    }
    let n = succ.len();
    let mut s = State {
        succ,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    s.out
}

/// Every `fn` with a body: its name, first line and length in lines.
fn functions(code: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut found = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let Some(at) = fn_keyword(line) else { continue };
        let name: String = line[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if let Some(end) = body_end(&lines, n) {
            found.push((name, n + 1, end - n + 1));
        }
    }
    found
}

/// Where `fn ` starts a function on this line, if it does.
fn fn_keyword(line: &str) -> Option<usize> {
    let at = line.find("fn ")?;
    let before = line[..at].trim();
    let ok = before.is_empty()
        || before.split_whitespace().all(|w| {
            matches!(w, "pub" | "const" | "async" | "unsafe" | "extern") || w.starts_with("pub(")
        });
    ok.then_some(at)
}

/// The line on which the body that opens at or after `start` closes; `None` for a declaration
/// without a body (a trait's `fn f();`).
fn body_end(lines: &[&str], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut opened = false;
    for (n, line) in lines.iter().enumerate().skip(start) {
        for c in line.chars() {
            match c {
                '{' => {
                    depth += 1;
                    opened = true;
                }
                '}' => {
                    depth = depth.saturating_sub(1);
                    if opened && depth == 0 {
                        return Some(n);
                    }
                }
                ';' if !opened && depth == 0 => return None,
                _ => {}
            }
        }
    }
    None
}

#[test]
fn no_function_runs_past_120_lines() {
    let house = house();
    let mut all = Vec::new();
    for file in &house.files {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{e}"));
        let rel = file
            .strip_prefix(src())
            .unwrap_or(file)
            .display()
            .to_string();
        for (name, line, len) in functions(&code_only(&text)) {
            all.push((len, format!("src/{rel}:{line} {name}")));
        }
    }
    all.sort_by(|a, b| b.cmp(a));
    for (len, at) in all.iter().take(10) {
        println!("{len:4} lines  {at}");
    }
    let long: Vec<_> = all
        .iter()
        .filter(|(len, _)| *len > MAX_FUNCTION_LINES)
        .collect();
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines: {long:?}"
    );
}

#[test]
fn the_checker_reads_what_it_should() {
    // A brace in a string or a comment is not code; a lifetime is not a char.
    let code = code_only("fn f<'a>(x: &'a str) { let s = \"{\"; // }\n let c = '}'; }\n");
    assert_eq!(functions(&code), vec![("f".to_string(), 1, 2)]);
    assert_eq!(
        expand("a::{b, c::d}"),
        vec![
            vec!["a".to_string(), "b".into()],
            vec!["a".into(), "c".into(), "d".into()]
        ]
    );
    let raw = "r#\"{\"#";
    assert_eq!(raw_string_len(raw.as_bytes()), Some(raw.len()));
}
