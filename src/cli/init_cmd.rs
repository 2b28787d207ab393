//! `caredesk init`.

use std::io::Write;

use clap::Args;
use serde::Serialize;

use super::{DataDir, input};
use crate::audit::context::process_actor;
use crate::store::{self, StoreOptions};
use crate::tui::qr;

#[derive(Debug, Args)]
pub struct InitArgs {
    #[command(flatten)]
    pub data: DataDir,
    /// Sign-in name of the first admin user.
    #[arg(long, value_name = "NAME")]
    pub admin: String,
    /// Print exactly one JSON object: otpauth_uri, recovery_key, audit_seed, recovery_codes.
    #[arg(long)]
    pub json: bool,
    /// The cryptographic suite, fixed for the store's life: `standard` (XChaCha20-Poly1305,
    /// SHA-256, X25519) or `sm` (国密: SM4-GCM, SM3, SM2, as GB/T 39786 asks).
    #[arg(long, value_name = "SUITE", default_value = "standard", value_parser = parse_suite)]
    pub crypto_suite: crate::crypto::Suite,
}

/// `--crypto-suite`: a suite's name.
pub fn parse_suite(text: &str) -> Result<crate::crypto::Suite, String> {
    crate::crypto::Suite::parse(text).map_err(|e| e.to_string())
}

#[derive(Serialize)]
struct InitJson<'a> {
    otpauth_uri: &'a str,
    recovery_key: &'a str,
    audit_seed: &'a str,
    recovery_codes: Vec<&'a str>,
}

pub fn run(args: InitArgs) -> anyhow::Result<()> {
    let dir = &args.data.path;
    if dir.exists() {
        // Refuse before asking for a password nobody will use.
        let empty = store::init::dir_is_empty(dir)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", dir.display()))?;
        if !empty {
            return Err(store::StoreError::AlreadyExists(dir.clone()).into());
        }
        // A store made by another user (root, for the service account's directory)
        // would be files its daemon cannot open.
        use std::os::unix::fs::MetadataExt;
        let owner = std::fs::metadata(dir)?.uid();
        let me = rustix::process::geteuid().as_raw();
        if owner != me {
            anyhow::bail!(
                "{} belongs to another user (uid {owner}): make the store as that user, e.g. `sudo -u caredesk caredesk init --data {} …`",
                dir.display(),
                dir.display()
            );
        }
    }
    crate::auth::user::check_user_name(&args.admin).map_err(anyhow::Error::msg)?;
    let password = input::read_new_password(&args.admin)?;
    let (_vault, secrets) = store::init(
        dir,
        &args.admin,
        &password,
        StoreOptions {
            crypto_suite: Some(args.crypto_suite),
            ..StoreOptions::default()
        },
        process_actor(),
    )?;
    // The notice a patient signs before the separate PIPL consents, for the clinic
    // to adapt (docs/pipl.md).
    crate::clinic::desk::notice::write_template(dir)?;
    // Every setting, commented, with its default (deploy/settings.toml).
    crate::clinic::admin::settings::Settings::write_default(dir).map_err(anyhow::Error::msg)?;

    let mut out = std::io::stdout().lock();
    if args.json {
        let json = InitJson {
            otpauth_uri: &secrets.otpauth_uri,
            recovery_key: &secrets.recovery_key,
            audit_seed: &secrets.audit_seed,
            recovery_codes: secrets.recovery_codes.iter().map(|c| c.as_str()).collect(),
        };
        let text = zeroize::Zeroizing::new(serde_json::to_string(&json)?);
        writeln!(out, "{}", text.as_str())?;
        return Ok(());
    }
    writeln!(out, "Created the caredesk store at {}.", dir.display())?;
    writeln!(out)?;
    writeln!(
        out,
        "1. Two-factor sign-in for {}: scan this code with an authenticator app",
        args.admin
    )?;
    writeln!(out, "   (or enter the otpauth URI below by hand).")?;
    writeln!(out)?;
    match qr::render(&secrets.otpauth_uri) {
        Some(code) => writeln!(out, "{code}")?,
        None => writeln!(out, "   (the QR code cannot be drawn; use the URI)")?,
    }
    writeln!(out, "   {}", secrets.otpauth_uri.as_str())?;
    writeln!(out)?;
    writeln!(
        out,
        "2. Recovery key: opens the store if every password is lost. Print it and lock it away;"
    )?;
    writeln!(out, "   it is shown only now.")?;
    writeln!(out, "   {}", secrets.recovery_key.as_str())?;
    writeln!(out)?;
    writeln!(
        out,
        "3. Audit verification seed: for the auditor, kept OFF this machine. With it,"
    )?;
    writeln!(
        out,
        "   `caredesk audit verify --seed …` proves no audit record was forged or re-sealed."
    )?;
    writeln!(out, "   {}", secrets.audit_seed.as_str())?;
    writeln!(out)?;
    writeln!(
        out,
        "4. One-time recovery codes for {} (each signs in once without the phone):",
        args.admin
    )?;
    for code in &secrets.recovery_codes {
        writeln!(out, "   {}", code.as_str())?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "None of these is stored in readable form; clear this screen once they are safe."
    )?;
    Ok(())
}
