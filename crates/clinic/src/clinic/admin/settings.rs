//! `DIR/settings.toml`: what a clinic may adjust without a new build. Every key is
//! optional; a missing file means the defaults.
//!
//! ```toml
//! [session]
//! idle_timeout_seconds = 300
//! absolute_timeout_seconds = 43200
//!
//! [lockout]
//! max_failures = 5
//! window_minutes = 15
//! lock_minutes = 15
//!
//! [roles]   # replaces a role's permissions wholesale
//! nurse = ["patient_search", "demographics_read", "clinical_read", "follow_up_work"]
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::auth::signon::LockoutPolicy;
use crate::auth::{Permission, Role};

pub const SETTINGS_FILE: &str = "settings.toml";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionSettings {
    pub idle_timeout_seconds: u64,
    pub absolute_timeout_seconds: u64,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            idle_timeout_seconds: 5 * 60,
            absolute_timeout_seconds: 12 * 60 * 60,
        }
    }
}

/// `[followup]`: the call queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FollowUpSettings {
    /// A nurse's claim on a follow-up lapses after this many minutes.
    pub claim_minutes: u32,
    /// Who new automatic follow-up plans are assigned to.
    pub default_team: String,
    /// The command that plays a recording; `{file}` is replaced by the file's path.
    pub player: String,
}

impl Default for FollowUpSettings {
    fn default() -> Self {
        Self {
            claim_minutes: 15,
            default_team: "nurses".into(),
            player: "aplay {file}".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LockoutSettings {
    pub max_failures: u32,
    pub window_minutes: u32,
    pub lock_minutes: u32,
}

impl Default for LockoutSettings {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window_minutes: 15,
            lock_minutes: 15,
        }
    }
}

impl LockoutSettings {
    pub fn policy(&self) -> LockoutPolicy {
        LockoutPolicy {
            max_failures: self.max_failures.max(1),
            window_seconds: i64::from(self.window_minutes) * 60,
            lock_seconds: i64::from(self.lock_minutes) * 60,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClinicSettings {
    /// Shown in the status bar and on reports.
    pub name: String,
    /// Printed under the name on reports and cards.
    pub address: String,
    /// The clinic's telephone, printed on reports and cards.
    pub phone: String,
    /// A demo store: the sign-in screen shows the demo users and their codes.
    pub demo: bool,
    /// The units results are read in: "si" (mmol/L, µmol/L, g/L) or "conventional"
    /// (mg/dL, g/dL). Values are stored as sent and converted for reading.
    pub units: crate::domain::indicators::UnitSystem,
    /// The clinic's time zone, an IANA name ("Asia/Shanghai"): "today" at the desk,
    /// every time typed, shown or printed. Empty: the server's own zone.
    pub time_zone: String,
    /// The 12 digits before the serial of every 健康档案编号 this clinic files: the
    /// county (GB/T 2260, 6 digits), the 乡镇 or street (3) and the 村居 (3). Empty:
    /// records get no number until it is set.
    pub area_code: String,
}

impl Default for ClinicSettings {
    fn default() -> Self {
        Self {
            name: "caredesk".into(),
            address: String::new(),
            phone: String::new(),
            demo: false,
            units: Default::default(),
            time_zone: String::new(),
            area_code: String::new(),
        }
    }
}

/// The terminal app's defaults; flags override them per run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TuiSettings {
    /// Idle time after which the terminal signs out, e.g. "5m", "30s".
    pub idle_logout: String,
    /// "default" or "vim".
    pub keymap: String,
    /// "en" or "zh-CN".
    pub lang: String,
}

impl Default for TuiSettings {
    fn default() -> Self {
        Self {
            idle_logout: "5m".into(),
            keymap: "default".into(),
            lang: "en".into(),
        }
    }
}

/// `[server]`: the daemon's socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSettings {
    /// The Unix group that may use the socket (staff); empty: the service account's.
    pub group: String,
    /// How often the scheduler runs (follow-ups due; once a day every patient's risks
    /// and tags). It runs only in a daemon started with a key file.
    pub scheduler_seconds: u64,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            group: String::new(),
            scheduler_seconds: 15 * 60,
        }
    }
}

/// `[report]`: paper, the printer and the fonts of printed reports and cards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportSettings {
    /// "a4" or "letter".
    pub paper: crate::domain::paper::Paper,
    /// The CUPS printer offered first (empty: CUPS's default destination).
    pub printer: String,
    /// A TrueType/OpenType font (.ttf, .otf, .ttc) tried first for every character;
    /// what it lacks is set in the installed fonts.
    pub font: String,
    /// Its bold face (headings); the regular one is used when empty.
    pub font_bold: String,
    /// Directories (searched with their subdirectories) holding the installed fonts
    /// printing falls back on; empty: the system's (/usr/share/fonts,
    /// /usr/local/share/fonts, ~/.fonts, ~/.local/share/fonts).
    pub font_dirs: Vec<String>,
}

impl Default for ReportSettings {
    fn default() -> Self {
        Self {
            paper: crate::domain::paper::Paper::A4,
            printer: String::new(),
            font: String::new(),
            font_bold: String::new(),
            font_dirs: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardType {
    pub name: String,
    pub validity_months: u32,
}

/// Member cards: number prefix, serial width, and the types a clinic sells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CardSettings {
    /// Digits every card number starts with.
    pub prefix: String,
    /// Digits of the serial after the prefix (the check digit follows).
    pub serial_digits: u8,
    pub types: Vec<CardType>,
}

impl Default for CardSettings {
    fn default() -> Self {
        let card = |name: &str, validity_months| CardType {
            name: name.into(),
            validity_months,
        };
        Self {
            prefix: "8860".into(),
            serial_digits: 8,
            types: vec![card("basic", 12), card("silver", 24), card("gold", 36)],
        }
    }
}

impl CardSettings {
    pub fn card_type(&self, name: &str) -> Option<&CardType> {
        self.types.iter().find(|t| t.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExamPackage {
    pub name: String,
    pub items: Vec<String>,
    /// Price in yuan, as shown to the patient.
    pub price: String,
    pub duration_minutes: u32,
    /// Places per day.
    pub daily_capacity: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExamSettings {
    pub packages: Vec<ExamPackage>,
    /// The days exams are done, e.g. "mon-sat" or "mon,wed,fri".
    pub open_days: String,
    /// Days the clinic is closed besides (holidays), as dates.
    pub closed: Vec<chrono::NaiveDate>,
}

impl Default for ExamSettings {
    fn default() -> Self {
        let package =
            |name: &str, items: &[&str], price: &str, duration_minutes, daily_capacity| {
                ExamPackage {
                    name: name.into(),
                    items: items.iter().map(|i| i.to_string()).collect(),
                    price: price.into(),
                    duration_minutes,
                    daily_capacity,
                }
            };
        Self {
            packages: vec![
                package(
                    "basic",
                    &[
                        "blood pressure",
                        "BMI",
                        "blood count",
                        "fasting glucose",
                        "lipids",
                    ],
                    "399",
                    60,
                    40,
                ),
                package(
                    "cardio",
                    &["ECG", "lipids", "HbA1c", "carotid ultrasound"],
                    "1280",
                    120,
                    12,
                ),
                package(
                    "senior",
                    &["ECG", "kidney function", "bone density", "eye exam"],
                    "1680",
                    150,
                    8,
                ),
            ],
            // Every day until the clinic says otherwise.
            open_days: "mon-sun".into(),
            closed: Vec::new(),
        }
    }
}

/// PIPL: who answers for personal information, how strictly the separate consent to
/// process health information is enforced, and how soon a patient's request is
/// answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrivacySettings {
    /// The 个人信息保护负责人 (PIPL 第52条) and how to reach them, as the notice
    /// prints it ("Ms Li, 010-6588 0001, privacy@clinic.example").
    pub officer: String,
    /// Refuse to record health information (amending a clinical section) for a patient
    /// who has not given the separate consent to its processing (第29条). Off: the
    /// desk shows the missing consent and records anyway (emergencies, 第13条).
    pub require_health_consent: bool,
    /// Working days within which a patient's request over their information is
    /// answered (the log's due date).
    pub answer_working_days: u32,
}

impl Default for PrivacySettings {
    fn default() -> Self {
        Self {
            officer: String::new(),
            require_health_consent: false,
            answer_working_days: 15,
        }
    }
}

/// 等保 level 3: how the administrator's powers are divided.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecuritySettings {
    /// Give the system administrator the security administrator's powers (keys, the
    /// role table, who holds which role) and the audit administrator's (the audit
    /// log) too: for a clinic too small to staff three administrators. Off by
    /// default (三员分立); the daemon audits the change whenever it opens the store.
    pub merge_admin_duties: bool,
}

impl SecuritySettings {
    pub fn duties(&self) -> crate::auth::AdminDuties {
        if self.merge_admin_duties {
            crate::auth::AdminDuties::Merged
        } else {
            crate::auth::AdminDuties::Separate
        }
    }
}

impl ExamSettings {
    pub fn package(&self, name: &str) -> Option<&ExamPackage> {
        self.packages.iter().find(|p| p.name == name)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub clinic: ClinicSettings,
    pub privacy: PrivacySettings,
    pub cards: CardSettings,
    pub exams: ExamSettings,
    pub tui: TuiSettings,
    pub session: SessionSettings,
    pub lockout: LockoutSettings,
    pub followup: FollowUpSettings,
    pub report: ReportSettings,
    pub server: ServerSettings,
    pub alerts: crate::clinic::oversight::alert_settings::AlertSettings,
    pub backup: super::backups::BackupSettings,
    pub security: SecuritySettings,
    pub retention: crate::clinic::oversight::retention::RetentionSettings,
    pub roles: BTreeMap<Role, BTreeSet<Permission>>,
}

impl Settings {
    /// The role table these settings put in force.
    pub fn role_table(&self) -> crate::auth::RoleTable {
        crate::auth::RoleTable::with_overrides(self.security.duties(), &self.roles)
    }
}

impl Settings {
    /// Reads `DIR/settings.toml`; a missing file gives the defaults. A bad file is an
    /// error naming the file, the line and the problem.
    pub fn load(dir: &Path) -> Result<Settings, String> {
        let path = dir.join(SETTINGS_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Settings::default()),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let settings: Settings = toml::from_str(&text).map_err(|e| {
            let line = crate::domain::toml_line(&text, &e);
            format!("{} line {line}: {}", path.display(), e.message())
        })?;
        settings
            .alerts
            .rules()
            .map_err(|e| format!("{} [alerts] {e}", path.display()))?;
        crate::domain::time::ClinicZone::parse(&settings.clinic.time_zone)
            .map_err(|e| format!("{} [clinic] {e}", path.display()))?;
        if settings.security.duties() == crate::auth::AdminDuties::Separate
            && let Some((role, held)) = settings.role_table().separation_breaches().first()
        {
            return Err(format!(
                "{} [roles]: {role} would hold {} at once, powers 三员分立 keeps with three different administrators; give them back to their roles, or set [security] merge_admin_duties = true to merge them knowingly (audited)",
                path.display(),
                held.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ")
            ));
        }
        let remote = settings.backup.remote.trim();
        if !remote.is_empty() {
            super::backups::remote_parts(remote).map_err(|e| {
                format!(
                    "{} [backup] remote: {e}; for example \"caredesk@backup.clinic.lan:/srv/caredesk-offsite\"",
                    path.display()
                )
            })?;
        }
        super::backups::check_ssh_options(&settings.backup.ssh_options)
            .map_err(|e| format!("{} [backup] ssh_options: {e}", path.display()))?;
        let area = settings.clinic.area_code.trim();
        if !area.is_empty() && !crate::domain::record_number::area_valid(area) {
            return Err(format!(
                "{} [clinic] area_code: \"{area}\" is not 12 digits (county 6, 乡镇 3, 村居 3, e.g. 310104001002); leave it empty to file records without a number",
                path.display()
            ));
        }
        crate::clinic::oversight::alert_settings::parse_days(&settings.exams.open_days).map_err(
            |e| {
                format!(
                    "{} [exams] open_days: {}",
                    path.display(),
                    e.replace("working_days", "the days")
                )
            },
        )?;
        Ok(settings)
    }

    /// Sets this process's clock (`domain::time`) to the clinic's in `dir`. Each entry
    /// point of the binary calls it once (the daemon, a command, the terminal); a
    /// settings file that does not read leaves times in UTC, said on each.
    /// Returns whether the file was read.
    pub fn use_clinic_clock(dir: &Path) -> bool {
        match Settings::load(dir) {
            Ok(settings) => {
                crate::domain::time::set_clinic_zone(settings.clinic_zone());
                true
            }
            Err(_) => false,
        }
    }

    /// The clinic's clock: `[clinic] time_zone`; else the older `[alerts] utc_offset`;
    /// else the server's own zone.
    pub fn clinic_zone(&self) -> crate::domain::time::ClinicZone {
        use crate::domain::time::ClinicZone;
        match ClinicZone::parse(&self.clinic.time_zone) {
            Ok(ClinicZone::Server) | Err(_) => match self.alerts.fixed_offset() {
                Some(seconds) => ClinicZone::Fixed(seconds),
                None => ClinicZone::Server,
            },
            Ok(zone) => zone,
        }
    }

    /// Saves these settings into `DIR/settings.toml`, editing only the settings that
    /// change: the admin's comments and order stay (`settings_file`).
    pub fn save(&self, dir: &Path) -> Result<(), String> {
        super::settings_file::save(self, dir)
    }

    /// Writes the commented default file (every setting, its default) unless one is
    /// there.
    pub fn write_default(dir: &Path) -> Result<(), String> {
        super::settings_file::write_default(dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_defaults_and_a_bad_one_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), Settings::default());
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            "[session]\nidle_timeout_seconds = 60\n\n[roles]\nnurse = [\"fly\"]\n",
        )
        .unwrap();
        let err = Settings::load(dir.path()).unwrap_err();
        assert!(err.contains("line 5"), "{err}");
        assert!(err.contains("settings.toml"), "{err}");
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Settings::default();
        s.session.idle_timeout_seconds = 1;
        s.roles
            .insert(Role::Nurse, BTreeSet::from([Permission::FollowUpWork]));
        s.save(dir.path()).unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), s);
    }

    #[test]
    fn the_clinic_clock_is_its_zone_else_the_older_offset_else_the_servers() {
        use crate::domain::time::ClinicZone;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            "[clinic]\nname = \"x\"\ntime_zone = \"Beijing\"\n",
        )
        .unwrap();
        let err = Settings::load(dir.path()).unwrap_err();
        assert!(
            err.contains("[clinic]") && err.contains("Asia/Shanghai"),
            "{err}"
        );
        let mut s = Settings::default();
        assert_eq!(s.clinic_zone(), ClinicZone::Server);
        s.alerts.utc_offset = "+08:00".into();
        assert_eq!(s.clinic_zone(), ClinicZone::Fixed(8 * 3600));
        s.clinic.time_zone = "Asia/Shanghai".into();
        assert_eq!(s.clinic_zone(), ClinicZone::parse("Asia/Shanghai").unwrap());
        assert!(matches!(s.clinic_zone(), ClinicZone::Named(_)));
    }
}
