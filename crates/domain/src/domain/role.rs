//! The built-in roles (design guide section 1).

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    #[value(alias = "front_desk")]
    FrontDesk,
    Nurse,
    Doctor,
    #[value(alias = "health_manager")]
    HealthManager,
    /// The audit administrator (审计管理员): reads the log, including what the two
    /// administrators did.
    Auditor,
    /// The system administrator (系统管理员): accounts, settings, backups, imports.
    Admin,
    /// Unattended jobs (import, scheduler); logs in with a key file only.
    System,
    /// The 个人信息保护负责人 (PIPL 第52条): answers patients' requests over their
    /// information; separate from the auditor, who reads the log.
    #[value(alias = "privacy_officer")]
    PrivacyOfficer,
    /// The security administrator (安全管理员, 等保 三员分立): keys, the role table and
    /// who holds which role; no accounts, no settings, no audit log.
    #[value(alias = "security_admin")]
    SecurityAdmin,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::FrontDesk,
        Role::Nurse,
        Role::Doctor,
        Role::HealthManager,
        Role::Auditor,
        Role::PrivacyOfficer,
        Role::Admin,
        Role::SecurityAdmin,
        Role::System,
    ];

    /// Roles a person can hold (`system` is for unattended jobs only).
    pub fn is_staff(self) -> bool {
        self != Role::System
    }

    /// The three administrators of 三员分立: the system administrator, the security
    /// administrator and the audit administrator.
    pub fn is_administrator(self) -> bool {
        matches!(self, Role::Admin | Role::SecurityAdmin | Role::Auditor)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::FrontDesk => "front_desk",
            Role::Nurse => "nurse",
            Role::Doctor => "doctor",
            Role::HealthManager => "health_manager",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
            Role::System => "system",
            Role::PrivacyOfficer => "privacy_officer",
            Role::SecurityAdmin => "security_admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
