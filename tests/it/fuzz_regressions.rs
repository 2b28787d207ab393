//! Inputs the fuzzers (fuzz/, `cargo fuzz`) once crashed on, kept so that the fix
//! stays: each runs through the same entry point as its fuzz target and must come
//! back as an error, not a panic. Also the seed data from tests/fixtures/shared, once each.

use crate::common;

use std::path::Path;

use caredesk::server::frame::{ClientFrame, read_frame};

fn files(dir: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            out.push(std::fs::read(path).unwrap());
        } else if path.is_dir() {
            out.extend(files(&path));
        }
    }
    out
}

fn regressions(target: &str) -> Vec<Vec<u8>> {
    files(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fuzz/regressions")
            .join(target),
    )
}

#[test]
fn frames_that_announced_more_than_they_hold_are_refused_without_a_panic() {
    let found = regressions("frame");
    assert!(!found.is_empty());
    for data in found {
        let mut input = &data[..];
        assert!(read_frame::<ClientFrame>(&mut input).is_err());
    }
}

#[test]
fn every_shared_sample_file_goes_through_its_importer_without_a_panic() {
    let data = common::sample_data();
    let mut seen = 0;
    for (dir, run) in [
        (
            "hl7",
            (|t: &str| drop(caredesk::ingest::hl7::parse(t, "seed.hl7"))) as fn(&str),
        ),
        ("fhir", |t: &str| {
            drop(caredesk::ingest::fhir::parse(t, "seed.json"))
        }),
    ] {
        for bytes in files(&data.join(dir)) {
            run(&String::from_utf8_lossy(&bytes));
            seen += 1;
        }
    }
    assert!(seen > 10, "{seen} files");
}
