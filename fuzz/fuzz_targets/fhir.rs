//! FHIR R4 JSON (Bundles, single resources, Synthea files): never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = caredesk::ingest::fhir::parse(&text, "fuzz.json");
});
