//! `caredesk init`: a new store with its keys, audit seal and first admin.

use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

use zeroize::Zeroizing;

use super::StoreError;
use super::codec;
use super::db::{Store, StoreOptions, open_sled, restrict_permissions, restrict_umask, take_lock};
use super::meta::{META_KEY, META_TREE, SCHEMA_VERSION, StoreMeta};
use super::vault::Vault;
use super::writes::WriteSet;
use crate::audit::{Actor, AuditEvent, AuditLog, Outcome, Seed};
use crate::auth::password::check_new_password;
use crate::auth::user::{TotpSecret, check_user_name};
use crate::auth::{Role, User, UserId, recovery_codes, totp};
use crate::crypto::keyslot::RecoveryKey;
use crate::crypto::{DataKeys, KdfParams, SecretKey, SlotKind, random_array};

/// What `init` shows once and never stores in the clear.
pub struct InitSecrets {
    pub otpauth_uri: Zeroizing<String>,
    pub recovery_key: Zeroizing<String>,
    pub audit_seed: Zeroizing<String>,
    pub recovery_codes: Vec<Zeroizing<String>>,
}

/// Creates a store in `dir` (new, or an existing empty directory). On any failure the
/// files it made are removed again: nothing half-written is left behind.
pub fn init(
    dir: &Path,
    admin: &str,
    password: &str,
    options: StoreOptions,
    actor: Actor,
) -> Result<(Vault, InitSecrets), StoreError> {
    check_user_name(admin).map_err(|e| StoreError::Invalid(e.english()))?;
    check_new_password(password, admin).map_err(|e| StoreError::Invalid(e.english()))?;
    restrict_umask();
    let created = prepare_dir(dir)?;
    match create(dir, admin, password, options, actor) {
        Ok(done) => Ok(done),
        Err(e) => {
            remove_partial(dir, created);
            Err(e)
        }
    }
}

/// A file an empty store directory may already hold: the clinic's settings, or the
/// Debian package's link to `/etc/caredesk/settings.toml` (deploy/debian/tmpfiles.conf).
pub const SETTINGS_FILE: &str = "settings.toml";

/// Whether `dir` holds nothing but, perhaps, the settings file.
pub fn dir_is_empty(dir: &Path) -> std::io::Result<bool> {
    Ok(std::fs::read_dir(dir)?
        .flatten()
        .all(|entry| entry.file_name() == SETTINGS_FILE))
}

/// Makes `dir` (0700) or accepts an existing empty one; returns whether it was made.
fn prepare_dir(dir: &Path) -> Result<bool, StoreError> {
    match std::fs::read_dir(dir) {
        Ok(_) => {
            if !dir_is_empty(dir).map_err(|e| StoreError::from_io(dir, &e))? {
                return Err(StoreError::AlreadyExists(dir.to_path_buf()));
            }
            restrict_permissions(dir).map_err(|e| StoreError::from_io(dir, &e))?;
            Ok(false)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| StoreError::from_io(dir, &e))?;
            Ok(true)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            Err(StoreError::AlreadyExists(dir.to_path_buf()))
        }
        Err(e) => Err(StoreError::from_io(dir, &e)),
    }
}

fn remove_partial(dir: &Path, created: bool) {
    if created {
        let _ = std::fs::remove_dir_all(dir);
    } else if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_name() == SETTINGS_FILE {
                continue;
            }
            let path = entry.path();
            let _ = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
}

fn create(
    dir: &Path,
    admin: &str,
    password: &str,
    options: StoreOptions,
    actor: Actor,
) -> Result<(Vault, InitSecrets), StoreError> {
    // The suite first: the audit chain, the keys and every envelope are made with it.
    let suite = options
        .crypto_suite
        .unwrap_or_else(crate::crypto::suite::current);
    crate::crypto::suite::adopt(suite).map_err(|e| StoreError::Invalid(e.to_string()))?;
    let lock = take_lock(dir)?;
    let db = open_sled(dir, super::db::WORKING_CACHE)?;
    let now = (options.clock)();
    let meta = StoreMeta {
        store_id: random_array(),
        schema_version: SCHEMA_VERSION,
        created_unix: now.timestamp(),
    };
    let seed = Seed::generate();
    let audit = AuditLog::create(
        &db,
        dir,
        meta.store_id,
        &seed,
        options.epoch_seconds,
        options.clock.clone(),
    )?;
    let meta_tree = db
        .open_tree(META_TREE)
        .map_err(|e| StoreError::from_sled(dir, e))?;
    let store = Store::from_parts(dir.to_path_buf(), db, meta.clone(), audit, options, lock);
    let vault = Vault::new(store, DataKeys::from_dek(SecretKey::random(), 1));

    let recovery_key = RecoveryKey::generate();
    let totp_secret = totp::new_secret();
    let otpauth_uri = totp::otpauth_uri(&totp_secret, admin)
        .map_err(|e| StoreError::Invalid(format!("cannot make the TOTP enrolment: {e}")))?;
    let (codes_shown, codes_stored) = recovery_codes::generate();
    let user = User {
        id: UserId::random(),
        name: admin.to_string(),
        role: Role::Admin,
        disabled: false,
        totp_secret: Some(TotpSecret(totp_secret.to_vec())),
        totp_confirmed: false,
        totp_last_step: None,
        recovery_codes: codes_stored,
        must_change_password: false,
        created_unix: now.timestamp(),
        last_sign_on_unix: None,
        language: None,
    };

    let mut writes = WriteSet::new();
    writes.put(&meta_tree, META_KEY, codec::encode(&meta).to_vec());
    writes.put(
        &meta_tree,
        super::meta::SUITE_KEY,
        suite.name().as_bytes().to_vec(),
    );
    let text_public = vault.text_keys().public();
    writes.put(
        &meta_tree,
        crate::audit::log::TEXT_PUBLIC_KEY,
        text_public.to_vec(),
    );
    vault.store().audit().set_text_public(text_public);
    vault.store().stage_slot(
        &mut writes,
        vault.keys(),
        SlotKind::Recovery,
        KdfParams::Hkdf,
        recovery_key.bytes(),
    )?;
    vault.stage_user(&mut writes, &user, password.as_bytes())?;
    let event = AuditEvent::new(actor, "store.init", Outcome::Ok)
        .subject(format!("user:{admin}"))
        .detail(format!(
            "store created; admin user and recovery key slot added; crypto suite {}",
            suite.name()
        ));
    vault.commit(event, writes)?;
    restrict_permissions(dir).map_err(|e| StoreError::from_io(dir, &e))?;

    let secrets = InitSecrets {
        otpauth_uri,
        recovery_key: recovery_key.display(),
        audit_seed: seed.display(),
        recovery_codes: codes_shown,
    };
    Ok((vault, secrets))
}
