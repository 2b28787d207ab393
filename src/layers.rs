//! The layers, bottom first. A module may use its own layer and those below it,
//! never one above: the test below reads every source file and fails on an upward
//! `crate::` path, so a wrong-way import is caught by `cargo test` (until the layers
//! become workspace crates, when the compiler will catch it).
//!
//! | layer | modules | what it holds |
//! |---|---|---|
//! | 0 | `codec`, `i18n`, `crypto` | leaves: encoding, text catalogs, key primitives |
//! | 1 | `domain` | plain data and pure rules |
//! | 2 | `ingest` | HL7, FHIR and CSV parsed into domain values |
//! | 3 | `store`, `audit`, `auth` | the encrypted store, its audit chain, users and sign-on |
//! | 4 | `clinic` | the service: the one table, handlers |
//! | 5 | `report` | documents from the service's replies |
//! | 6 | `server` | the clinic server, its wire and scheduler |
//! | 7 | `tui` | the terminal |
//! | 8 | `cli`, `demo` | commands and the demo clinic, which start everything else |

/// Each top-level module and its layer.
pub const LAYERS: &[(&str, u8)] = &[
    ("codec", 0),
    ("i18n", 0),
    ("crypto", 0),
    ("domain", 1),
    ("ingest", 2),
    ("store", 3),
    ("audit", 3),
    ("auth", 3),
    ("clinic", 4),
    ("report", 5),
    ("server", 6),
    ("tui", 7),
    ("cli", 8),
    ("demo", 8),
];

#[cfg(test)]
mod tests {
    use super::LAYERS;
    use std::path::Path;

    fn layer(module: &str) -> Option<u8> {
        LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
    }

    fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The `crate::name` paths a line of code uses (comments aside).
    fn used(line: &str) -> Vec<&str> {
        let code = line.split("//").next().unwrap_or_default();
        code.match_indices("crate::")
            .filter(|(at, _)| !code[..*at].ends_with('$'))
            .map(|(at, m)| {
                let rest = &code[at + m.len()..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                &rest[..end]
            })
            .collect()
    }

    #[test]
    fn no_module_uses_a_layer_above_its_own() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        let mut wrong = Vec::new();
        for file in &files {
            let relative = file.strip_prefix(&src).unwrap();
            let top = relative.iter().next().unwrap().to_string_lossy();
            let top = top.trim_end_matches(".rs");
            let Some(own) = layer(top) else {
                continue; // lib.rs, main.rs, this file
            };
            let text = std::fs::read_to_string(file).unwrap();
            // Tests may reach up (a screen's test renders a demo); the code may not.
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (n, line) in code.lines().enumerate() {
                for module in used(line) {
                    if layer(module).is_some_and(|l| l > own) {
                        wrong.push(format!(
                            "{}:{}: {top} (layer {own}) uses {module} (layer {})",
                            relative.display(),
                            n + 1,
                            layer(module).unwrap_or_default()
                        ));
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "upward imports:\n{}", wrong.join("\n"));
    }

    #[test]
    fn every_top_level_module_has_a_layer() {
        let lib = include_str!("lib.rs");
        for line in lib.lines() {
            if let Some(name) = line
                .strip_prefix("pub mod ")
                .and_then(|l| l.strip_suffix(';'))
                && name != "layers"
            {
                assert!(layer(name).is_some(), "{name} has no layer in layers.rs");
            }
        }
    }

    #[test]
    fn an_upward_path_is_seen_and_a_comment_is_not() {
        assert_eq!(used("use crate::tui::app::App;"), ["tui"]);
        assert!(used("// see crate::tui").is_empty());
    }
}
