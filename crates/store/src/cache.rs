//! The caches of the store's derived figures: the last value computed, kept
//! while the store's generation (every committed write moves it, whichever process
//! wrote) and its key (the day, and whatever else it was computed for) are the same;
//! and its finer twin, values kept per document while that document's revision holds.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};

use crate::StoreError;
use crate::db::{Tx, with_conn};

/// The last value computed at a generation for a key.
#[derive(Debug)]
pub struct GenerationCache<K, T>(Mutex<Option<(i64, K, Arc<T>)>>);

impl<K, T> Default for GenerationCache<K, T> {
    fn default() -> Self {
        GenerationCache(Mutex::new(None))
    }
}

impl<K: PartialEq, T> GenerationCache<K, T> {
    /// The value computed at `generation` for `key`, if that is the one kept.
    pub fn get(&self, generation: i64, key: &K) -> Option<Arc<T>> {
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match kept.as_ref() {
            Some((g, k, value)) if *g == generation && k == key => Some(Arc::clone(value)),
            _ => None,
        }
    }

    /// Keeps `value`, computed at `generation` for `key`, in place of the last one.
    pub fn put(&self, generation: i64, key: K, value: Arc<T>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some((generation, key, value));
    }
}

/// What a per-document value was computed at: its document's revision and the unit
/// directory's (migration 0020).
type Stamp = (i64, i64);

/// Every listed document's revision and the unit directory's, as one read
/// transaction saw them (read before the data it guards, so a value is never kept
/// under a revision newer than the data it was computed from).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Revisions {
    pub directory: i64,
    /// By document id, ascending.
    pub documents: Vec<(i64, i64)>,
}

impl Revisions {
    pub(crate) async fn read(tx: &mut Tx) -> Result<Revisions, StoreError> {
        let rows: Vec<(i64, i64)> = with_conn!(tx, c => sqlx::query_as(
            "SELECT document_id, CAST(SUM(n) AS BIGINT) FROM document_revisions \
             WHERE document_id = 0 OR document_id IN (SELECT id FROM documents) \
             GROUP BY document_id ORDER BY document_id",
        )
        .fetch_all(c)
        .await)?;
        let mut revisions = Revisions {
            directory: 0,
            documents: Vec::with_capacity(rows.len()),
        };
        for (document, n) in rows {
            if document == 0 {
                revisions.directory = n;
            } else {
                revisions.documents.push((document, n));
            }
        }
        Ok(revisions)
    }

    /// Only `document`'s revision, if it is there.
    pub(crate) fn only(mut self, document: i64) -> Revisions {
        self.documents.retain(|(d, _)| *d == document);
        self
    }
}

/// Values computed per document for a key (the day, say), each kept while its
/// document's revision, the directory's and the key hold: after a write only the
/// documents it touched are computed again.
#[derive(Debug)]
pub(crate) struct DocumentCache<K, T>(Mutex<HashMap<i64, Kept<K, T>>>);

/// A document's value, with what it was computed at and for.
type Kept<K, T> = (Stamp, K, Arc<T>);

impl<K, T> Default for DocumentCache<K, T> {
    fn default() -> Self {
        DocumentCache(Mutex::new(HashMap::new()))
    }
}

/// Per document of a [`Revisions`], its value kept, or its id to compute.
pub(crate) struct Lookup<T> {
    pub kept: Vec<(i64, Option<Arc<T>>)>,
    pub stale: Vec<i64>,
}

impl<K: PartialEq + Clone, T> DocumentCache<K, T> {
    /// The values kept for `revisions` and `key`, in document order, and the documents
    /// whose value must be computed. Values of documents no longer listed are dropped.
    pub(crate) fn lookup(&self, revisions: &Revisions, key: &K) -> Lookup<T> {
        let mut entries = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() > revisions.documents.len() {
            let listed: HashSet<i64> = revisions.documents.iter().map(|(d, _)| *d).collect();
            entries.retain(|d, _| listed.contains(d));
        }
        let mut lookup = Lookup {
            kept: Vec::with_capacity(revisions.documents.len()),
            stale: Vec::new(),
        };
        for &(document, n) in &revisions.documents {
            let value = entries.get(&document).and_then(|(stamp, k, value)| {
                (*stamp == (n, revisions.directory) && k == key).then(|| Arc::clone(value))
            });
            if value.is_none() {
                lookup.stale.push(document);
            }
            lookup.kept.push((document, value));
        }
        lookup
    }

    /// Keeps the values computed for the stale documents of `lookup` (a document
    /// missing from `computed` has the default value) and returns every document's
    /// value in document order.
    pub(crate) fn fill(
        &self,
        revisions: &Revisions,
        key: &K,
        lookup: Lookup<T>,
        mut computed: HashMap<i64, T>,
    ) -> Vec<(i64, Arc<T>)>
    where
        T: Default,
    {
        let mut entries = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let stamps: HashMap<i64, i64> = revisions.documents.iter().copied().collect();
        lookup
            .kept
            .into_iter()
            .map(|(document, kept)| {
                let value = kept.unwrap_or_else(|| {
                    let value = Arc::new(computed.remove(&document).unwrap_or_default());
                    let stamp = (stamps[&document], revisions.directory);
                    entries.insert(document, (stamp, key.clone(), Arc::clone(&value)));
                    value
                });
                (document, value)
            })
            .collect()
    }
}

/// `ids` as a SQL list (`1, 2, 3`) for `IN (…)`: integers the store read itself, so
/// written into the statement rather than bound one by one.
pub(crate) fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
