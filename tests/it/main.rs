//! The integration tests, one crate (Cargo.toml: `autotests = false`, `[[test]] it`): each
//! module is what used to be a test file of its own, so the library is linked once
//! instead of once per file. Run one module with `cargo test --test it register::`.
//!
//! All modules share this process and run on parallel threads: a test must not change
//! process-wide state (environment variables, the current directory, the umask) and
//! must not name a shared resource (a tmux socket, a printer, a port) that another
//! module could pick too; pass state to the child process it concerns instead.

mod common;
mod fhir_checks;

/// The crypto suite this test process works with: `CAREDESK_TEST_CRYPTO_SUITE=sm` runs
/// every test under 国密 (SM4-GCM, SM3, SM2), as `.ci/run` does for the store, audit
/// and service tests; unset, the standard suite.
#[ctor::ctor]
fn adopt_the_test_crypto_suite() {
    if let Ok(name) = std::env::var("CAREDESK_TEST_CRYPTO_SUITE") {
        let suite = caredesk::crypto::Suite::parse(&name).expect("a crypto suite name");
        caredesk::crypto::suite::adopt(suite).expect("the first suite of the process");
    }
}

mod access;
mod admin_duties;
mod alerts;
mod audit_archive;
mod audit_tamper;
mod backup;
mod backup_offsite;
mod booking;
mod cards;
mod cli;
mod cli_roles;
mod cli_user;
mod clinical_examples;
mod consent;
mod core_dumps;
mod crash;
mod crash_daemon;
mod crypto_suite;
mod demo;
mod deployment;
mod disk_full;
mod e2e_care;
mod e2e_init;
mod e2e_keystrokes;
mod e2e_paper;
mod e2e_pipl;
mod e2e_ssh;
mod e2e_tui;
mod erasure;
mod exam_form;
mod export;
mod export_injection;
#[cfg(feature = "fault-injection")]
mod fail_closed;
mod fhir_import_real;
mod fhir_round_trip;
mod fhir_validation;
mod followup_form;
mod followups;
mod fuzz_regressions;
mod hl7_real;
mod hostile_text;
mod hsm_token;
mod import;
mod import_pieces;
mod key_rotation;
mod key_rotation_server;
mod keys;
mod messages;
mod oversight;
#[cfg(feature = "package-assets")]
mod package;
mod paper_fonts;
mod phi_scan;
mod pipl_consent;
mod qr_scan;
mod questionnaires;
mod record;
mod record_number;
mod recordings;
mod reports;
mod results_import;
mod retention;
mod rights;
mod rights_requests;
mod risk;
mod rollback;
mod server;
mod server_audit;
mod signon;
mod signon_attacks;
mod stdin_forms;
mod store;
mod summaries;
mod tags;
mod tui_app;
mod tui_care;
mod tui_components;
mod tui_desk;
mod tui_exams;
mod tui_followups;
mod tui_import;
mod tui_lists;
mod tui_paper;
mod tui_snapshots;
mod tui_snapshots_clinical;
mod tui_snapshots_oversight;
mod tui_uncut;

/// The fail-closed tests need the `fault-injection` feature; CI must not pass without
/// them just because the feature was left off.
#[test]
fn fault_injection_is_on_under_ci() {
    if cfg!(feature = "fault-injection") {
        return;
    }
    assert!(
        !common::ci(),
        "the fail-closed tests (fail_closed.rs) were not compiled: run `cargo test --all-features` (README, Test)"
    );
    eprintln!(
        "SKIPPED: fail_closed.rs needs `cargo test --all-features` (or --features fault-injection)"
    );
}

/// The package's man pages and completions (package.rs) need `package-assets`, likewise.
#[test]
fn package_assets_are_on_under_ci() {
    if cfg!(feature = "package-assets") {
        return;
    }
    assert!(
        !common::ci(),
        "the package tests (package.rs) were not compiled: run `cargo test --all-features` (README, Test)"
    );
    eprintln!(
        "SKIPPED: package.rs needs `cargo test --all-features` (or --features package-assets)"
    );
}
