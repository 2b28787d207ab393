//! The clinic server's frame decoder: whatever a client sends is refused cleanly.
#![no_main]
use caredesk::server::frame::{ClientFrame, read_frame};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = data;
    while !input.is_empty() {
        if read_frame::<ClientFrame>(&mut input).is_err() {
            break;
        }
    }
});
