//! A patient and the opaque id that stands for them everywhere outside the record.

use std::fmt;

use chrono::NaiveDate;
use data_encoding::HEXLOWER;
use serde::{Deserialize, Serialize};

use crate::codec::{CodecError, Versioned, decode_payload};
use crate::crypto::random_array;

/// 128 random bits; carries nothing about the person, so it may appear in sled keys
/// and audit records.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PatientId(pub [u8; 16]);

impl PatientId {
    pub fn random() -> Self {
        Self(random_array())
    }

    pub fn parse(text: &str) -> Option<Self> {
        let bytes = HEXLOWER
            .decode(text.trim().to_ascii_lowercase().as_bytes())
            .ok()?;
        Some(Self(bytes.try_into().ok()?))
    }
}

impl fmt::Display for PatientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&HEXLOWER.encode(&self.0))
    }
}

impl fmt::Debug for PatientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PatientId({self})")
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sex {
    Female,
    Male,
    Other,
    #[default]
    Unknown,
}

impl Sex {
    /// What staff type or a spreadsheet holds: F/M/O, female/male/other, 女/男/其他.
    pub fn parse(text: &str) -> Option<Sex> {
        match text.trim().to_lowercase().as_str() {
            "f" | "female" | "女" => Some(Sex::Female),
            "m" | "male" | "男" => Some(Sex::Male),
            "o" | "other" | "其他" => Some(Sex::Other),
            "?" | "u" | "unknown" | "未知" => Some(Sex::Unknown),
            _ => None,
        }
    }
}

impl IdType {
    pub const ALL: [IdType; 8] = [
        IdType::ResidentId,
        IdType::HouseholdRegister,
        IdType::Passport,
        IdType::MilitaryOfficer,
        IdType::DrivingLicence,
        IdType::HkMacaoPermit,
        IdType::TaiwanPermit,
        IdType::Other,
    ];

    /// R (or nothing) for a resident ID, P for a passport, O for another document, or
    /// the document's CV02.01.101 code (01 … 07, 99) or Chinese name.
    pub fn parse(text: &str) -> Option<IdType> {
        let text = text.trim().to_lowercase();
        match text.as_str() {
            "r" | "" | "resident" | "身份证" => return Some(IdType::ResidentId),
            "p" | "passport" => return Some(IdType::Passport),
            "o" | "other" | "其他" => return Some(IdType::Other),
            _ => {}
        }
        let set = crate::domain::code_sets::set("id_type");
        let code = set.find(&text)?;
        IdType::ALL.into_iter().find(|t| t.code() == code.code)
    }

    /// The CV02.01.101 身份证件类别代码.
    pub fn code(self) -> &'static str {
        match self {
            IdType::ResidentId => "01",
            IdType::HouseholdRegister => "02",
            IdType::Passport => "03",
            IdType::MilitaryOfficer => "04",
            IdType::DrivingLicence => "05",
            IdType::HkMacaoPermit => "06",
            IdType::TaiwanPermit => "07",
            IdType::Other => "99",
        }
    }

    /// What the registration form shows and reads back: R, P, O, or the code.
    pub fn form_code(self) -> &'static str {
        match self {
            IdType::ResidentId => "R",
            IdType::Passport => "P",
            IdType::Other => "O",
            other => other.code(),
        }
    }

    /// The document's name in `lang`, from the code set.
    pub fn name(self, lang: crate::i18n::Lang) -> String {
        crate::domain::code_sets::set("id_type")
            .get(self.code())
            .map(|c| c.name(lang).to_string())
            .unwrap_or_else(|| self.code().to_string())
    }
}

impl Sex {
    /// The GB/T 2261.1 生理性别代码: 0 not known, 1 male, 2 female, 9 not stated (a
    /// sex the patient gave as other is not one the code set names).
    pub fn gb_code(self) -> &'static str {
        match self {
            Sex::Unknown => "0",
            Sex::Male => "1",
            Sex::Female => "2",
            Sex::Other => "9",
        }
    }
}

/// The fields of a registration, in the order forms and spreadsheets use them.
pub const REGISTRATION_FIELDS: [&str; 9] = [
    "name",
    "sex",
    "birth_date",
    "phone",
    "id_type",
    "id_number",
    "address",
    "emergency_contact",
    "card_type",
];

/// Which identity document `id_number` comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdType {
    /// Mainland resident ID (GB 11643, checked).
    #[default]
    ResidentId,
    Passport,
    /// Any other lawful document (99): not checked.
    Other,
    /// The CV02.01.101 documents added in format 4 of the registration; kept after
    /// the first three so stored values read as they were.
    HouseholdRegister,
    MilitaryOfficer,
    DrivingLicence,
    HkMacaoPermit,
    TaiwanPermit,
}

/// Demographics. `Debug` redacts everything that identifies the person.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patient {
    pub name: String,
    pub sex: Sex,
    pub birth_date: Option<NaiveDate>,
    pub phone: Option<String>,
    pub id_type: IdType,
    pub id_number: Option<String>,
    pub address: Option<String>,
    /// Name and phone of whom to call in an emergency, as given.
    pub emergency_contact: Option<String>,
    /// Staff or VIP: reading needs break-glass outside normal permission.
    pub restricted: bool,
    /// Manual tags staff set (VIP, hypertension, pregnancy …), shown in search results.
    pub tags: Vec<String>,
    /// The 健康档案编号 (`domain::record_number`), given once by the service.
    pub record_number: Option<String>,
}

/// The third stored shape (format version 3): before the 健康档案编号. Also the shape
/// a review item (`Incoming` up to format 4) keeps its patient in.
#[derive(Clone, Serialize, Deserialize)]
pub struct PatientV3 {
    name: String,
    sex: Sex,
    birth_date: Option<NaiveDate>,
    phone: Option<String>,
    id_type: IdType,
    id_number: Option<String>,
    address: Option<String>,
    emergency_contact: Option<String>,
    restricted: bool,
    tags: Vec<String>,
}

/// The second stored shape (format version 2): before manual tags.
#[derive(Deserialize)]
struct PatientV2 {
    name: String,
    sex: Sex,
    birth_date: Option<NaiveDate>,
    phone: Option<String>,
    id_type: IdType,
    id_number: Option<String>,
    address: Option<String>,
    emergency_contact: Option<String>,
    restricted: bool,
}

/// The first stored shape of a patient (format version 1), read by `migrate`.
#[derive(Deserialize)]
struct PatientV1 {
    name: String,
    sex: Sex,
    birth_date: Option<NaiveDate>,
    phone: Option<String>,
    id_number: Option<String>,
    restricted: bool,
}

impl From<PatientV3> for Patient {
    fn from(old: PatientV3) -> Patient {
        Patient {
            name: old.name,
            sex: old.sex,
            birth_date: old.birth_date,
            phone: old.phone,
            id_type: old.id_type,
            id_number: old.id_number,
            address: old.address,
            emergency_contact: old.emergency_contact,
            restricted: old.restricted,
            tags: old.tags,
            record_number: None,
        }
    }
}

impl From<Patient> for PatientV3 {
    /// For tests that write a review item as an older version stored it.
    fn from(p: Patient) -> PatientV3 {
        PatientV3 {
            name: p.name,
            sex: p.sex,
            birth_date: p.birth_date,
            phone: p.phone,
            id_type: p.id_type,
            id_number: p.id_number,
            address: p.address,
            emergency_contact: p.emergency_contact,
            restricted: p.restricted,
            tags: p.tags,
        }
    }
}

impl Versioned for Patient {
    const VERSION: u16 = 4;

    fn migrate(version: u16, payload: &[u8]) -> Result<Self, CodecError> {
        match version {
            3 => Ok(decode_payload::<PatientV3>(payload)?.into()),
            2 => {
                let old: PatientV2 = decode_payload(payload)?;
                // Format 3 with no manual tags yet.
                Ok(PatientV3 {
                    name: old.name,
                    sex: old.sex,
                    birth_date: old.birth_date,
                    phone: old.phone,
                    id_type: old.id_type,
                    id_number: old.id_number,
                    address: old.address,
                    emergency_contact: old.emergency_contact,
                    restricted: old.restricted,
                    tags: Vec::new(),
                }
                .into())
            }
            1 => {
                let old: PatientV1 = decode_payload(payload)?;
                Ok(Patient {
                    name: old.name,
                    sex: old.sex,
                    birth_date: old.birth_date,
                    phone: old.phone,
                    id_number: old.id_number,
                    restricted: old.restricted,
                    ..Patient::default()
                })
            }
            other => Err(CodecError::NoMigration(other)),
        }
    }
}

impl fmt::Debug for Patient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Patient")
            .field("name", &"<redacted>")
            .field("sex", &self.sex)
            .field("restricted", &self.restricted)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_identity() {
        let patient = Patient {
            name: "Zhang Wei".into(),
            sex: Sex::Male,
            birth_date: NaiveDate::from_ymd_opt(1970, 1, 2),
            phone: Some("13912345678".into()),
            id_number: Some("110105197001020011".into()),
            ..Patient::default()
        };
        let shown = format!("{patient:?}");
        assert!(!shown.contains("Zhang") && !shown.contains("139") && !shown.contains("1970"));
    }

    #[test]
    fn a_version_1_record_reads_as_today_s_patient() {
        #[derive(Serialize)]
        struct V1<'a> {
            name: &'a str,
            sex: Sex,
            birth_date: Option<NaiveDate>,
            phone: Option<&'a str>,
            id_number: Option<&'a str>,
            restricted: bool,
        }
        let old = V1 {
            name: "Li Na",
            sex: Sex::Female,
            birth_date: None,
            phone: Some("13900000000"),
            id_number: None,
            restricted: true,
        };
        let mut bytes = 1u16.to_be_bytes().to_vec();
        bytes.extend(bincode::serde::encode_to_vec(&old, bincode::config::standard()).unwrap());
        let patient: Patient = crate::codec::decode(&bytes).unwrap();
        assert_eq!(patient.name, "Li Na");
        assert!(patient.restricted && patient.address.is_none());
        assert_eq!(patient.id_type, IdType::ResidentId);
    }

    #[test]
    fn a_version_2_record_gains_empty_tags() {
        #[derive(Serialize)]
        struct V2<'a> {
            name: &'a str,
            sex: Sex,
            birth_date: Option<NaiveDate>,
            phone: Option<&'a str>,
            id_type: IdType,
            id_number: Option<&'a str>,
            address: Option<&'a str>,
            emergency_contact: Option<&'a str>,
            restricted: bool,
        }
        let old = V2 {
            name: "Li Na",
            sex: Sex::Female,
            birth_date: None,
            phone: None,
            id_type: IdType::Passport,
            id_number: Some("E1"),
            address: Some("Here"),
            emergency_contact: None,
            restricted: false,
        };
        let mut bytes = 2u16.to_be_bytes().to_vec();
        bytes.extend(bincode::serde::encode_to_vec(&old, bincode::config::standard()).unwrap());
        let patient: Patient = crate::codec::decode(&bytes).unwrap();
        assert_eq!(
            (patient.id_type, patient.address.as_deref()),
            (IdType::Passport, Some("Here"))
        );
        assert!(patient.tags.is_empty());
    }

    #[test]
    fn id_round_trips() {
        let id = PatientId::random();
        assert_eq!(PatientId::parse(&id.to_string()), Some(id));
    }
}
