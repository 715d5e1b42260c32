//! A clone of the repository alone runs its tests: no code or script reads beside the checkout,
//! and every fixture under tests/fixtures has its origin and license in tests/fixtures/SOURCES.md.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if p.is_dir() {
            if name != "target" && !name.starts_with('.') || name == ".ci" {
                walk(&p, out);
            }
        } else {
            out.push(p);
        }
    }
}

/// Lines that name the shared directory without reading it (cargo-deny style: each with its
/// reason; an exception no line uses fails the test).
const NOT_READS: &[(&str, &str, &str)] = &[(
    "checks/src/compliance/mod.rs",
    "Framework::Seeds =>",
    "a compliance framework's title names where the seed documents live; nothing is read",
)];

#[test]
fn tests_read_nothing_outside_the_checkout() {
    // Spelled in pieces so this file does not find itself.
    let needles = [["..", "/shared"].concat(), ["shared", "/fixtures"].concat()];
    let mut files = Vec::new();
    for top in ["src", "providers", "checks", "mocks", "tests", ".ci"] {
        walk(&root().join(top), &mut files);
    }
    let code = ["rs", "py", "sh", "toml"];
    let mut hits = Vec::new();
    let mut used = vec![false; NOT_READS.len()];
    for f in files {
        let is_code = f.extension().is_some_and(|x| code.contains(&x.to_str().unwrap())) || f.ends_with(".ci/run");
        if !is_code {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            if needles.iter().any(|s| line.contains(s.as_str())) {
                let rel = f.strip_prefix(root()).unwrap_or(&f).to_string_lossy().replace('\\', "/");
                if let Some(i) = NOT_READS.iter().position(|(file, text, _)| rel == *file && line.contains(text)) {
                    used[i] = true;
                    continue;
                }
                hits.push(format!("{}:{}: {}", f.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(hits.is_empty(), "reads beside the checkout (copy the file into tests/fixtures):\n{}", hits.join("\n"));
    let unused: Vec<_> = NOT_READS.iter().zip(&used).filter(|(_, u)| !**u).map(|(e, _)| e.0).collect();
    assert!(unused.is_empty(), "exceptions in NOT_READS no line uses (remove them): {unused:?}");
}

#[test]
fn every_fixture_names_its_source_and_license() {
    let dir = root().join("tests/fixtures");
    let sources = std::fs::read_to_string(dir.join("SOURCES.md")).unwrap();
    let rows: Vec<Vec<&str>> = sources
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| fixture file"))
        .map(|l| l.split('|').map(str::trim).collect())
        .collect();
    for r in &rows {
        assert!(r.len() >= 7 && !r[5].is_empty(), "a SOURCES row without a license: {r:?}");
    }
    let named = |rel: &str| {
        rows.iter().any(|r| {
            let name = r[1];
            match name.split_once('*') {
                // `graph/v1.0/*.exampleN.response.json`: derived files, one row for the pattern.
                Some((pre, post)) => {
                    rel.starts_with(pre)
                        && rel.ends_with(post.trim_start_matches(".exampleN"))
                        && rel.contains(".example")
                }
                None => rel == name,
            }
        })
    };
    let mut files = Vec::new();
    walk(&dir, &mut files);
    let mut missing = Vec::new();
    for f in files {
        let rel = f.strip_prefix(&dir).unwrap().to_string_lossy().replace('\\', "/");
        if rel != "SOURCES.md" && !named(&rel) {
            missing.push(rel);
        }
    }
    assert!(missing.is_empty(), "fixtures without a row in tests/fixtures/SOURCES.md: {missing:?}");
}
