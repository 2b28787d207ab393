//! Clear trees readable before any key is unlocked: sign-on bookkeeping and security
//! alerts. Both hold staff names, times and opaque ids only, never patient data.

use serde::{Deserialize, Serialize};

use super::StoreError;
use super::codec::{self, Versioned};
use super::db::Store;
use super::writes::WriteSet;
use crate::auth::signon::SignOnState;

pub const SIGNON_TREE: &str = "signon";
pub const ALERTS_TREE: &str = "alerts";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// Repeated failed sign-ins locked an account.
    AccountLocked,
    /// Someone opened a restricted patient with break-glass.
    BreakGlass,
    /// A questionnaire answer that needs the care team today (PHQ-9 item 9).
    UrgentAnswer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub id: u64,
    pub time_unix: i64,
    pub kind: AlertKind,
    /// Staff user names and opaque ids.
    pub subjects: Vec<String>,
    pub detail: String,
}

impl Versioned for Alert {
    const VERSION: u16 = 1;
}

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

    pub fn stage_alert(
        &self,
        writes: &mut WriteSet,
        kind: AlertKind,
        subjects: Vec<String>,
        detail: String,
    ) -> Result<u64, StoreError> {
        let id = self
            .db
            .generate_id()
            .map_err(|e| StoreError::from_sled(&self.dir, e))?;
        let alert = Alert {
            id,
            time_unix: (self.options.clock)().timestamp(),
            kind,
            subjects,
            detail,
        };
        writes.put(
            &self.tree(ALERTS_TREE)?,
            id.to_be_bytes(),
            codec::encode(&alert).to_vec(),
        );
        Ok(id)
    }

    /// Alerts, newest first, at most `limit`.
    pub fn alerts(&self, limit: usize) -> Result<Vec<Alert>, StoreError> {
        self.tree(ALERTS_TREE)?
            .iter()
            .rev()
            .take(limit)
            .map(|item| {
                let (_, bytes) = item.map_err(|e| StoreError::from_sled(&self.dir, e))?;
                codec::decode(&bytes).map_err(|e| StoreError::from_codec(&self.dir, e))
            })
            .collect()
    }
}
