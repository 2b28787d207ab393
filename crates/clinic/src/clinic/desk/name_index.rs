//! The in-memory name index (names are never stored in the clear, so there is no
//! on-disk index). The daemon builds it in the background when the store is unlocked
//! (`desk::index_build`); until it is complete, searches answer from what is built and
//! say so.
//!
//! Held compactly, for a million patients in a few hundred megabytes: each distinct
//! search key once, with the row numbers of the patients it leads to (a pinyin like
//! `zhangwei` is shared by thousands), and per patient one row of boxed strings, its
//! tags interned. A query walks the keys that start with it in order, so an exact key
//! comes first; it collects the first `limit` patients and counts the rest with a
//! bitmap, never sorting the matches.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Bound;
use std::sync::Arc;

use compact_str::CompactString;

use serde::{Deserialize, Serialize};

use super::name_keys::keys_of;
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

/// One patient as the index keeps them (a name or phone of up to 24 bytes is held in
/// the row itself, not in an allocation of its own).
struct Row {
    id: PatientId,
    name: CompactString,
    phone: Option<CompactString>,
    birth_date: Option<chrono::NaiveDate>,
    sex: Sex,
    restricted: bool,
    tags: Box<[Arc<str>]>,
    auto_tags: Box<[Arc<str>]>,
}

impl Row {
    fn to_row(&self) -> PatientRow {
        PatientRow {
            id: self.id,
            name: self.name.to_string(),
            sex: self.sex,
            birth_date: self.birth_date,
            phone: self.phone.as_ref().map(|p| p.to_string()),
            card: None,
            restricted: self.restricted,
            tags: self.tags.iter().map(|t| t.to_string()).collect(),
            auto_tags: self.auto_tags.iter().map(|t| t.to_string()).collect(),
        }
    }
}

#[derive(Default)]
pub struct NameIndex {
    rows: Vec<Row>,
    by_id: HashMap<PatientId, u32>,
    /// Each distinct key, with the rows it leads to.
    keys: BTreeMap<CompactString, Postings>,
    /// Tags, each held once.
    tag_pool: HashSet<Arc<str>>,
    /// While the background build runs: patients erased meanwhile (the builder must
    /// not put them back) and automatic tags set before their row arrived.
    building: Option<Building>,
}

/// The rows a key leads to: most keys (a whole name, its pinyin) lead to one.
enum Postings {
    One(u32),
    Many(Vec<u32>),
}

impl Postings {
    fn push(&mut self, slot: u32) {
        match self {
            Postings::One(first) => *self = Postings::Many(vec![*first, slot]),
            Postings::Many(slots) => slots.push(slot),
        }
    }

    /// Takes `slot` out; false when none is left.
    fn remove(&mut self, slot: u32) -> bool {
        match self {
            Postings::One(only) => *only != slot,
            Postings::Many(slots) => {
                slots.retain(|s| *s != slot);
                match slots.as_slice() {
                    [] => false,
                    [one] => {
                        *self = Postings::One(*one);
                        true
                    }
                    _ => true,
                }
            }
        }
    }

    fn slots(&self) -> &[u32] {
        match self {
            Postings::One(only) => std::slice::from_ref(only),
            Postings::Many(slots) => slots,
        }
    }
}

#[derive(Default)]
struct Building {
    erased: HashSet<PatientId>,
    auto_tags: HashMap<PatientId, Vec<String>>,
    done: u64,
    total: u64,
}

impl NameIndex {
    /// An index that a background build fills.
    pub fn building() -> Self {
        Self {
            building: Some(Building::default()),
            ..Self::default()
        }
    }

    /// The build found `total` patients to read.
    pub fn set_build_total(&mut self, total: u64) {
        if let Some(building) = self.building.as_mut() {
            building.total = total;
        }
    }

    /// While building: (patients read, patients in all).
    pub fn progress(&self) -> Option<(u64, u64)> {
        self.building.as_ref().map(|b| (b.done, b.total))
    }

    /// The build read every patient.
    pub fn finish_build(&mut self) {
        self.building = None;
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    fn intern(&mut self, tags: &[String]) -> Box<[Arc<str>]> {
        tags.iter()
            .map(|t| match self.tag_pool.get(t.as_str()) {
                Some(shared) => shared.clone(),
                None => {
                    let shared: Arc<str> = Arc::from(t.as_str());
                    self.tag_pool.insert(shared.clone());
                    shared
                }
            })
            .collect()
    }

    fn unlink_keys(&mut self, slot: u32) {
        let name = std::mem::take(&mut self.rows[slot as usize].name);
        for key in keys_of(&name) {
            if let Some(postings) = self.keys.get_mut(key.as_str())
                && !postings.remove(slot)
            {
                self.keys.remove(key.as_str());
            }
        }
    }

    /// Adds or replaces a patient.
    pub fn upsert(&mut self, id: PatientId, patient: &Patient) {
        let tags = self.intern(&patient.tags);
        let row = Row {
            id,
            name: CompactString::from(patient.name.as_str()),
            phone: patient.phone.as_deref().map(CompactString::from),
            birth_date: patient.birth_date,
            sex: patient.sex,
            restricted: patient.restricted,
            tags,
            auto_tags: Box::default(),
        };
        let slot = match self.by_id.get(&id) {
            Some(&slot) => {
                self.unlink_keys(slot);
                let old = &mut self.rows[slot as usize];
                let auto_tags = std::mem::take(&mut old.auto_tags);
                *old = Row { auto_tags, ..row };
                slot
            }
            None => {
                let slot = self.rows.len() as u32;
                self.rows.push(row);
                self.by_id.insert(id, slot);
                // Tags the rules set before the build reached this patient.
                if let Some(tags) = self.building.as_mut().and_then(|b| b.auto_tags.remove(&id)) {
                    self.rows[slot as usize].auto_tags = self.intern(&tags);
                }
                slot
            }
        };
        for key in keys_of(&patient.name) {
            match self.keys.get_mut(key.as_str()) {
                Some(postings) => postings.push(slot),
                None => {
                    self.keys
                        .insert(CompactString::from(key), Postings::One(slot));
                }
            }
        }
    }

    /// The background build's insert: a patient a request already put in (newer) or
    /// erased meanwhile is left as it is. Counts toward the build's progress.
    pub fn insert_built(&mut self, id: PatientId, patient: &Patient, auto_tags: Vec<String>) {
        if let Some(building) = self.building.as_mut() {
            building.done += 1;
            if building.erased.contains(&id) {
                return;
            }
        }
        if self.by_id.contains_key(&id) {
            return;
        }
        // Tags the rules set while the build ran are newer than the ones read.
        let pending = self.building.as_mut().and_then(|b| b.auto_tags.remove(&id));
        self.upsert(id, patient);
        self.set_auto_tags(&id, pending.unwrap_or(auto_tags));
    }

    /// The background build read a patient that was erased: counted, not indexed.
    pub fn count_built(&mut self) {
        if let Some(building) = self.building.as_mut() {
            building.done += 1;
        }
    }

    /// Takes a patient out of every search (their row stays, emptied).
    pub fn remove(&mut self, id: &PatientId) {
        if let Some(building) = self.building.as_mut() {
            building.erased.insert(*id);
        }
        if let Some(slot) = self.by_id.remove(id) {
            self.unlink_keys(slot);
            let row = &mut self.rows[slot as usize];
            row.phone = None;
            row.tags = Box::default();
            row.auto_tags = Box::default();
        }
    }

    /// The patient's automatic tags changed (the rules were re-evaluated).
    pub fn set_auto_tags(&mut self, id: &PatientId, tags: Vec<String>) {
        match self.by_id.get(id).copied() {
            Some(slot) => self.rows[slot as usize].auto_tags = self.intern(&tags),
            None => {
                if let Some(building) = self.building.as_mut() {
                    building.auto_tags.insert(*id, tags);
                }
            }
        }
    }

    pub fn row(&self, id: &PatientId) -> Option<PatientRow> {
        self.by_id
            .get(id)
            .map(|&slot| self.rows[slot as usize].to_row())
    }

    /// Whether the patient carries `tag`, set by staff or by the rules.
    pub fn has_tag(&self, id: &PatientId, tag: &str) -> bool {
        self.by_id.get(id).is_some_and(|&slot| {
            let row = &self.rows[slot as usize];
            row.tags
                .iter()
                .chain(row.auto_tags.iter())
                .any(|t| &**t == tag)
        })
    }

    /// Patients with a key starting with `query`, at most `limit`: those whose key is
    /// the query itself first, then in the order of their keys. Also returns how
    /// many matched in all.
    pub fn search(&self, query: &str, limit: usize) -> (Vec<PatientRow>, usize) {
        let needle = query.trim().to_lowercase().replace(char::is_whitespace, "");
        if needle.is_empty() {
            return (Vec::new(), 0);
        }
        let mut seen = vec![0u64; self.rows.len().div_ceil(64)];
        let mut found = Vec::new();
        let mut total = 0;
        let range = self
            .keys
            .range::<str, _>((Bound::Included(needle.as_str()), Bound::Unbounded));
        for (key, postings) in range {
            if !key.starts_with(needle.as_str()) {
                break;
            }
            for &slot in postings.slots() {
                let (word, bit) = (slot as usize / 64, 1u64 << (slot % 64));
                if seen[word] & bit == 0 {
                    seen[word] |= bit;
                    total += 1;
                    if found.len() < limit {
                        found.push(slot);
                    }
                }
            }
        }
        let rows = found
            .into_iter()
            .map(|slot| self.rows[slot as usize].to_row())
            .collect();
        (rows, total)
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
    fn every_reading_finds_the_patient() {
        let mut index = NameIndex::default();
        let zeng = PatientId([7; 16]);
        index.upsert(zeng, &p("曾志强"));
        assert_eq!(index.search("zeng", 10).0[0].id, zeng);
        assert_eq!(index.search("ceng", 10).0[0].id, zeng);
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

    #[test]
    fn the_exact_key_ranks_first_and_the_count_goes_past_the_limit() {
        let mut index = NameIndex::default();
        for n in 0..50u8 {
            index.upsert(PatientId([n; 16]), &p(&format!("Wang{n:02}")));
        }
        let exact = PatientId([99; 16]);
        index.upsert(exact, &p("Wang"));
        let (rows, total) = index.search("wang", 5);
        assert_eq!(total, 51);
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[0].id, exact);
    }

    #[test]
    fn a_build_never_puts_back_a_patient_erased_or_changed_meanwhile() {
        let mut index = NameIndex::building();
        index.set_build_total(3);
        let (changed, erased, plain) = (PatientId([1; 16]), PatientId([2; 16]), PatientId([3; 16]));
        index.upsert(changed, &p("刘洋"));
        index.set_auto_tags(&plain, vec!["高血压".into()]);
        index.remove(&erased);
        index.insert_built(changed, &p("李娜"), Vec::new());
        index.insert_built(erased, &p("王芳"), Vec::new());
        index.insert_built(plain, &p("张伟"), vec!["old".into()]);
        assert_eq!(index.progress(), Some((3, 3)));
        index.finish_build();
        assert_eq!(index.search("ln", 10).1, 0, "the newer name stays");
        assert_eq!(index.search("ly", 10).1, 1);
        assert_eq!(index.search("wf", 10).1, 0, "the erased patient stays out");
        assert!(index.has_tag(&plain, "高血压"), "the newer tags stay");
        assert_eq!(index.len(), 2);
    }
}
