//! The settings in force: parsed and checked once, when the clinic opens or an
//! administrator changes them, then shared by every request (never re-read or copied
//! per request). The alert rules are parsed with them, so a value that does not parse
//! is refused where it is given, and alerting never switches itself off.

use std::sync::Arc;

use super::settings::Settings;
use crate::audit::{AuditEvent, Outcome};
use crate::auth::{AdminDuties, RoleTable};
use crate::clinic::oversight::alert_settings::AlertRules;
use crate::clinic::service::Clinic;
use crate::store::StoreError;
use crate::store::meta::META_TREE;
use crate::store::writes::WriteSet;

pub(crate) const ROLES_FINGERPRINT_KEY: &[u8] = b"roles_fingerprint";

/// Settings and the alert rules parsed from them, or why they cannot be in force.
pub(crate) fn parsed(settings: Settings) -> Result<(Arc<Settings>, Arc<AlertRules>), String> {
    let rules = settings
        .alerts
        .rules()
        .map_err(|e| format!("[alerts] {e}"))?;
    Ok((Arc::new(settings), Arc::new(rules)))
}

impl Clinic {
    pub(crate) fn audit_role_table_change(&self) -> Result<(), StoreError> {
        let backend = self.backend();
        let Some(store) = backend.store() else {
            return Ok(());
        };
        let meta = store.tree(META_TREE)?;
        let roles = self.roles();
        let fingerprint = roles.fingerprint();
        let stored = meta
            .get(ROLES_FINGERPRINT_KEY)
            .map_err(|e| StoreError::from_sled(self.dir(), e))?;
        if stored.as_deref() == Some(&fingerprint[..]) {
            return Ok(());
        }
        let duties = self.settings().security.duties();
        let changed: Vec<&str> = roles
            .changed_roles(&RoleTable::defaults_with(duties))
            .into_iter()
            .map(|r| r.as_str())
            .collect();
        let mut detail = if changed.is_empty() {
            "role table in force: the defaults".to_string()
        } else {
            format!(
                "role table in force: defaults changed in settings.toml for {}",
                changed.join(", ")
            )
        };
        detail.push_str(match duties {
            AdminDuties::Separate => "; administrator duties separate (三员分立)",
            AdminDuties::Merged => {
                "; administrator duties MERGED ([security] merge_admin_duties = true): the admin role also holds key, role and audit powers"
            }
        });
        let mut writes = WriteSet::new();
        writes.put(&meta, ROLES_FINGERPRINT_KEY, fingerprint.to_vec());
        let event = AuditEvent::new(
            crate::audit::context::process_actor(),
            "settings.roles_loaded",
            Outcome::Ok,
        )
        .detail(detail);
        store.audit().commit(event, writes)?;
        Ok(())
    }

    /// Whether `role` holds `permission` in the role table in force (no copy made).
    pub(crate) fn roles_allow(
        &self,
        role: crate::auth::Role,
        permission: crate::auth::Permission,
    ) -> bool {
        self.roles
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .allows(role, permission)
    }

    pub fn roles(&self) -> RoleTable {
        self.roles.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The settings in force (a shared handle: nothing is parsed or copied).
    pub fn settings(&self) -> Arc<Settings> {
        self.settings
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The alert rules in force, parsed when the settings were.
    pub(crate) fn alert_rules(&self) -> Arc<AlertRules> {
        self.alert_rules
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// New settings in force. Refused, with the old ones kept, when their alert rules
    /// do not parse: alerting never switches off because of a bad value.
    pub(crate) fn set_settings(&self, settings: Settings) -> Result<(), String> {
        let (settings, rules) = parsed(settings)?;
        *self.alert_rules.write().unwrap_or_else(|p| p.into_inner()) = rules;
        *self.settings.write().unwrap_or_else(|p| p.into_inner()) = settings;
        Ok(())
    }

    /// The clinic's offset from UTC at `at`, in seconds (`[clinic] time_zone`).
    pub(crate) fn utc_offset(&self, at: i64) -> i32 {
        self.settings().clinic_zone().offset_at(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_whose_alert_rules_do_not_parse_are_refused_with_the_key() {
        let mut settings = Settings::default();
        assert!(parsed(settings.clone()).is_ok());
        settings.alerts.working_hours = "7-20".into();
        let refused = parsed(settings).unwrap_err();
        assert!(
            refused.contains("working_hours") && refused.contains("07:00-20:00"),
            "{refused}"
        );
    }
}
