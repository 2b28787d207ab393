//! Member cards on the unlocked store: sealed with the patient's key under
//! `patient id || blind token of the card number` (no number in a sled key), found by
//! number through the blind index. Erasing a patient deletes their cards and index
//! entries, so nothing links a card number to an erased patient's id.

use super::StoreError;
use super::meta::META_TREE;
use super::vault::{INDEX_TREE, Record, Scope, Vault};
use super::writes::WriteSet;
use crate::crypto::{BlindIndexKey, IndexKind};
use crate::domain::card::Card;
use crate::domain::patient::PatientId;

pub const CARDS_TREE: &str = "cards";
const SERIAL_KEY: &[u8] = b"card_serial";
const RECORD_SERIAL_PREFIX: &[u8] = b"record_serial/";
const RECORDS_NUMBERED_KEY: &[u8] = b"records_numbered";

impl Record for Card {
    const TREE: &'static str = CARDS_TREE;
}

/// Bytes of a card's sled key: patient id, then the number's blind token.
pub const CARD_KEY_LEN: usize = 16 + 32;

pub(crate) fn card_key(blind: &BlindIndexKey, id: &PatientId, number: &str) -> Vec<u8> {
    let mut key = id.0.to_vec();
    key.extend_from_slice(&blind.token(IndexKind::CardNumber, number));
    key
}

impl Vault {
    /// Stages the removal of a patient's cards and their index entries (erasure).
    pub fn stage_cards_removal(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
    ) -> Result<(), StoreError> {
        let cards = self.tree(CARDS_TREE)?;
        let index = self.tree(INDEX_TREE)?;
        for item in cards.scan_prefix(id.0) {
            let (key, sealed) = item.map_err(|e| self.sled_err(e))?;
            if let Some(token) = key.get(16..CARD_KEY_LEN) {
                let mut entry = vec![IndexKind::CardNumber.tag()];
                entry.extend_from_slice(token);
                entry.extend_from_slice(&id.0);
                writes.delete(&index, entry);
            }
            // The tail's token needs the number: read from the card before it goes.
            if let Ok(card) = self.open_sealed::<Card>(Scope::Patient(*id), &key, &sealed) {
                self.stage_index_entry(writes, &index, IndexKind::CardTail, &card.number, id, true);
            }
            writes.delete(&cards, key.to_vec());
        }
        Ok(())
    }

    /// The next card serial. Taken atomically and never given back, so two desks never
    /// get the same number and a number is never reused, even if the save then fails.
    pub fn next_card_serial(&self) -> Result<u64, StoreError> {
        self.next_counter(SERIAL_KEY, "the card serial counter is malformed")
    }

    /// The next 健康档案编号 serial of a 12-digit area (county, 乡镇, 村居): like card
    /// serials, taken atomically and never given back. The area code is the clinic's,
    /// not a patient's, so it may stand in a sled key.
    pub fn next_record_serial(&self, area: &str) -> Result<u64, StoreError> {
        let key = [RECORD_SERIAL_PREFIX, area.as_bytes()].concat();
        self.next_counter(&key, "the record number counter is malformed")
    }

    /// Adds one to the counter under `key` in the meta tree, atomically.
    fn next_counter(&self, key: &[u8], malformed: &str) -> Result<u64, StoreError> {
        let meta = self.tree(META_TREE)?;
        meta.update_and_fetch(key, |old| {
            let current = old
                .and_then(|b| b.try_into().ok())
                .map(u64::from_be_bytes)
                .unwrap_or(0);
            Some((current + 1).to_be_bytes().to_vec())
        })
        .map_err(|e| self.sled_err(e))?
        .and_then(|b| b.as_ref().try_into().ok())
        .map(u64::from_be_bytes)
        .ok_or_else(|| StoreError::corrupt(&self.store().dir, malformed))
    }

    /// Whether every patient has a 健康档案编号 (set by the numbering pass, cleared
    /// when a patient is filed while the clinic's area code is unset). A store that
    /// never said is taken to need the pass.
    pub fn all_records_numbered(&self) -> Result<bool, StoreError> {
        let meta = self.tree(META_TREE)?;
        Ok(meta
            .get(RECORDS_NUMBERED_KEY)
            .map_err(|e| self.sled_err(e))?
            .is_some_and(|v| v.as_ref() == [1]))
    }

    pub fn stage_records_numbered(
        &self,
        writes: &mut WriteSet,
        all: bool,
    ) -> Result<(), StoreError> {
        writes.put(
            &self.tree(META_TREE)?,
            RECORDS_NUMBERED_KEY,
            vec![u8::from(all)],
        );
        Ok(())
    }

    /// Stages a card (new or changed) and, for a new one, its index entry.
    pub fn stage_card(
        &self,
        writes: &mut WriteSet,
        id: &PatientId,
        card: &Card,
        new: bool,
    ) -> Result<(), StoreError> {
        self.stage_put(
            writes,
            Scope::Patient(*id),
            &card_key(&self.keys().blind, id, &card.number),
            card,
        )?;
        if new {
            let index = self.tree(INDEX_TREE)?;
            for kind in [IndexKind::CardNumber, IndexKind::CardTail] {
                self.stage_index_entry(writes, &index, kind, &card.number, id, false);
            }
        }
        Ok(())
    }

    /// A patient's cards, oldest first.
    pub fn cards(&self, id: &PatientId) -> Result<Vec<Card>, StoreError> {
        let mut cards = Vec::new();
        for item in self.tree(CARDS_TREE)?.scan_prefix(id.0) {
            let (key, sealed) = item.map_err(|e| self.sled_err(e))?;
            cards.push(self.open_sealed::<Card>(Scope::Patient(*id), &key, &sealed)?);
        }
        cards.sort_by(|a, b| a.issued.cmp(&b.issued).then(a.number.cmp(&b.number)));
        Ok(cards)
    }

    /// The patient holding card `number` and the card, if any.
    pub fn card_by_number(&self, number: &str) -> Result<Option<(PatientId, Card)>, StoreError> {
        let number: String = number.chars().filter(char::is_ascii_digit).collect();
        for id in self.find(IndexKind::CardNumber, &number)? {
            if let Some(card) = self.get::<Card>(
                Scope::Patient(id),
                &card_key(&self.keys().blind, &id, &number),
            )? {
                return Ok(Some((id, card)));
            }
        }
        Ok(None)
    }
}
