//! `DIR/lab_codes.toml`: a lab's own result codes mapped to LOINC, so results a lab
//! sends under its local codes (with no LOINC alternate in OBX-3) meet the indicator
//! catalogue. Read by the service at each import, so a clerk's edit takes effect with
//! the next file; a missing file maps nothing. A code the file does not list stays
//! the lab's own code. The format is in docs/interoperability.md ("Lab code mapping") and, commented,
//! in `rules/lab_codes.example.toml`.
//!
//! ```toml
//! [[code]]
//! system = "99GHH"      # the coding system as the lab writes it in OBX-3.3 ("" for none)
//! code = "GLU"          # the lab's code, OBX-3.1
//! loinc = "2345-7"      # the LOINC code the result is kept under
//! display = "Glucose"   # optional: the name shown when the message has none
//! ```

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::domain::observation::{LOINC, Observation};
use crate::ingest::hl7::sender_system;
use crate::ingest::loinc_valid;

pub const LAB_CODES_FILE: &str = "lab_codes.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    #[serde(default)]
    system: String,
    code: String,
    loinc: String,
    #[serde(default)]
    display: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    code: Vec<Entry>,
}

/// The mapping in force: (system as the lab writes it, code) → (LOINC, name).
#[derive(Debug, Default)]
pub struct LabCodes {
    codes: HashMap<(String, String), (String, Option<String>)>,
}

impl LabCodes {
    /// Reads `DIR/lab_codes.toml`; none there maps nothing. A bad file is an error
    /// naming the file and the entry, so no result is filed under a wrong code.
    pub fn load(dir: &Path) -> Result<LabCodes, String> {
        let path = dir.join(LAB_CODES_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(LabCodes::default()),
            Err(e) => return Err(format!("{LAB_CODES_FILE} cannot be read: {e}")),
        };
        LabCodes::parse(&text)
    }

    pub fn parse(text: &str) -> Result<LabCodes, String> {
        let file: File = toml::from_str(text).map_err(|e| {
            format!("{LAB_CODES_FILE} is not valid: {e}; fix it or move it away, then import again")
        })?;
        let mut codes = HashMap::new();
        for (i, entry) in file.code.into_iter().enumerate() {
            let n = i + 1;
            let code = entry.code.trim().to_string();
            if code.is_empty() {
                return Err(format!("{LAB_CODES_FILE}, entry {n}: code is empty"));
            }
            let loinc = entry.loinc.trim().to_string();
            if !loinc_valid(&loinc) {
                return Err(format!(
                    "{LAB_CODES_FILE}, entry {n} ({code}): {loinc} is not a valid LOINC code (check digit)"
                ));
            }
            let key = (entry.system.trim().to_string(), code.clone());
            if codes
                .insert(key, (loinc, entry.display.filter(|d| !d.trim().is_empty())))
                .is_some()
            {
                return Err(format!(
                    "{LAB_CODES_FILE}, entry {n}: {code} is listed twice for system {:?}",
                    entry.system.trim()
                ));
            }
        }
        Ok(LabCodes { codes })
    }

    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Files a result under the LOINC code its local code maps to; the lab's code
    /// stays in the name ("Glucose [GLU]"). Returns whether it mapped.
    pub fn apply(&self, observation: &mut Observation) -> bool {
        if observation.system == LOINC {
            return false;
        }
        let key = (
            sender_system(&observation.system).to_string(),
            observation.code.clone(),
        );
        let Some((loinc, display)) = self.codes.get(&key) else {
            return false;
        };
        let name = observation
            .display
            .clone()
            .or_else(|| display.clone())
            .unwrap_or_default();
        observation.display = Some(format!("{name} [{}]", observation.code).trim().to_string());
        observation.system = LOINC.to_string();
        observation.code = loinc.clone();
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(system: &str, code: &str, display: Option<&str>) -> Observation {
        let mut o = Observation::typed_in(
            code,
            crate::domain::decimal::Decimal::parse("5").unwrap(),
            "mmol/L",
            0,
        );
        o.system = system.to_string();
        o.display = display.map(str::to_string);
        o
    }

    #[test]
    fn mapped_local_codes_become_loinc_and_the_rest_stay() {
        let codes = LabCodes::parse(
            r#"
            [[code]]
            system = "99LAB"
            code = "GLU"
            loinc = "2345-7"
            [[code]]
            code = "TC"
            loinc = "2093-3"
            display = "Cholesterol"
            "#,
        )
        .unwrap();
        let mut glu = local("urn:hl7v2:99LAB", "GLU", Some("Glucose"));
        assert!(codes.apply(&mut glu));
        assert_eq!((glu.system.as_str(), glu.code.as_str()), (LOINC, "2345-7"));
        assert_eq!(glu.display.as_deref(), Some("Glucose [GLU]"));
        let mut tc = local(crate::ingest::hl7::LOCAL, "TC", None);
        assert!(codes.apply(&mut tc));
        assert_eq!(tc.display.as_deref(), Some("Cholesterol [TC]"));
        // Another lab's GLU, and an unlisted code, stay as sent.
        let mut other = local("urn:hl7v2:99XYZ", "GLU", None);
        assert!(!codes.apply(&mut other));
        assert_eq!(other.code, "GLU");
    }

    #[test]
    fn a_bad_file_says_which_entry() {
        let e = LabCodes::parse("[[code]]\ncode = \"GLU\"\nloinc = \"2345-8\"\n").unwrap_err();
        assert!(
            e.contains("entry 1 (GLU)") && e.contains("check digit"),
            "{e}"
        );
        let e = LabCodes::parse("[[code]]\ncode = \"A\"\nloinc = \"2345-7\"\n[[code]]\ncode = \"A\"\nloinc = \"2093-3\"\n")
            .unwrap_err();
        assert!(e.contains("twice"), "{e}");
        assert!(LabCodes::parse("[[code]]\nlonic = 1").is_err());
        assert!(LabCodes::parse("").unwrap().is_empty());
    }
}
