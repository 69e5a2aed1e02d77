//! The tuples without a connection that the oracle still remembers, looked
//! up by tuple, and forgotten once nothing about them can matter
//! (issue #16, item 4: one oracle's cost grows linearly with its input).
//!
//! A [`Closed`] record matters while it holds an obligation, a reply the
//! target may still send, or a history a later target segment is judged
//! against (how the connection went). A record with none of these is the
//! same as no record (`Gone::Never`); a connection's history stops mattering
//! once the profile's TIME-WAIT length (RFC 9293 §3.6.1: 2×MSL) has passed
//! since it ended: by then no segment of it can still be in flight, and a
//! segment from the target on the tuple is judged as on a closed port.
//! Forgetting happens in sweeps, each when the store has doubled since the
//! last, so a sweep's cost is paid for by the records added since.

use super::tcb::{Closed, Gone, Tuple};
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::time::Duration;

/// Fixed keys: creating a map costs nothing (a fresh oracle per case).
type Hasher = BuildHasherDefault<DefaultHasher>;

/// Up to this many records, lookups are a linear search (cheaper than
/// hashing for the one or two tuples a case has) and nothing is indexed.
const SMALL: usize = 16;

/// Closed tuples in order of first record, indexed by tuple once more than
/// [`SMALL`].
#[derive(Clone, Debug, Default)]
pub(super) struct ClosedStore {
    list: Vec<Closed>,
    /// Empty unless `list` holds more than [`SMALL`] records.
    index: HashMap<Tuple, usize, Hasher>,
    /// The store's size after the last sweep.
    swept: usize,
    /// While indexed: tuples whose record may hold obligations, every record
    /// handed out mutably since [`ClosedStore::each_owing`] last found it
    /// owing nothing.
    dirty: HashSet<Tuple, Hasher>,
    /// When a sweep first found a record kept only by `last_was_rst` (a RST
    /// from the harness was the tuple's last segment), untouched since.
    idle_since: HashMap<Tuple, Duration, Hasher>,
}

impl PartialEq for ClosedStore {
    fn eq(&self, other: &ClosedStore) -> bool {
        self.list == other.list
    }
}

impl ClosedStore {
    /// The number of records (for tests: nothing else needs it).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Closed> {
        self.list.iter()
    }

    fn indexed(&self) -> bool {
        self.list.len() > SMALL
    }

    fn position(&self, t: Tuple) -> Option<usize> {
        if self.indexed() {
            self.index.get(&t).copied()
        } else {
            self.list.iter().position(|c| c.tuple == t)
        }
    }

    /// Notes that the record of `t` is handed out mutably.
    fn touch(&mut self, t: Tuple) {
        if self.indexed() {
            self.dirty.insert(t);
        }
        if !self.idle_since.is_empty() {
            self.idle_since.remove(&t);
        }
    }

    /// Applies `f` to every record that may owe something, in order of
    /// first record (so obligations expire in the order they always did).
    pub fn each_owing(&mut self, mut f: impl FnMut(&mut Closed)) {
        if !self.indexed() {
            self.list.iter_mut().for_each(f);
            return;
        }
        let mut at: Vec<usize> = self
            .dirty
            .iter()
            .filter_map(|t| self.index.get(t).copied())
            .collect();
        at.sort_unstable();
        for i in at {
            let c = &mut self.list[i];
            f(c);
            if c.owed.is_empty() {
                self.dirty.remove(&c.tuple);
            }
        }
    }

    /// The first record whose tuple's harness endpoint is `peer`.
    pub fn by_peer_mut(&mut self, peer: std::net::SocketAddr) -> Option<&mut Closed> {
        let i = self.list.iter().position(|c| c.tuple.harness == peer)?;
        self.touch(self.list[i].tuple);
        Some(&mut self.list[i])
    }

    pub fn get(&self, t: Tuple) -> Option<&Closed> {
        self.position(t).map(|i| &self.list[i])
    }

    pub fn get_mut(&mut self, t: Tuple) -> Option<&mut Closed> {
        let i = self.position(t)?;
        self.touch(t);
        Some(&mut self.list[i])
    }

    /// The record of `t`, a fresh one (`Gone::Never`) if there is none.
    pub fn entry(&mut self, t: Tuple) -> &mut Closed {
        let i = match self.position(t) {
            Some(i) => i,
            None => {
                self.list.push(Closed {
                    tuple: t,
                    gone: Gone::Never,
                    last_was_rst: false,
                    owed: Vec::new(),
                    dup_ack: None,
                    text_ack: None,
                    abort_rst: false,
                });
                let i = self.list.len() - 1;
                if self.list.len() == SMALL + 1 {
                    self.reindex();
                    self.dirty = self.list.iter().map(|c| c.tuple).collect();
                } else if self.indexed() {
                    self.index.insert(t, i);
                }
                i
            }
        };
        self.touch(t);
        &mut self.list[i]
    }

    fn reindex(&mut self) {
        if self.indexed() {
            self.index = self
                .list
                .iter()
                .enumerate()
                .map(|(i, c)| (c.tuple, i))
                .collect();
            let index = &self.index;
            self.dirty.retain(|t| index.contains_key(t));
        } else {
            self.index.clear();
            self.dirty.clear();
        }
    }

    /// Forgets `t` (a SYN reopened it), keeping the others' order.
    pub fn remove(&mut self, t: Tuple) {
        if let Some(i) = self.position(t) {
            self.list.remove(i);
            self.idle_since.remove(&t);
            self.dirty.remove(&t);
            if self.list.len() == SMALL {
                self.reindex();
            } else if self.indexed() {
                self.index.remove(&t);
                for j in self.index.values_mut() {
                    if *j > i {
                        *j -= 1;
                    }
                }
            }
        }
    }

    /// Forgets, once the store has doubled since the last sweep, every
    /// record that no longer matters at `now` (see the module docs).
    pub fn sweep(&mut self, now: Duration, time_wait: Duration) {
        if self.list.len() < 2 * self.swept.max(SMALL) {
            return;
        }
        let idle = &mut self.idle_since;
        self.list.retain(|c| match matters(c, now, time_wait) {
            Keep::No => {
                idle.remove(&c.tuple);
                false
            }
            Keep::Yes => true,
            Keep::UntilIdle => {
                let since = *idle.entry(c.tuple).or_insert(now);
                if now.saturating_sub(since) >= time_wait {
                    idle.remove(&c.tuple);
                    false
                } else {
                    true
                }
            }
        });
        self.reindex();
        self.swept = self.list.len();
    }
}

/// Whether a record still matters at `now`.
enum Keep {
    No,
    Yes,
    /// Only because the harness's RST was the tuple's last segment: a RST
    /// from the target answering it is judged as such for TIME-WAIT after.
    UntilIdle,
}

fn matters(c: &Closed, now: Duration, time_wait: Duration) -> Keep {
    let ended = match c.gone {
        Gone::Never => None,
        Gone::ResetByHarness(at)
        | Gone::ResetByTarget(at)
        | Gone::ResetUnowed(at)
        | Gone::ResetInZeroWindow(at)
        | Gone::Refused(at)
        | Gone::Closed(at)
        | Gone::ClosedInSynSent(at)
        | Gone::ClosedByFinSegment(at) => Some(at),
    };
    if !c.owed.is_empty()
        || c.dup_ack.is_some()
        || c.text_ack.is_some()
        || c.abort_rst
        || ended.is_some_and(|at| now.saturating_sub(at) < time_wait)
    {
        Keep::Yes
    } else if c.last_was_rst {
        Keep::UntilIdle
    } else {
        Keep::No
    }
}

#[cfg(test)]
mod tests {
    use super::super::{fresh_tuples, Oracle, Profile};

    /// One oracle fed 100,000 segments on fresh tuples: its store of closed
    /// tuples stays bounded (it held one record per tuple, 75,000 here,
    /// before records expired), and it never forks.
    #[test]
    fn closed_tuples_expire_on_a_long_stream_of_fresh_tuples() {
        let (model, segs) = fresh_tuples(100_000);
        assert!(segs.len() >= 100_000);
        let profile = Profile::by_name("linux").expect("a known profile");
        let time_wait = profile.time_wait;
        let mut o = Oracle::new(profile, model);
        let mut most = 0;
        for (at, dir, seg) in &segs {
            assert_eq!(o.on_segment(*at, *dir, seg), vec![], "at {at:?}: {seg:?}");
            most = most.max(o.closed.len());
            assert_eq!(o.branch_count(), 1, "at {at:?}");
        }
        // The stream ends one of its connections every 8 ms (the harness's
        // RSTs): their histories are kept for TIME-WAIT (60 s in this
        // profile), up to twice as many between sweeps; the records of the
        // closed port's tuples go at the next sweep. Without expiry the
        // store held one record per tuple (over 40,000 here).
        let kept = (time_wait.as_millis() / 8) as usize;
        assert!(
            most <= 3 * kept,
            "the store held {most} records (bound {})",
            3 * kept
        );
        // Two TIME-WAITs later with nothing new, sweeps leave nothing.
        let end = segs.last().map(|s| s.0).unwrap_or_default();
        for later in [end + time_wait, end + 2 * time_wait] {
            o.closed.swept = 0;
            o.closed.sweep(later, time_wait);
        }
        assert_eq!(o.closed.len(), 0, "{:?}", o.closed.iter().next());
    }

    /// Throughput of one oracle on fresh tuples. Run it in release:
    /// `cargo test --release -p synack --lib oracle::closed_store::tests::bench_fresh_tuples -- --ignored --nocapture`
    #[test]
    #[ignore = "a benchmark: run in release"]
    fn bench_fresh_tuples() {
        for n in [25_000, 100_000] {
            let (segs, took) = super::super::bench_fresh_tuples(n, "linux");
            eprintln!(
                "one oracle, {segs} segments on fresh tuples: {:.3} s = {:.0} segments/s",
                took.as_secs_f64(),
                segs as f64 / took.as_secs_f64()
            );
        }
    }
}
