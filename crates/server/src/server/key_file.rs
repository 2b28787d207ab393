//! Key files: what opens a key slot for the clinic server or an unattended job. The
//! command that makes one writes it; the server and `--key-file` commands read it.

use std::path::Path;

use zeroize::Zeroizing;

use crate::clinic::Secret;

const HEADER: &str = "caredesk-key-file v1";

/// The text of a key file for `label`.
pub fn contents(label: &str, key: &Secret) -> Zeroizing<String> {
    Zeroizing::new(format!(
        "{HEADER}\nlabel = {label}\nkey = {}\n",
        key.expose()
    ))
}

/// Reads a key file: (label, key). Refused when others may read it.
pub fn read(path: &Path) -> anyhow::Result<(String, Secret)> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| anyhow::anyhow!("cannot read the key file {}: {e}", path.display()))?;
    if meta.permissions().mode() & 0o077 != 0 {
        anyhow::bail!(
            "the key file {} may be read by others: chmod 600 it (and keep it with the service account)",
            path.display()
        );
    }
    let text = Zeroizing::new(std::fs::read_to_string(path)?);
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        anyhow::bail!("{} is not a caredesk key file", path.display());
    }
    let mut label = None;
    let mut key = None;
    for line in lines {
        if let Some(v) = line.strip_prefix("label = ") {
            label = Some(v.trim().to_string());
        } else if let Some(v) = line.strip_prefix("key = ") {
            key = Some(Secret::new(v.trim()));
        }
    }
    match (label, key) {
        (Some(label), Some(key)) => Ok((label, key)),
        _ => anyhow::bail!("{} lacks its label or key line", path.display()),
    }
}

/// Reads a token's PIN from a file only the service account may read (never argv).
pub fn read_pin(path: &Path) -> anyhow::Result<Zeroizing<String>> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| anyhow::anyhow!("cannot read the PIN file {}: {e}", path.display()))?;
    if meta.permissions().mode() & 0o077 != 0 {
        anyhow::bail!(
            "the PIN file {} may be read by others: chmod 600 it",
            path.display()
        );
    }
    let text = Zeroizing::new(std::fs::read_to_string(path)?);
    let pin = Zeroizing::new(text.trim().to_string());
    if pin.is_empty() {
        anyhow::bail!("the PIN file {} is empty", path.display());
    }
    Ok(pin)
}

/// What opens the store through a token slot, as a key file would: the token
/// (`[pkcs11] module`), signed in with `pin`, decrypts the slot's key.
pub fn from_token(clinic: &crate::clinic::Clinic, pin: &str) -> anyhow::Result<(String, Secret)> {
    use crate::crypto::SlotKind;
    let module = crate::crypto::token::module()
        .ok_or_else(|| anyhow::anyhow!("name the token's library with --pkcs11-module"))?;
    let slots = clinic.key_slots()?;
    let (label, token, key, wrapped) = slots
        .iter()
        .find_map(|s| match &s.kind {
            SlotKind::Token {
                label,
                token,
                key,
                wrapped,
            } => Some((label, token, key, wrapped)),
            _ => None,
        })
        .ok_or_else(|| {
            anyhow::anyhow!("the store has no token slot: add one with `caredesk key add-token`")
        })?;
    let opened = crate::crypto::token::TokenKey::open(module, token, pin, key, false)?;
    let plain = opened.unwrap(wrapped, &crate::clinic::admin::keys::token_aad(label))?;
    let mut bytes = Zeroizing::new([0u8; 32]);
    if plain.len() != bytes.len() {
        anyhow::bail!("the token slot {label} holds no key");
    }
    bytes.copy_from_slice(&plain);
    let key = crate::crypto::keyslot::RecoveryKey::from_bytes(*bytes);
    Ok((label.clone(), Secret::new(key.display().as_str())))
}
