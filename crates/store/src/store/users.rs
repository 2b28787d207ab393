//! Staff users on the unlocked store: records sealed with the data key, and the
//! password key slot each one opens.

use super::StoreError;
use super::vault::{Scope, USERS_TREE, Vault};
use super::writes::WriteSet;
use crate::auth::User;
use crate::crypto::{KeySlot, SlotKind};

impl Vault {
    /// All users, decrypted.
    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        self.tree(USERS_TREE)?
            .iter()
            .map(|item| {
                let (k, v) = item.map_err(|e| self.sled_err(e))?;
                self.open_sealed(Scope::Clinic, &k, &v)
            })
            .collect()
    }

    /// Stages a new user and the key slot their password opens.
    pub fn stage_user(
        &self,
        writes: &mut WriteSet,
        user: &User,
        password: &[u8],
    ) -> Result<u64, StoreError> {
        self.stage_put(writes, Scope::Clinic, &user.id.0, user)?;
        self.store().stage_slot(
            writes,
            self.keys(),
            SlotKind::Password {
                user: user.name.clone(),
            },
            self.store().options.password_kdf,
            password,
        )
    }

    pub fn user_by_name(&self, name: &str) -> Result<Option<User>, StoreError> {
        Ok(self.users()?.into_iter().find(|u| u.name == name))
    }

    /// Stages a changed user record (same id).
    pub fn stage_user_update(&self, writes: &mut WriteSet, user: &User) -> Result<(), StoreError> {
        self.stage_put(writes, Scope::Clinic, &user.id.0, user)
    }

    /// Stages a new password for a user: their old password slots go, a new one wraps
    /// the data key under the new password. Nothing is re-encrypted.
    pub fn stage_password(
        &self,
        writes: &mut WriteSet,
        user_name: &str,
        password: &[u8],
    ) -> Result<u64, StoreError> {
        for slot in self.store().key_slots()? {
            if matches!(&slot.kind, SlotKind::Password { user } if user == user_name) {
                self.store().stage_slot_removal(writes, slot.id)?;
            }
        }
        self.store().stage_slot(
            writes,
            self.keys(),
            SlotKind::Password {
                user: user_name.to_string(),
            },
            self.store().options.password_kdf,
            password,
        )
    }

    /// The password slot of a user, to check a password against.
    pub fn password_slot(&self, user_name: &str) -> Result<Option<KeySlot>, StoreError> {
        Ok(self
            .store()
            .key_slots()?
            .into_iter()
            .find(|s| matches!(&s.kind, SlotKind::Password { user } if user == user_name)))
    }
}
