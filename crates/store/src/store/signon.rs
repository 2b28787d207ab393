//! Sign-on bookkeeping, in a clear tree readable before any key is unlocked: staff
//! names and times only, never patient data.

use super::StoreError;
use super::codec;
use super::db::Store;
use super::writes::WriteSet;
use crate::auth::signon::SignOnState;

pub const SIGNON_TREE: &str = "signon";

impl Store {
    pub fn signon_state(&self, user: &str) -> Result<SignOnState, StoreError> {
        match self
            .tree(SIGNON_TREE)?
            .get(user.as_bytes())
            .map_err(|e| StoreError::from_sled(&self.dir, e))?
        {
            Some(bytes) => codec::decode(&bytes).map_err(|e| StoreError::from_codec(&self.dir, e)),
            None => Ok(SignOnState::default()),
        }
    }

    pub fn stage_signon(
        &self,
        writes: &mut WriteSet,
        user: &str,
        state: &SignOnState,
    ) -> Result<(), StoreError> {
        writes.put(
            &self.tree(SIGNON_TREE)?,
            user.as_bytes(),
            codec::encode(state).to_vec(),
        );
        Ok(())
    }
}
