//! Writes that belong together: applied in one sled transaction, then flushed, so a
//! change and its audit record reach the disk together or not at all. The audit log
//! applies them and flushes many requests' writes at once (`audit::group_commit`).

use sled::transaction::{ConflictableTransactionError, TransactionError};
use sled::{Db, Transactional, Tree};

#[derive(Default)]
pub struct WriteSet {
    trees: Vec<Tree>,
    ops: Vec<Op>,
}

struct Op {
    tree: usize,
    key: Vec<u8>,
    value: Option<Vec<u8>>,
}

impl WriteSet {
    pub fn new() -> Self {
        Self::default()
    }

    fn tree_index(&mut self, tree: &Tree) -> usize {
        match self.trees.iter().position(|t| t.name() == tree.name()) {
            Some(i) => i,
            None => {
                self.trees.push(tree.clone());
                self.trees.len() - 1
            }
        }
    }

    pub fn put(&mut self, tree: &Tree, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        let tree = self.tree_index(tree);
        self.ops.push(Op {
            tree,
            key: key.into(),
            value: Some(value.into()),
        });
    }

    pub fn delete(&mut self, tree: &Tree, key: impl Into<Vec<u8>>) {
        let tree = self.tree_index(tree);
        self.ops.push(Op {
            tree,
            key: key.into(),
            value: None,
        });
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Applies every write atomically, then flushes the database to disk.
    pub fn commit(self, db: &Db) -> sled::Result<()> {
        if self.ops.is_empty() {
            return Ok(());
        }
        self.apply()?;
        db.flush()?;
        Ok(())
    }

    /// Applies every write atomically, without waiting for the disk: the caller makes
    /// it durable (the audit log's group commit flushes many applies at once).
    pub fn apply(self) -> sled::Result<()> {
        if self.ops.is_empty() {
            return Ok(());
        }
        if self.trees.len() == 1 {
            let mut batch = sled::Batch::default();
            for op in &self.ops {
                match &op.value {
                    Some(v) => batch.insert(op.key.as_slice(), v.as_slice()),
                    None => batch.remove(op.key.as_slice()),
                }
            }
            self.trees[0].apply_batch(batch)?;
        } else {
            let trees: Vec<&Tree> = self.trees.iter().collect();
            trees
                .as_slice()
                .transaction(|tx| {
                    for op in &self.ops {
                        match &op.value {
                            Some(v) => {
                                tx[op.tree].insert(op.key.as_slice(), v.as_slice())?;
                            }
                            None => {
                                tx[op.tree].remove(op.key.as_slice())?;
                            }
                        }
                    }
                    Ok::<(), ConflictableTransactionError<()>>(())
                })
                .map_err(|e| match e {
                    TransactionError::Storage(e) => e,
                    TransactionError::Abort(()) => {
                        sled::Error::ReportableBug("transaction aborted without reason".into())
                    }
                })?;
        }
        Ok(())
    }
}
