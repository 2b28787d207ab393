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
    Auditor,
    Admin,
    /// Unattended jobs (import, scheduler); logs in with a key file only.
    System,
    /// The 个人信息保护负责人 (PIPL 第52条): answers patients' requests over their
    /// information; separate from the auditor, who reads the log.
    #[value(alias = "privacy_officer")]
    PrivacyOfficer,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::FrontDesk,
        Role::Nurse,
        Role::Doctor,
        Role::HealthManager,
        Role::Auditor,
        Role::PrivacyOfficer,
        Role::Admin,
        Role::System,
    ];

    /// Roles a person can hold (`system` is for unattended jobs only).
    pub fn is_staff(self) -> bool {
        self != Role::System
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
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
