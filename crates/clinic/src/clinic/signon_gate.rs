//! What keeps sign-on safe under concurrency: many connections at once must not
//! defeat the lockout, replay a TOTP code, or exhaust the server's memory.
//!
//! - `NameLocks`: one lock per user name (known or not), held from reading the
//!   sign-on state to writing it back, across the Argon2id check. Different names
//!   never wait for each other.
//! - `SignOnPool`: Argon2id costs 64 MiB a derivation, so at most `slots` run at once
//!   (one per core); a short queue waits, and past it the caller is told the server is
//!   busy. Memory is bounded by the slots, never by how many connect.
//! - `PeerLimiter`: a token bucket per OS user of the peer, so one local account cannot
//!   spray guesses across many names at full speed.

use std::collections::{HashMap, HashSet};
use std::sync::{Condvar, Mutex};

fn relock<T>(result: std::sync::LockResult<T>) -> T {
    result.unwrap_or_else(|p| p.into_inner())
}

/// The names whose sign-on state someone is working on; a name is in the set only
/// while held, so nothing accumulates for names tried once.
#[derive(Default)]
pub(crate) struct NameLocks {
    held: Mutex<HashSet<String>>,
    released: Condvar,
}

/// Held while one name's sign-on state is read, checked and written.
pub(crate) struct NameGuard<'a> {
    owner: &'a NameLocks,
    name: String,
}

impl NameLocks {
    /// Waits until nobody else works on `name`, then holds it.
    pub(crate) fn lock(&self, name: &str) -> NameGuard<'_> {
        let mut held = relock(self.held.lock());
        while held.contains(name) {
            held = relock(self.released.wait(held));
        }
        held.insert(name.to_string());
        NameGuard {
            owner: self,
            name: name.to_string(),
        }
    }

    #[cfg(test)]
    fn live(&self) -> usize {
        relock(self.held.lock()).len()
    }
}

impl Drop for NameGuard<'_> {
    fn drop(&mut self) {
        relock(self.owner.held.lock()).remove(&self.name);
        self.owner.released.notify_all();
    }
}

/// Bounded concurrency for the memory-hard work of sign-on.
pub(crate) struct SignOnPool {
    slots: usize,
    queue: usize,
    state: Mutex<PoolState>,
    freed: Condvar,
}

#[derive(Default)]
struct PoolState {
    running: usize,
    waiting: usize,
}

/// A running slot; given back when dropped.
pub(crate) struct PoolPermit<'a>(&'a SignOnPool);

impl SignOnPool {
    pub(crate) fn new(slots: usize, queue: usize) -> Self {
        Self {
            slots: slots.max(1),
            queue,
            state: Mutex::new(PoolState::default()),
            freed: Condvar::new(),
        }
    }

    /// One slot per core, and a queue of 16 per slot (about a second of Argon2id).
    pub(crate) fn for_this_machine() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(cores, cores * 16)
    }

    /// A slot, after waiting in the queue if it has room; `None`: the server is busy.
    pub(crate) fn enter(&self) -> Option<PoolPermit<'_>> {
        let mut state = relock(self.state.lock());
        if state.running >= self.slots {
            if state.waiting >= self.queue {
                return None;
            }
            state.waiting += 1;
            while state.running >= self.slots {
                state = relock(self.freed.wait(state));
            }
            state.waiting -= 1;
        }
        state.running += 1;
        Some(PoolPermit(self))
    }
}

impl Drop for PoolPermit<'_> {
    fn drop(&mut self) {
        relock(self.0.state.lock()).running -= 1;
        self.0.freed.notify_one();
    }
}

/// Sign-on attempts per peer (the OS user on the other end of the socket).
pub(crate) struct PeerLimiter {
    burst: f64,
    per_second: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: std::time::Instant,
}

impl PeerLimiter {
    pub(crate) fn new(burst: u32, per_second: u32) -> Self {
        Self {
            burst: f64::from(burst.max(1)),
            per_second: f64::from(per_second.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one attempt from the peer's bucket; false when it is empty.
    pub(crate) fn allow(&self, peer: &str) -> bool {
        let now = std::time::Instant::now();
        let mut buckets = relock(self.buckets.lock());
        // Full buckets carry no information: forget them, so the map stays small.
        let (burst, rate) = (self.burst, self.per_second);
        buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < burst);
        let bucket = buckets.entry(peer.to_string()).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn one_name_is_held_by_one_thread_at_a_time_and_nothing_is_left_behind() {
        let locks = Arc::new(NameLocks::default());
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let (locks, inside, most) = (locks.clone(), inside.clone(), most.clone());
                std::thread::spawn(move || {
                    let _held = locks.lock("wang.li");
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(2));
                    inside.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 1);
        assert_eq!(locks.live(), 0);
    }

    #[test]
    fn different_names_do_not_wait_for_each_other() {
        let locks = NameLocks::default();
        let _a = locks.lock("a");
        let _b = locks.lock("b");
        assert_eq!(locks.live(), 2);
    }

    #[test]
    fn the_pool_runs_its_slots_queues_a_few_and_refuses_the_rest() {
        let pool = Arc::new(SignOnPool::new(1, 1));
        let first = pool.enter().expect("a free slot");
        let waiter = {
            let pool = pool.clone();
            std::thread::spawn(move || pool.enter().is_some())
        };
        // Wait until the second caller is queued, then a third is refused.
        while relock(pool.state.lock()).waiting == 0 {
            std::thread::yield_now();
        }
        assert!(pool.enter().is_none(), "the queue is full");
        drop(first);
        assert!(
            waiter.join().unwrap(),
            "the queued caller runs once a slot frees"
        );
    }

    #[test]
    fn a_peer_gets_its_burst_then_waits_for_the_refill() {
        let limiter = PeerLimiter::new(3, 1);
        assert!((0..3).all(|_| limiter.allow("nurse")));
        assert!(!limiter.allow("nurse"));
        assert!(limiter.allow("someone-else"));
    }
}
