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
