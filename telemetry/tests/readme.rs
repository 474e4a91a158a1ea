//! The README's configuration table lists every environment variable a binary reads: a setting
//! added in code without a line there fails this test.

use std::path::{Path, PathBuf};

/// The calls through which the services read their environment, and what precedes a variable name
/// in clap's `env = "…"` and in `ServiceRole`'s `=> "…"` tables.
const READERS: &[&str] = &[
    "var(",
    "var_os(",
    "positive(",
    "listen(",
    "switch(",
    "parsed(",
    "string(",
    "required(",
    "env = ",
    "=> ",
];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            found.push(path);
        }
    }
}

/// `FOO_BAR` read through one of [`READERS`] in `source`.
fn variables_read(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (start, _) in source.match_indices('"') {
        let rest = &source[start + 1..];
        let Some(end) = rest.find('"') else { continue };
        let name = &rest[..end];
        let shaped = name.len() >= 5
            && name.contains('_')
            && name.starts_with(|c: char| c.is_ascii_uppercase())
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        let before = source[..start].trim_end();
        if shaped
            && READERS
                .iter()
                .any(|reader| before.ends_with(reader.trim_end()))
        {
            names.push(name.to_owned());
        }
    }
    names
}

#[test]
fn every_variable_the_services_read_is_in_the_readme() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let section = readme
        .split("## Configuration\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the README has a Configuration section");
    let mut files = Vec::new();
    for crate_dir in [
        "auth",
        "command-api",
        "query-api",
        "projections",
        "event-store",
        "replay-tool",
        "telemetry",
        "personal-data",
        "file-store",
    ] {
        rust_files(&root.join(crate_dir).join("src"), &mut files);
    }
    assert!(files.len() > 20, "the sources were not found from {root:?}");
    let mut missing = Vec::new();
    let mut seen = 0;
    for file in &files {
        let source = std::fs::read_to_string(file).expect("a source file");
        // Unit tests set variables of their own.
        let source = source.split("#[cfg(test)]").next().unwrap_or_default();
        for name in variables_read(source) {
            seen += 1;
            if !section.contains(&format!("`{name}`")) {
                missing.push(format!("{name} ({})", file.display()));
            }
        }
    }
    assert!(
        seen > 20,
        "the scan found only {seen} reads: is it still looking?"
    );
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "read in code but not in the README's Configuration table:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_scan_sees_each_way_of_reading() {
    let source = r#"
        std::env::var("ONE_VAR"); var_os("TWO_VAR"); positive("THREE_VAR", 4);
        #[arg(long, env = "FOUR_VAR")]
        Self::Auth => "FIVE_VAR",
        let text = "NOT_READ";
    "#;
    assert_eq!(
        variables_read(source),
        ["ONE_VAR", "TWO_VAR", "THREE_VAR", "FOUR_VAR", "FIVE_VAR"]
    );
}
