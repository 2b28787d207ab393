//! Administration: staff accounts and roles, key slots and data-key rotation, backups, and the settings file.

pub mod backups;
pub(crate) mod key_rotation;
pub mod keys;
pub mod settings;
pub mod settings_file;
pub(crate) mod settings_in_force;
pub(crate) mod users;
