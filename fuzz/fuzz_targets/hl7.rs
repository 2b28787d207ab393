//! HL7 v2 messages: any bytes, decoded as the importer decodes files, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = caredesk::ingest::hl7::parse(&text, "fuzz.hl7");
});
