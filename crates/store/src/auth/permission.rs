//! Permissions and the role → permission table ("minimum necessary").
//!
//! The defaults live here; a clinic may adjust them in the data directory's
//! `settings.toml` (`[roles]`), and every change is audited.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::role::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Find patients by name, phone, ID or card number.
    PatientSearch,
    /// Read a patient's demographics (name, sex, birth date, contact, ID).
    DemographicsRead,
    /// Register patients and change their demographics.
    DemographicsWrite,
    /// Issue, reissue and cancel member cards.
    CardManage,
    /// Book appointments and exams.
    AppointmentManage,
    /// Record consent and opt-outs.
    ConsentManage,
    /// Read health records, results, risks, notes.
    ClinicalRead,
    /// Change health records, write notes and plans.
    ClinicalWrite,
    /// Import exam results.
    ResultsImport,
    /// Work the follow-up queue and record calls.
    FollowUpWork,
    /// Print or export reports about a patient.
    ReportPrint,
    /// Read restricted (staff, VIP) patients without break-glass.
    RestrictedRead,
    /// Open a restricted patient with a typed reason (break-glass).
    BreakGlass,
    /// Mark a patient restricted or not.
    RestrictedManage,
    /// Read and export the audit log.
    AuditRead,
    /// Read security alerts.
    AlertsRead,
    /// Add, disable and change staff users.
    UserAdmin,
    /// Change the clinic's settings.
    SettingsAdmin,
    /// Change this table and which role each user holds (the security administrator).
    RoleAdmin,
    /// Manage key slots and keys.
    KeyAdmin,
    /// Take and restore backups.
    BackupRun,
    /// Run scheduled jobs (follow-ups due, tags, alerts).
    SchedulerRun,
    /// Import patients from a spreadsheet (data migration).
    PatientImport,
    /// Export everything held on one patient (their right of access): a disclosure.
    PatientExport,
    /// Set a patient's manual tags (VIP, hypertension, pregnancy …).
    TagManage,
    /// Request or approve the erasure of a patient (two different people).
    PatientErase,
    /// Keep the log of patients' requests over their information (PIPL 第50条).
    RightsManage,
}

impl Permission {
    pub const ALL: [Permission; 27] = [
        Permission::PatientSearch,
        Permission::DemographicsRead,
        Permission::DemographicsWrite,
        Permission::CardManage,
        Permission::AppointmentManage,
        Permission::ConsentManage,
        Permission::ClinicalRead,
        Permission::ClinicalWrite,
        Permission::ResultsImport,
        Permission::FollowUpWork,
        Permission::ReportPrint,
        Permission::RestrictedRead,
        Permission::BreakGlass,
        Permission::RestrictedManage,
        Permission::AuditRead,
        Permission::AlertsRead,
        Permission::UserAdmin,
        Permission::SettingsAdmin,
        Permission::RoleAdmin,
        Permission::KeyAdmin,
        Permission::BackupRun,
        Permission::SchedulerRun,
        Permission::PatientImport,
        Permission::PatientExport,
        Permission::TagManage,
        Permission::PatientErase,
        Permission::RightsManage,
    ];

    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }
}

/// Whether the three administrators' duties are held by three roles (the default,
/// 等保 level 3) or merged into the administrator for a clinic too small to staff three
/// (`[security] merge_admin_duties = true`, audited whenever it changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminDuties {
    Separate,
    Merged,
}

/// Which permissions each role has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleTable(pub BTreeMap<Role, BTreeSet<Permission>>);

impl RoleTable {
    /// The defaults, with the administrator's duties split three ways (三员分立).
    pub fn defaults() -> Self {
        Self::defaults_with(AdminDuties::Separate)
    }

    /// The defaults for the clinic's choice of administrator duties.
    pub fn defaults_with(duties: AdminDuties) -> Self {
        use Permission::*;
        let front_desk = vec![
            PatientSearch,
            DemographicsRead,
            DemographicsWrite,
            CardManage,
            AppointmentManage,
            ConsentManage,
            PatientImport,
            TagManage,
        ];
        let nurse = vec![
            PatientSearch,
            DemographicsRead,
            ClinicalRead,
            ClinicalWrite,
            ResultsImport,
            FollowUpWork,
            BreakGlass,
            TagManage,
        ];
        // Doctors record follow-up visits too (the 规范's form is signed by the
        // 随访医生).
        let doctor = vec![
            PatientSearch,
            DemographicsRead,
            ClinicalRead,
            ClinicalWrite,
            ResultsImport,
            FollowUpWork,
            ReportPrint,
            BreakGlass,
            PatientExport,
            RestrictedManage,
            TagManage,
        ];
        let health_manager = vec![
            PatientSearch,
            DemographicsRead,
            ClinicalRead,
            ClinicalWrite,
            ResultsImport,
            ReportPrint,
            FollowUpWork,
            BreakGlass,
            PatientExport,
            RestrictedManage,
            TagManage,
            PatientErase,
        ];
        // The privacy officer answers patients' requests for their records.
        let auditor = vec![AuditRead, AlertsRead, PatientExport];
        // 三员分立: the system administrator runs the installation; the security
        // administrator holds the keys and decides who may do what; the auditor
        // (audit administrator) reads what both of them did.
        // Security alerts (sign-in attacks, bulk exports, the admin's own actions
        // among them) are for the security and audit administrators to read and close.
        let mut admin = vec![
            UserAdmin,
            SettingsAdmin,
            BackupRun,
            PatientImport,
            ResultsImport,
            PatientErase,
        ];
        let security_admin = vec![RoleAdmin, KeyAdmin, RestrictedManage, AlertsRead];
        if duties == AdminDuties::Merged {
            // A small clinic with one administrator, by its own audited choice.
            admin.extend([RoleAdmin, KeyAdmin, RestrictedManage, AuditRead, AlertsRead]);
        }
        let system = vec![ResultsImport, SchedulerRun, BackupRun];
        // Finds the patient, reads who they are, gives them their copy, keeps the log.
        let privacy_officer = vec![PatientSearch, DemographicsRead, PatientExport, RightsManage];
        let table = [
            (Role::FrontDesk, front_desk),
            (Role::Nurse, nurse),
            (Role::Doctor, doctor),
            (Role::HealthManager, health_manager),
            (Role::Auditor, auditor),
            (Role::Admin, admin),
            (Role::System, system),
            (Role::PrivacyOfficer, privacy_officer),
            (Role::SecurityAdmin, security_admin),
        ];
        Self(
            table
                .into_iter()
                .map(|(r, p)| (r, p.into_iter().collect()))
                .collect(),
        )
    }

    pub fn allows(&self, role: Role, permission: Permission) -> bool {
        self.0
            .get(&role)
            .is_some_and(|set| set.contains(&permission))
    }

    pub fn permissions(&self, role: Role) -> BTreeSet<Permission> {
        self.0.get(&role).cloned().unwrap_or_default()
    }

    /// The defaults for `duties` with the given roles replaced wholesale.
    pub fn with_overrides(
        duties: AdminDuties,
        overrides: &BTreeMap<Role, BTreeSet<Permission>>,
    ) -> Self {
        let mut table = Self::defaults_with(duties);
        for (role, permissions) in overrides {
            table.0.insert(*role, permissions.clone());
        }
        table
    }

    /// Roles whose permissions differ between two tables, for the audit record.
    pub fn changed_roles(&self, other: &RoleTable) -> Vec<Role> {
        Role::ALL
            .into_iter()
            .filter(|r| self.permissions(*r) != other.permissions(*r))
            .collect()
    }

    /// The roles that hold two administrators' powers at once (三员分立): the system
    /// administrator's (`user_admin`), the security administrator's (`role_admin`,
    /// `key_admin`) and the audit administrator's (`audit_read`), each role with the
    /// powers it combines.
    pub fn separation_breaches(&self) -> Vec<(Role, Vec<Permission>)> {
        use Permission::*;
        let groups: [&[Permission]; 3] = [&[UserAdmin], &[RoleAdmin, KeyAdmin], &[AuditRead]];
        Role::ALL
            .into_iter()
            .filter(|r| *r != Role::System)
            .filter_map(|role| {
                let held: Vec<Permission> = groups
                    .iter()
                    .flat_map(|g| g.iter().copied())
                    .filter(|p| self.allows(role, *p))
                    .collect();
                let spans = groups
                    .iter()
                    .filter(|g| g.iter().any(|p| self.allows(role, *p)))
                    .count();
                (spans > 1).then_some((role, held))
            })
            .collect()
    }

    /// A stable fingerprint, to notice a table changed between runs.
    pub fn fingerprint(&self) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        let text = serde_json::to_string(&self.0).unwrap_or_default();
        Sha256::digest(text.as_bytes()).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_desk_and_auditor_get_no_clinical_content() {
        let t = RoleTable::defaults();
        for role in [Role::FrontDesk, Role::Auditor, Role::Admin] {
            assert!(!t.allows(role, Permission::ClinicalRead), "{role}");
        }
        assert!(t.allows(Role::Auditor, Permission::AuditRead));
        assert!(!t.allows(Role::Doctor, Permission::AuditRead));
        assert!(t.allows(Role::FrontDesk, Permission::CardManage));
    }

    #[test]
    fn the_three_administrators_hold_separate_powers_unless_merged() {
        let t = RoleTable::defaults();
        let powers = [
            Permission::UserAdmin,
            Permission::KeyAdmin,
            Permission::RoleAdmin,
            Permission::AuditRead,
        ];
        let held = |t: &RoleTable, role| {
            powers
                .iter()
                .filter(|p| t.allows(role, **p))
                .copied()
                .collect::<Vec<_>>()
        };
        assert_eq!(held(&t, Role::Admin), vec![Permission::UserAdmin]);
        assert_eq!(
            held(&t, Role::SecurityAdmin),
            vec![Permission::KeyAdmin, Permission::RoleAdmin]
        );
        assert_eq!(held(&t, Role::Auditor), vec![Permission::AuditRead]);
        let merged = RoleTable::defaults_with(AdminDuties::Merged);
        assert_eq!(held(&merged, Role::Admin), powers.to_vec());
        assert!(t.separation_breaches().is_empty());
        assert_eq!(merged.separation_breaches().len(), 1);
        let mut o = BTreeMap::new();
        o.insert(
            Role::Nurse,
            BTreeSet::from([
                Permission::ClinicalRead,
                Permission::AuditRead,
                Permission::KeyAdmin,
            ]),
        );
        let breached = RoleTable::with_overrides(AdminDuties::Separate, &o).separation_breaches();
        assert_eq!(breached[0].0, Role::Nurse);
        assert_ne!(merged.fingerprint(), t.fingerprint());
    }

    #[test]
    fn every_permission_has_a_snake_case_name() {
        for p in Permission::ALL {
            let name = p.name();
            assert!(!name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        }
    }

    #[test]
    fn overrides_replace_a_role() {
        let mut o = BTreeMap::new();
        o.insert(Role::Nurse, BTreeSet::from([Permission::FollowUpWork]));
        let t = RoleTable::with_overrides(AdminDuties::Separate, &o);
        assert!(!t.allows(Role::Nurse, Permission::ClinicalRead));
        assert_eq!(t.changed_roles(&RoleTable::defaults()), vec![Role::Nurse]);
        assert_ne!(t.fingerprint(), RoleTable::defaults().fingerprint());
    }
}
