//! What a role sees of what a request may read. The table (`operations.rs`) decides
//! whether a request runs at all; these rules shape what its reply holds, record by
//! record. They are the only permission checks outside the table (a test keeps it so).

use super::service::Ctx;
use crate::auth::Permission;
use crate::domain::patient::{Patient, PatientId};

impl Ctx<'_> {
    pub(crate) fn allows(&self, permission: Permission) -> bool {
        self.clinic.roles_allow(self.session.role, permission)
    }

    /// Clinical fields (the health record, results, risks, care) travel in the reply.
    pub(crate) fn sees_clinical(&self) -> bool {
        self.allows(Permission::ClinicalRead)
    }

    /// Who a patient is shows in lists: always, unless the patient is restricted and
    /// this session may not open them (`restricted_read`, or break-glass for them).
    pub(crate) fn sees_who(&self, id: &PatientId, patient: &Patient) -> bool {
        !patient.restricted || self.opens_restricted(id)
    }

    /// A restricted patient is open to this session.
    pub(crate) fn opens_restricted(&self, id: &PatientId) -> bool {
        self.allows(Permission::RestrictedRead) || self.session.break_glass.contains(id)
    }

    /// The home screen's count of patients (those who search them).
    pub(crate) fn sees_patient_count(&self) -> bool {
        self.allows(Permission::PatientSearch)
    }

    /// Every alert (oversight), as against only clinical ones (the care team).
    pub(crate) fn oversees_alerts(&self) -> bool {
        self.allows(Permission::AlertsRead)
    }

    /// Administrators' accounts (system, security, audit) are this user's to make and
    /// reset: the security administrator's duty (三员分立).
    pub(crate) fn manages_administrators(&self) -> bool {
        self.allows(Permission::RoleAdmin)
    }

    /// The log of patients' requests is this user's to keep (the privacy officer).
    pub(crate) fn keeps_rights_log(&self) -> bool {
        self.allows(Permission::RightsManage)
    }

    /// Staff accounts are this user's to make and reset: the system administrator's.
    pub(crate) fn manages_staff(&self) -> bool {
        self.allows(Permission::UserAdmin)
    }

    /// An alert is this user's to see and act on: oversight any, the care team the
    /// clinical ones.
    pub(crate) fn sees_alert(&self, clinical: bool) -> bool {
        self.oversees_alerts() || (clinical && self.sees_clinical())
    }
}

#[cfg(test)]
mod tests {
    /// `Ctx::allows` is private to this file, so a handler cannot call it; nor may it
    /// ask the role table itself.
    #[test]
    fn no_handler_asks_the_role_table_itself() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/clinic");
        // Every file, those of folder modules (api/) included.
        let mut files = Vec::new();
        let mut folders = vec![dir.clone()];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(folder).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    folders.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        for path in files {
            let name = path
                .strip_prefix(&dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .to_string();
            if ["visibility.rs", "service.rs", "admin/settings_in_force.rs"]
                .contains(&name.as_str())
            {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // (Reporting a user's permissions, as sign-on does, decides nothing.)
            for asked in ["roles_allow(", ".roles().allows("] {
                assert!(
                    !text.contains(asked),
                    "{name} asks the role table itself ({asked}): put the rule in the table \
                     (operations.rs) or in visibility.rs"
                );
            }
        }
    }
}
