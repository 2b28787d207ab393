//! CSV through the built-in Synthea mapping: never a panic.
#![no_main]
use std::sync::OnceLock;

use caredesk::ingest::csv_file::{Mapping, load_mapping, parse};
use libfuzzer_sys::fuzz_target;

fn mapping() -> &'static Mapping {
    static MAPPING: OnceLock<Mapping> = OnceLock::new();
    MAPPING.get_or_init(|| load_mapping("synthea").expect("the built-in mapping"))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse(
        &text,
        "fuzz.csv",
        std::path::Path::new("fuzz.csv"),
        mapping(),
    );
});
