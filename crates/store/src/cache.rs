//! The one kind of cache the store's derived figures use: the last value computed, kept
//! while the store's generation (every committed write moves it, whichever process
//! wrote) and its key (the day, and whatever else it was computed for) are the same.

use std::sync::{Arc, Mutex, PoisonError};

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
