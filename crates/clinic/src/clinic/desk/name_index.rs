//! The in-memory name index, built when a search first needs it after the store is
//! unlocked (names are never stored in the clear, so there is no on-disk index).
//!
//! Keys per patient: the lower-cased name, each of its words, and for Chinese names the
//! pinyin syllables run together (`zhangwei`) and their initials (`zw`). A query finds
//! every patient with a key that starts with it: a binary search for the range, so the
//! cost grows with the matches, not with the clinic.

use std::collections::HashMap;

use pinyin::ToPinyinMulti;
use serde::{Deserialize, Serialize};

use crate::domain::patient::{Patient, PatientId, Sex};

/// What a search result row shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatientRow {
    pub id: PatientId,
    pub name: String,
    pub sex: Sex,
    pub birth_date: Option<chrono::NaiveDate>,
    pub phone: Option<String>,
    /// The card in use, filled by a search for the rows a person reads (never kept
    /// in the index: cards change without the patient record changing).
    #[serde(default)]
    pub card: Option<String>,
    pub restricted: bool,
    pub tags: Vec<String>,
    /// Set by the tag rules; sent only to roles that read the chart.
    #[serde(default)]
    pub auto_tags: Vec<String>,
}

impl PatientRow {
    pub fn of(id: PatientId, patient: &Patient) -> Self {
        Self {
            id,
            name: patient.name.clone(),
            sex: patient.sex,
            birth_date: patient.birth_date,
            phone: patient.phone.clone(),
            card: None,
            restricted: patient.restricted,
            tags: patient.tags.clone(),
            auto_tags: Vec::new(),
        }
    }
}

#[derive(Default)]
pub struct NameIndex {
    rows: Vec<PatientRow>,
    by_id: HashMap<PatientId, usize>,
    /// (key, row) sorted by key; rebuilt lazily after changes.
    keys: Vec<(String, u32)>,
    sorted: bool,
}

/// How many spellings of one name are indexed at most: every reading of the surname,
/// then of the given name, until this many (a name of four characters with three
/// readings each would otherwise give 81).
const MAX_SPELLINGS: usize = 32;

/// The search keys of a name: the name itself, each of its words, and for a Chinese
/// name its pinyin and initials in every reading of each character (曾 is "zeng" as
/// a surname and "ceng" elsewhere; 单 is "shan" or "dan"), the surname's first.
pub fn keys_of(name: &str) -> Vec<String> {
    let lower = name.trim().to_lowercase();
    let mut keys = vec![lower.replace(char::is_whitespace, "")];
    keys.extend(lower.split_whitespace().map(str::to_string));
    // Each character's readings (plain, no tones), or the character itself.
    let mut readings: Vec<Vec<String>> = Vec::new();
    let mut any_han = false;
    for c in lower.chars() {
        match c.to_pinyin_multi() {
            Some(multi) => {
                any_han = true;
                let mut plain: Vec<String> =
                    multi.into_iter().map(|p| p.plain().to_string()).collect();
                let mut seen = Vec::new();
                plain.retain(|p| {
                    let new = !seen.contains(p);
                    seen.push(p.clone());
                    new
                });
                readings.push(plain);
            }
            None if c.is_alphanumeric() => readings.push(vec![c.to_string()]),
            None => {}
        }
    }
    if any_han {
        // Odometer with the first character turning fastest: every surname reading
        // comes before the cap can cut anything.
        let mut choice = vec![0usize; readings.len()];
        for _ in 0..MAX_SPELLINGS {
            let mut full = String::new();
            let mut initials = String::new();
            for (reading, &i) in readings.iter().zip(&choice) {
                full.push_str(&reading[i]);
                initials.push_str(&reading[i][..1]);
            }
            keys.push(full);
            keys.push(initials);
            let mut turned = false;
            for (slot, reading) in choice.iter_mut().zip(&readings) {
                if *slot + 1 < reading.len() {
                    *slot += 1;
                    turned = true;
                    break;
                }
                *slot = 0;
            }
            if !turned {
                break;
            }
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

impl NameIndex {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Adds or replaces a patient.
    pub fn upsert(&mut self, id: PatientId, patient: &Patient) {
        let mut row = PatientRow::of(id, patient);
        let slot = match self.by_id.get(&id) {
            Some(&slot) => {
                self.keys.retain(|(_, s)| *s as usize != slot);
                row.auto_tags = std::mem::take(&mut self.rows[slot].auto_tags);
                self.rows[slot] = row;
                slot
            }
            None => {
                self.rows.push(row);
                self.by_id.insert(id, self.rows.len() - 1);
                self.rows.len() - 1
            }
        };
        for key in keys_of(&patient.name) {
            self.keys.push((key, slot as u32));
        }
        self.sorted = false;
    }

    /// Takes a patient out of every search (their row stays, unreachable).
    pub fn remove(&mut self, id: &PatientId) {
        if let Some(slot) = self.by_id.remove(id) {
            self.keys.retain(|(_, s)| *s as usize != slot);
        }
    }

    /// The patient's automatic tags changed (the rules were re-evaluated).
    pub fn set_auto_tags(&mut self, id: &PatientId, tags: Vec<String>) {
        if let Some(&slot) = self.by_id.get(id) {
            self.rows[slot].auto_tags = tags;
        }
    }

    fn sort(&mut self) {
        if !self.sorted {
            self.keys.sort_unstable();
            self.sorted = true;
        }
    }

    pub fn row(&self, id: &PatientId) -> Option<&PatientRow> {
        self.by_id.get(id).map(|&slot| &self.rows[slot])
    }

    /// Patients with a key starting with `query`, ordered by name, at most `limit`;
    /// also returns how many matched in all.
    pub fn search(&mut self, query: &str, limit: usize) -> (Vec<PatientRow>, usize) {
        let needle = query.trim().to_lowercase().replace(char::is_whitespace, "");
        if needle.is_empty() {
            return (Vec::new(), 0);
        }
        self.sort();
        let start = self
            .keys
            .partition_point(|(k, _)| k.as_str() < needle.as_str());
        let mut slots: Vec<u32> = self.keys[start..]
            .iter()
            .take_while(|(k, _)| k.starts_with(&needle))
            .map(|(_, s)| *s)
            .collect();
        slots.sort_unstable();
        slots.dedup();
        let total = slots.len();
        let mut rows: Vec<&PatientRow> = slots.iter().map(|&s| &self.rows[s as usize]).collect();
        rows.sort_by(|a, b| a.name.cmp(&b.name));
        (rows.into_iter().take(limit).cloned().collect(), total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(name: &str) -> Patient {
        Patient {
            name: name.into(),
            sex: Sex::Male,
            birth_date: None,
            phone: None,
            id_number: None,
            restricted: false,
            ..Patient::default()
        }
    }

    #[test]
    fn chinese_names_match_by_pinyin_and_initials() {
        let mut index = NameIndex::default();
        let zhang = PatientId([1; 16]);
        index.upsert(zhang, &p("张伟"));
        index.upsert(PatientId([2; 16]), &p("王芳"));
        index.upsert(PatientId([3; 16]), &p("John Smith"));
        for query in ["zw", "zhangw", "zhang wei", "ZHANGWEI", "张", "张伟"] {
            let (rows, total) = index.search(query, 10);
            assert_eq!(total, 1, "{query}");
            assert_eq!(rows[0].id, zhang, "{query}");
        }
        assert_eq!(index.search("smi", 10).1, 1);
        assert_eq!(index.search("john", 10).1, 1);
        assert_eq!(index.search("w", 10).1, 1, "wangfang, wf");
        assert_eq!(index.search("x", 10).1, 0);
    }

    #[test]
    fn every_reading_of_a_character_is_indexed() {
        let keys = keys_of("曾志强");
        assert!(keys.contains(&"zengzhiqiang".to_string()), "{keys:?}");
        assert!(keys.contains(&"cengzhiqiang".to_string()), "{keys:?}");
        assert!(keys.contains(&"zzq".to_string()) && keys.contains(&"czq".to_string()));
        for (name, surname) in [
            ("单丽", "shan"),
            ("仇明", "qiu"),
            ("区华", "ou"),
            ("朴敏", "piao"),
            ("查良", "zha"),
            ("解放", "xie"),
        ] {
            assert!(
                keys_of(name).iter().any(|k| k.starts_with(surname)),
                "{name}: {:?}",
                keys_of(name)
            );
        }
        let mut index = NameIndex::default();
        let zeng = PatientId([7; 16]);
        index.upsert(zeng, &p("曾志强"));
        assert_eq!(index.search("zeng", 10).0[0].id, zeng);
        assert_eq!(index.search("ceng", 10).0[0].id, zeng);
    }

    #[test]
    fn a_long_name_of_many_readings_stays_within_the_cap() {
        let keys = keys_of("长行重还");
        assert!(keys.len() <= 2 * MAX_SPELLINGS + 2, "{}", keys.len());
    }

    #[test]
    fn an_update_moves_the_keys() {
        let mut index = NameIndex::default();
        let id = PatientId([1; 16]);
        index.upsert(id, &p("李娜"));
        index.upsert(id, &p("刘洋"));
        assert_eq!(index.search("ln", 10).1, 0);
        assert_eq!(index.search("ly", 10).1, 1);
        assert_eq!(index.len(), 1);
    }
}
