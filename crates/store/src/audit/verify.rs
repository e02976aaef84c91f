//! Walking the chain (`duban audit verify`): every entry's hash recomputed from its
//! fields and the hash before it, ids without gaps, and the head agreeing with the
//! last entry. The first break is named by id and time, and what it most likely was:
//! an edited entry (its own hash no longer matches), removed entries (a gap in the
//! ids, or a link to a hash no entry has), or a reordered one (it links to an entry
//! that is elsewhere in the log).

use futures_util::TryStreamExt;
use serde::Serialize;

use super::{ENTRY_COLUMNS, Entry};
use crate::db::with_conn;
use crate::{Store, StoreError};

/// What `verify` found wrong first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Tampering {
    /// The entry's content no longer hashes to its recorded hash.
    Edited { id: i64, at: String },
    /// Entries `from..=to` are missing (before entry `next`, or at the end).
    Removed {
        from: i64,
        to: i64,
        next: Option<(i64, String)>,
    },
    /// The entry stored at `id` was chained after entry `follows`, which is stored
    /// elsewhere: the order was changed.
    Reordered { id: i64, at: String, follows: i64 },
    /// The entry at `id` does not link to the one before it, and to no other entry:
    /// the entry before it was replaced, or entries before it were removed and the
    /// rest renumbered.
    Unlinked { id: i64, at: String },
    /// An entry uses a hash algorithm this version does not know.
    UnknownAlgorithm { id: i64, algorithm: String },
    /// The head does not agree with the log (its last entry, or the pruned start).
    Head { detail: String },
}

impl std::fmt::Display for Tampering {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Tampering::Edited { id, at } => {
                write!(f, "第 {id} 条记录（{at}）的内容被修改：与其哈希值不符")
            }
            Tampering::Removed { from, to, next } => {
                let which = if from == to {
                    format!("第 {from} 条记录")
                } else {
                    format!("第 {from} 至 {to} 条记录")
                };
                match next {
                    Some((id, at)) => {
                        write!(f, "{which}被删除（缺失于第 {id} 条记录（{at}）之前）")
                    }
                    None => write!(f, "{which}被删除（日志末尾缺失）"),
                }
            }
            Tampering::Reordered { id, at, follows } => write!(
                f,
                "第 {id} 条记录（{at}）的位置被调换：它原本紧接在现第 {follows} 条记录之后"
            ),
            Tampering::Unlinked { id, at } => write!(
                f,
                "第 {id} 条记录（{at}）与前一条记录的哈希链接断开：前一条记录被替换，或其前的记录被删除后重新编号"
            ),
            Tampering::UnknownAlgorithm { id, algorithm } => {
                write!(f, "第 {id} 条记录使用了无法识别的哈希算法“{algorithm}”")
            }
            Tampering::Head { detail } => write!(f, "审计日志链头与日志不符：{detail}"),
        }
    }
}

/// The outcome of a walk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Entries read.
    pub entries: u64,
    /// The first and last id walked.
    pub first: Option<i64>,
    pub last: Option<i64>,
    /// The hash of the last entry: note it outside the database (with its id) to tell
    /// later that the log was not rewritten from there on.
    pub last_hash: String,
    /// Entries removed by the retention job (ids 1..=this).
    pub pruned_through: i64,
    /// Changes committed and sealed but not yet linked into the chain when the walk
    /// began (PostgreSQL links them right after each commit; [`Store::link_audit`]
    /// links whatever is left, as `duban audit verify` does before it walks).
    pub waiting: u64,
    /// The first break found, if any.
    pub tampering: Option<Tampering>,
}

#[derive(sqlx::FromRow)]
struct HeadRow {
    last_id: i64,
    last_hash: String,
    pruned_through: i64,
    pruned_hash: String,
}

/// The walk, entry by entry: where the chain stands.
struct Walk {
    prev_id: i64,
    prev_hash: String,
    entries: u64,
    first: Option<i64>,
    last_prune: Option<Entry>,
}

impl Walk {
    /// Checks `e` after what was walked; the break it shows, if any (to be classified).
    fn step(&mut self, e: &Entry) -> Option<Tampering> {
        if e.id != self.prev_id + 1 {
            return Some(Tampering::Removed {
                from: self.prev_id + 1,
                to: e.id - 1,
                next: Some((e.id, e.at.clone())),
            });
        }
        match e.hash_with(&e.prev_hash) {
            None => {
                return Some(Tampering::UnknownAlgorithm {
                    id: e.id,
                    algorithm: e.algorithm.clone(),
                });
            }
            Some(hash) if hash != e.hash => {
                return Some(Tampering::Edited {
                    id: e.id,
                    at: e.at.clone(),
                });
            }
            Some(_) => {}
        }
        if e.prev_hash != self.prev_hash {
            return Some(Tampering::Unlinked {
                id: e.id,
                at: e.at.clone(),
            });
        }
        self.entries += 1;
        self.first.get_or_insert(e.id);
        self.prev_id = e.id;
        self.prev_hash = e.hash.clone();
        if e.action == "prune" {
            self.last_prune = Some(e.clone());
        }
        None
    }
}

impl Store {
    /// Walks the whole audit log (see the module's note). A read: it never changes
    /// anything, and the entries appended meanwhile are not part of the walk (nor are
    /// changes not yet linked: see [`Verification::waiting`]).
    pub async fn verify_audit(&self) -> Result<Verification, StoreError> {
        super::links_done(&self.db).await;
        let mut tx = self.db.read().await?;
        let head: HeadRow = with_conn!(&mut tx, c => sqlx::query_as(
            "SELECT last_id, last_hash, pruned_through, pruned_hash FROM audit_head WHERE id = 1",
        )
        .fetch_one(c)
        .await)?;
        let waiting: i64 = with_conn!(&mut tx, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_pending",
        )
        .fetch_one(c)
        .await)?;
        let mut walk = Walk {
            prev_id: head.pruned_through,
            prev_hash: head.pruned_hash.clone(),
            entries: 0,
            first: None,
            last_prune: None,
        };
        let mut broken = None;
        let select = format!("SELECT {ENTRY_COLUMNS} FROM audit_log ORDER BY id");
        with_conn!(&mut tx, c => {
            let mut rows = sqlx::query_as::<_, Entry>(sqlx::AssertSqlSafe(select.clone())).fetch(c);
            while let Some(entry) = rows.try_next().await? {
                if let Some(t) = walk.step(&entry) {
                    broken = Some((t, entry));
                    break;
                }
            }
        });
        let tampering = match broken {
            Some((Tampering::Unlinked { id, at }, entry)) => {
                // Linked to an entry elsewhere in the log: moved. Else something is gone.
                let follows: Option<i64> = with_conn!(&mut tx, c => sqlx::query_scalar(
                    "SELECT id FROM audit_log WHERE hash = $1 ORDER BY id LIMIT 1",
                )
                .bind(&entry.prev_hash)
                .fetch_optional(c)
                .await)?;
                Some(match follows {
                    Some(follows) => Tampering::Reordered { id, at, follows },
                    None => Tampering::Unlinked { id, at },
                })
            }
            Some((t, _)) => Some(t),
            None => tail_check(&head, &walk),
        };
        tx.commit().await?;
        Ok(Verification {
            entries: walk.entries,
            first: walk.first,
            last: (walk.prev_id > head.pruned_through).then_some(walk.prev_id),
            last_hash: walk.prev_hash,
            pruned_through: head.pruned_through,
            waiting: u64::try_from(waiting).unwrap_or(0),
            tampering,
        })
    }
}

/// Once every entry linked up: the head names the last one, and a pruned start was
/// pruned by the retention job (its own entry says so).
fn tail_check(head: &HeadRow, walk: &Walk) -> Option<Tampering> {
    if walk.prev_id < head.last_id {
        return Some(Tampering::Removed {
            from: walk.prev_id + 1,
            to: head.last_id,
            next: None,
        });
    }
    if walk.prev_id != head.last_id || walk.prev_hash != head.last_hash {
        return Some(Tampering::Head {
            detail: format!(
                "链头记录的最后一条为第 {} 条，日志实际最后一条为第 {} 条或其哈希不同",
                head.last_id, walk.prev_id
            ),
        });
    }
    if head.pruned_through > 0 {
        let recorded = walk.last_prune.as_ref().and_then(|e| {
            let details: serde_json::Value = serde_json::from_str(e.after_json.as_deref()?).ok()?;
            Some((
                details.get("through")?.as_i64()?,
                details.get("through_hash")?.as_str()?.to_string(),
            ))
        });
        if recorded != Some((head.pruned_through, head.pruned_hash.clone())) {
            return Some(Tampering::Head {
                detail: format!(
                    "第 1 至 {} 条记录已不在日志中，但没有与之相符的保留期清理记录",
                    head.pruned_through
                ),
            });
        }
    }
    None
}
