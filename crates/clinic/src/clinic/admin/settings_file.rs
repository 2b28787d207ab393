//! Writing `settings.toml`: an edit of the admin's file, not a rewrite. Only the
//! settings whose value changes are touched (through toml_edit), so every comment, the
//! order of the sections and the settings left at their defaults stay as written.

use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, Table};

use super::settings::{SETTINGS_FILE, Settings};

/// Every setting, commented out with its default: what `init` writes and the Debian
/// package installs as `/etc/caredesk/settings.toml`.
pub const DEFAULT_FILE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../deploy/settings.toml"
));

/// Writes the commented default file into `dir` unless a settings file (or the
/// package's link to one) is already there.
pub fn write_default(dir: &Path) -> Result<(), String> {
    let path = dir.join(SETTINGS_FILE);
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path);
    match created {
        Ok(mut file) => file
            .write_all(DEFAULT_FILE.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(format!("cannot write {}: {e}", path.display())),
    }
}

/// Saves `settings` into `dir`'s file: the file as it is (the commented default when
/// there is none) with only the changed settings edited.
pub fn save(settings: &Settings, dir: &Path) -> Result<(), String> {
    let path = dir.join(SETTINGS_FILE);
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => DEFAULT_FILE.to_string(),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let text =
        edited(&existing, settings).map_err(|e| format!("cannot edit {}: {e}", path.display()))?;
    write(dir, &path, &existing, &text)
}

/// `existing` with the settings whose value differs from `wanted` set to it.
pub fn edited(existing: &str, wanted: &Settings) -> Result<String, String> {
    let mut document: DocumentMut = existing.parse().map_err(|e| format!("{e}"))?;
    let current: Settings = toml::from_str(existing).map_err(|e| e.message().to_string())?;
    let as_table = |s: &Settings| toml::Table::try_from(s).map_err(|e| e.to_string());
    merge(
        document.as_table_mut(),
        &as_table(&current)?,
        &as_table(wanted)?,
    )?;
    Ok(document.to_string())
}

/// Sets in `file` each value of `wanted` that differs from `current` (what `file`
/// reads as, defaults filled in), section by section; removes what `wanted` dropped.
fn merge(file: &mut Table, current: &toml::Table, wanted: &toml::Table) -> Result<(), String> {
    let empty = toml::Table::new();
    for (key, value) in wanted {
        let before = current.get(key);
        if before == Some(value) {
            continue;
        }
        if let toml::Value::Table(section) = value {
            let before = match before {
                Some(toml::Value::Table(before)) => before,
                _ => &empty,
            };
            let entry = file.entry(key).or_insert_with(|| Item::Table(Table::new()));
            if let Some(table) = entry.as_table_mut() {
                merge(table, before, section)?;
                continue;
            }
        }
        set(file, key, value)?;
    }
    for key in current.keys().filter(|key| !wanted.contains_key(*key)) {
        file.remove(key);
    }
    Ok(())
}

/// Sets one setting, keeping the comments before it and after its value.
fn set(file: &mut Table, key: &str, value: &toml::Value) -> Result<(), String> {
    // toml writes the value (an array of tables as `[[…]]`); toml_edit takes it in.
    let mut one = toml::Table::new();
    one.insert(key.to_string(), value.clone());
    let text = toml::to_string(&one).map_err(|e| e.to_string())?;
    let mut parsed: DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    let mut item = parsed
        .remove(key)
        .ok_or_else(|| format!("{key}: no value written"))?;
    if let (Some(old), Some(new)) = (file.get(key).and_then(Item::as_value), item.as_value_mut()) {
        *new.decor_mut() = old.decor().clone();
    }
    // In place: `insert` would replace the key and the comments it carries.
    match file.get_mut(key) {
        Some(slot) => *slot = item,
        None => {
            file.insert(key, item);
        }
    }
    Ok(())
}

/// Replaces the file atomically (a temporary file beside it, then a rename), keeping
/// its permissions and owner. A file linked from elsewhere whose directory this
/// process may not write is rewritten in place, the previous text kept first in
/// `DIR/.settings.toml.previous`; one it may not write at all (the package's
/// `/etc/caredesk/settings.toml`, root's) is refused, saying who edits it.
fn write(dir: &Path, path: &Path, previous: &str, text: &str) -> Result<(), String> {
    let target: PathBuf = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let failed = |at: &Path, e: std::io::Error| {
        if target != path
            && matches!(
                e.kind(),
                std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
            )
        {
            format!(
                "{} is not caredesk's to write ({e}): it is the system administrator's file ({} links to it); change it there (sudoedit {}) and restart the daemon",
                target.display(),
                path.display(),
                target.display()
            )
        } else {
            format!("cannot write {}: {e}", at.display())
        }
    };
    let parent = target.parent().unwrap_or(dir);
    let temp = parent.join(".settings.toml.new");
    let existing = std::fs::metadata(&target).ok();
    let mode = existing
        .as_ref()
        .map_or(0o600, |m| m.permissions().mode() & 0o777);
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&temp);
    let mut file = match created {
        Ok(file) => file,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
            ) && target != path =>
        {
            return write_in_place(dir, &target, previous, text).map_err(|e| failed(&target, e));
        }
        Err(e) => return Err(failed(&temp, e)),
    };
    let mut replace = || -> std::io::Result<()> {
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        // Root editing a file of the service account's must not leave it root's (the
        // daemon could no longer read it).
        let made = file.metadata()?;
        if let Some(meta) = &existing
            && (meta.uid(), meta.gid()) != (made.uid(), made.gid())
        {
            std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()))?;
        }
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, &target)
    };
    replace().map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        failed(&target, e)
    })
}

fn write_in_place(dir: &Path, target: &Path, previous: &str, text: &str) -> std::io::Result<()> {
    // The target is tried first: the previous text is kept only when it will change.
    let mut file = std::fs::OpenOptions::new().write(true).open(target)?;
    let mut kept = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(dir.join(".settings.toml.previous"))?;
    kept.write_all(previous.as_bytes())?;
    kept.sync_all()?;
    file.set_len(0)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::auth::{Permission, Role};

    /// The default file with each `#key = value` line (and `#[[…]]` header) uncommented.
    fn uncommented(text: &str) -> String {
        text.lines()
            .map(|line| match line.strip_prefix('#') {
                Some(rest) if rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '[') => {
                    rest
                }
                Some("") => "",
                _ => line,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_default_file_reads_as_the_defaults_and_shows_every_setting() {
        let as_read: Settings = toml::from_str(DEFAULT_FILE).unwrap();
        assert_eq!(as_read, Settings::default());
        // Uncommented, it writes every setting out with its default value.
        let shown: toml::Table = toml::from_str(&uncommented(DEFAULT_FILE)).unwrap();
        let defaults = toml::Table::try_from(Settings::default()).unwrap();
        assert_eq!(shown, defaults);
    }

    #[test]
    fn a_role_change_keeps_the_admins_comments_and_order() {
        let dir = tempfile::tempdir().unwrap();
        let admins_file = "\
# Harbour clinic: settings reviewed by Li Min, 2026-11-02.
[session]
idle_timeout_seconds = 600 # agreed with the ward: ten minutes

# Roles
[roles]
# the night nurse also books
nurse = [\"patient_search\", \"follow_up_work\"]

[clinic]
name = \"Harbour\"   # as on the sign
";
        std::fs::write(dir.path().join(SETTINGS_FILE), admins_file).unwrap();
        let mut settings = Settings::load(dir.path()).unwrap();
        settings.roles.insert(
            Role::Nurse,
            BTreeSet::from([Permission::PatientSearch, Permission::ClinicalRead]),
        );
        settings
            .roles
            .insert(Role::FrontDesk, BTreeSet::from([Permission::PatientSearch]));
        settings.save(dir.path()).unwrap();
        let text = std::fs::read_to_string(dir.path().join(SETTINGS_FILE)).unwrap();
        assert_eq!(
            text,
            "\
# Harbour clinic: settings reviewed by Li Min, 2026-11-02.
[session]
idle_timeout_seconds = 600 # agreed with the ward: ten minutes

# Roles
[roles]
# the night nurse also books
nurse = [\"patient_search\", \"clinical_read\"]
front_desk = [\"patient_search\"]

[clinic]
name = \"Harbour\"   # as on the sign
"
        );
        assert_eq!(Settings::load(dir.path()).unwrap(), settings);
    }

    #[test]
    fn saving_into_an_empty_directory_starts_from_the_commented_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings::default();
        settings.clinic.name = "Harbour".into();
        settings.cards.types.truncate(1);
        settings.save(dir.path()).unwrap();
        let text = std::fs::read_to_string(dir.path().join(SETTINGS_FILE)).unwrap();
        assert!(text.starts_with("# caredesk settings"), "{text}");
        assert!(
            text.contains("#phone = \"\""),
            "the other settings stay commented"
        );
        assert!(text.contains("name = \"Harbour\""), "{text}");
        assert_eq!(Settings::load(dir.path()).unwrap(), settings);
        // Saving what the file already says changes nothing.
        settings.save(dir.path()).unwrap();
        let again = std::fs::read_to_string(dir.path().join(SETTINGS_FILE)).unwrap();
        assert_eq!(again, text);
    }

    #[test]
    fn write_default_leaves_an_existing_file_alone() {
        let dir = tempfile::tempdir().unwrap();
        write_default(dir.path()).unwrap();
        let path = dir.path().join(SETTINGS_FILE);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), DEFAULT_FILE);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::write(&path, "[clinic]\nname = \"Mine\"\n").unwrap();
        write_default(dir.path()).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "[clinic]\nname = \"Mine\"\n"
        );
    }

    #[test]
    fn a_linked_file_is_written_through_the_link() {
        let etc = tempfile::tempdir().unwrap();
        let data = tempfile::tempdir().unwrap();
        let real = etc.path().join("settings.toml");
        std::fs::write(&real, "# the clinic's file\n[roles]\n").unwrap();
        std::os::unix::fs::symlink(&real, data.path().join(SETTINGS_FILE)).unwrap();
        let mut settings = Settings::load(data.path()).unwrap();
        settings
            .roles
            .insert(Role::Nurse, BTreeSet::from([Permission::FollowUpWork]));
        settings.save(data.path()).unwrap();
        let link = std::fs::symlink_metadata(data.path().join(SETTINGS_FILE)).unwrap();
        assert!(link.file_type().is_symlink(), "the link stays a link");
        assert_eq!(
            std::fs::read_to_string(&real).unwrap(),
            "# the clinic's file\n[roles]\nnurse = [\"follow_up_work\"]\n"
        );
    }
}
