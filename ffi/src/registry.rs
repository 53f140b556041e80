//! Handle registries: the host holds ids, never pointers into our heap.
//!
//! An id is issued once and never reused (a 48-bit counter under a per-kind tag), so a handle that
//! was freed, forged or belongs to another kind simply is not found: the export answers
//! `KFS_INVALID_HANDLE` instead of dereferencing freed memory. The tag keeps ids out of the
//! canonical address range, so an id is never mistaken for a pointer (or the other way round).
//! Lookups take a read lock and clone an `Arc`, so calls on one engine from many threads proceed
//! in parallel and an in-flight call keeps its engine alive even while it is being freed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

const COUNTER_MASK: u64 = (1 << 48) - 1;

pub struct Registry<T> {
    tag: u64,
    next: AtomicU64,
    items: RwLock<HashMap<u64, Arc<T>>>,
}

impl<T> Registry<T> {
    /// `tag` occupies the top 16 bits of every id of this kind (non-zero, so ids are never null).
    pub fn new(tag: u16) -> Self {
        assert!(tag != 0, "registry tag must be non-zero");
        Registry {
            tag: (tag as u64) << 48,
            next: AtomicU64::new(1),
            items: RwLock::new(HashMap::new()),
        }
    }

    pub fn insert(&self, item: Arc<T>) -> u64 {
        let n = self.next.fetch_add(1, Ordering::Relaxed) & COUNTER_MASK;
        let id = self.tag | n;
        self.write().insert(id, item);
        id
    }

    pub fn get(&self, id: u64) -> Option<Arc<T>> {
        if id & !COUNTER_MASK != self.tag {
            return None;
        }
        self.read().get(&id).cloned()
    }

    pub fn remove(&self, id: u64) -> Option<Arc<T>> {
        if id & !COUNTER_MASK != self.tag {
            return None;
        }
        self.write().remove(&id)
    }

    /// Ids and items matching `keep` (used to find the operations of an engine being freed).
    pub fn filter(&self, keep: impl Fn(&T) -> bool) -> Vec<(u64, Arc<T>)> {
        self.read()
            .iter()
            .filter(|(_, item)| keep(item))
            .map(|(id, item)| (*id, item.clone()))
            .collect()
    }

    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    // A panic cannot happen while these locks are held (plain map operations), so poisoning is
    // only a formality; recover rather than turn every later call into a panic.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<u64, Arc<T>>> {
        self.items.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<u64, Arc<T>>> {
        self.items.write().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_tagged_unique_and_never_reused() {
        let r: Registry<u32> = Registry::new(0x4b46);
        let a = r.insert(Arc::new(1));
        let b = r.insert(Arc::new(2));
        assert_ne!(a, b);
        assert_eq!(a >> 48, 0x4b46);
        assert_eq!(*r.get(a).unwrap(), 1);
        assert!(r.remove(a).is_some());
        assert!(r.get(a).is_none(), "a freed id is not found");
        assert!(r.remove(a).is_none(), "a second free finds nothing");
        let c = r.insert(Arc::new(3));
        assert_ne!(c, a, "ids are not reused");
        assert!(r.get(0).is_none());
        assert!(
            r.get(b & COUNTER_MASK).is_none(),
            "an id without the tag is foreign"
        );
        let other: Registry<u32> = Registry::new(0x4f50);
        assert!(other.get(b).is_none(), "an id of another kind is foreign");
    }
}
