//! The layers, bottom first. Each layer is a workspace crate (`crates/<name>`) that
//! depends only on the crates below it, so the compiler refuses a wrong-way import:
//! a module of a lower layer cannot name one above it, because its crate does not
//! depend on that crate (and cannot: the upper one already depends on it, and Cargo
//! refuses a cycle). Each crate re-exports the modules below it under their own
//! names, so `crate::domain::…` reads the same in every layer.
//!
//! | layer | crate | modules | what it holds |
//! |---|---|---|---|
//! | 0 | `caredesk-base` | `codec`, `i18n`, `crypto` | leaves: encoding, text catalogs, key primitives |
//! | 1 | `caredesk-domain` | `domain` | plain data and pure rules |
//! | 2 | `caredesk-ingest` | `ingest` | HL7, FHIR and CSV parsed into domain values |
//! | 3 | `caredesk-store` | `store`, `audit`, `auth` | the encrypted store, its audit chain, users and sign-on |
//! | 4 | `caredesk-clinic` | `clinic` | the service: the one table, handlers |
//! | 5 | `caredesk-report` | `report` | documents from the service's replies |
//! | 6 | `caredesk-server` | `server` | the clinic server, its wire and scheduler |
//! | 7 | `caredesk-tui` | `tui` | the terminal |
//! | 8 | `caredesk` (this package) | `cli`, `demo` | commands and the demo clinic, which start everything else |

/// Each layer's crate (its directory under `crates/`, or "." for this package).
pub const LAYERS: &[(&str, u8)] = &[
    ("base", 0),
    ("domain", 1),
    ("ingest", 2),
    ("store", 3),
    ("clinic", 4),
    ("report", 5),
    ("server", 6),
    ("tui", 7),
    (".", 8),
];

#[cfg(test)]
mod tests {
    use super::LAYERS;
    use std::path::Path;

    /// The caredesk crates a manifest depends on.
    fn caredesk_dependencies(manifest: &str) -> Vec<String> {
        manifest
            .lines()
            .filter_map(|l| l.strip_prefix("caredesk-"))
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_string)
            .collect()
    }

    /// Each crate depends on every layer below it and on none above: the layers stay a
    /// line, so any upward dependency would be a cycle Cargo refuses.
    #[test]
    fn each_layer_depends_on_exactly_the_layers_below() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for (name, layer) in LAYERS {
            let dir = if *name == "." {
                root.to_path_buf()
            } else {
                root.join("crates").join(name)
            };
            let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
            let mut found = caredesk_dependencies(&manifest);
            found.sort();
            let mut below: Vec<String> = LAYERS
                .iter()
                .filter(|(n, l)| l < layer && *n != ".")
                .map(|(n, _)| n.to_string())
                .collect();
            below.sort();
            assert_eq!(found, below, "{name} (layer {layer})");
        }
    }

    #[test]
    fn every_crate_in_the_workspace_has_a_layer() {
        let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates");
        for entry in std::fs::read_dir(crates).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            assert!(
                LAYERS.iter().any(|(n, _)| *n == name),
                "crates/{name} has no layer in layers.rs"
            );
        }
    }
}
