//! The lifecycle engine: how resources whose AWS states are asynchronous
//! move through them.
//!
//! The central decision: a resource's state is a *function of time*, not a
//! stored field that a timer rewrites. A service stores when a resource
//! started a transition and describes it through `Lifecycle::state_at`, which
//! walks AWS's ordered steps with this run's delays. Nothing has to fire for
//! a state to advance, two reads can never disagree with the clock, and a
//! resource that was mid-transition at shutdown simply resumes after restart
//! (its start time is in the store). Transitions with side effects (a tunnel
//! coming up, a job waiting for a shipment) add a timer on top of the same
//! arithmetic; `Timers` is that timer queue, free of I/O and clocks.
//!
//! `Mode::Instant` (the default) puts every resource in its final state at
//! once, for unit tests. `Mode::Realistic` keeps AWS's order and AWS-like
//! durations, multiplied by `time_scale` (0.1 runs ten times faster).

use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Instant,
    Realistic,
}

impl std::str::FromStr for Mode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "instant" => Ok(Mode::Instant),
            "realistic" => Ok(Mode::Realistic),
            other => Err(format!("unknown lifecycle mode {other:?} (instant or realistic)")),
        }
    }
}

/// One state of an ordered lifecycle and how long AWS typically keeps a
/// resource in it. The last step's duration is ignored: it is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step<S> {
    pub state: S,
    pub typical: Duration,
}

impl<S> Step<S> {
    pub const fn new(state: S, typical: Duration) -> Self {
        Self { state, typical }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lifecycle {
    pub mode: Mode,
    /// Multiplies AWS's typical durations in realistic mode.
    pub time_scale: f64,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self::instant()
    }
}

impl Lifecycle {
    pub fn instant() -> Self {
        Self {
            mode: Mode::Instant,
            time_scale: 1.0,
        }
    }

    pub fn realistic(time_scale: f64) -> Self {
        Self {
            mode: Mode::Realistic,
            time_scale: if time_scale.is_finite() && time_scale >= 0.0 {
                time_scale
            } else {
                1.0
            },
        }
    }

    /// How long a step that AWS takes `typical` for lasts in this run.
    pub fn duration(&self, typical: Duration) -> Duration {
        match self.mode {
            Mode::Instant => Duration::ZERO,
            Mode::Realistic => typical.mul_f64(self.time_scale),
        }
    }

    /// The state, at `now_ms`, of a resource that entered `steps[0]` at
    /// `started_ms` (both milliseconds since the epoch).
    pub fn state_at<S: Copy>(&self, steps: &[Step<S>], started_ms: i64, now_ms: i64) -> Option<S> {
        let last = steps.last()?;
        let mut elapsed = u128::try_from(now_ms.saturating_sub(started_ms)).unwrap_or(0);
        for step in &steps[..steps.len() - 1] {
            let d = self.duration(step.typical).as_millis();
            if elapsed < d {
                return Some(step.state);
            }
            elapsed -= d;
        }
        Some(last.state)
    }

    /// When (ms since the epoch) a resource started at `started_ms` reaches
    /// its final state.
    pub fn settles_at<S>(&self, steps: &[Step<S>], started_ms: i64) -> i64 {
        let total: u128 = steps
            .iter()
            .take(steps.len().saturating_sub(1))
            .map(|s| self.duration(s.typical).as_millis())
            .sum();
        started_ms.saturating_add(i64::try_from(total).unwrap_or(i64::MAX))
    }
}

/// Due times and what is due then, in order. No clock and no I/O: the
/// owner asks for the next due time, sleeps however it likes, and pops what
/// is due.
#[derive(Debug)]
pub struct Timers<K> {
    queue: BTreeMap<(i64, u64), K>,
    seq: u64,
}

impl<K> Default for Timers<K> {
    fn default() -> Self {
        Self {
            queue: BTreeMap::new(),
            seq: 0,
        }
    }
}

impl<K> Timers<K> {
    pub fn schedule(&mut self, due_ms: i64, key: K) {
        self.seq += 1;
        self.queue.insert((due_ms, self.seq), key);
    }

    pub fn next_due(&self) -> Option<i64> {
        self.queue.keys().next().map(|(due, _)| *due)
    }

    /// Everything due at or before `now_ms`, earliest first.
    pub fn pop_due(&mut self, now_ms: i64) -> Vec<K> {
        let later = self.queue.split_off(&(now_ms.saturating_add(1), 0));
        let due = std::mem::replace(&mut self.queue, later);
        due.into_values().collect()
    }

    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEPS: &[Step<&str>] = &[
        Step::new("pending", Duration::from_secs(2)),
        Step::new("provisioning", Duration::from_secs(3)),
        Step::new("available", Duration::ZERO),
    ];

    #[test]
    fn instant_is_final_at_once() {
        let lc = Lifecycle::instant();
        assert_eq!(lc.state_at(STEPS, 1_000, 1_000), Some("available"));
        assert_eq!(lc.settles_at(STEPS, 1_000), 1_000);
    }

    #[test]
    fn realistic_walks_the_steps_in_order() {
        let lc = Lifecycle::realistic(1.0);
        assert_eq!(lc.state_at(STEPS, 0, 0), Some("pending"));
        assert_eq!(lc.state_at(STEPS, 0, 1_999), Some("pending"));
        assert_eq!(lc.state_at(STEPS, 0, 2_000), Some("provisioning"));
        assert_eq!(lc.state_at(STEPS, 0, 4_999), Some("provisioning"));
        assert_eq!(lc.state_at(STEPS, 0, 5_000), Some("available"));
        assert_eq!(lc.settles_at(STEPS, 0), 5_000);
    }

    #[test]
    fn time_scale_stretches_and_shrinks() {
        let fast = Lifecycle::realistic(0.1);
        assert_eq!(fast.state_at(STEPS, 0, 199), Some("pending"));
        assert_eq!(fast.state_at(STEPS, 0, 500), Some("available"));
        let slow = Lifecycle::realistic(10.0);
        assert_eq!(slow.state_at(STEPS, 0, 49_999), Some("provisioning"));
    }

    #[test]
    fn clocks_going_backwards_mean_the_first_state() {
        let lc = Lifecycle::realistic(1.0);
        assert_eq!(lc.state_at(STEPS, 10_000, 5_000), Some("pending"));
    }

    #[test]
    fn nonsense_scales_fall_back_to_one() {
        assert_eq!(Lifecycle::realistic(f64::NAN).time_scale, 1.0);
        assert_eq!(Lifecycle::realistic(-3.0).time_scale, 1.0);
    }

    #[test]
    fn timers_pop_in_due_order() {
        let mut t = Timers::default();
        t.schedule(30, "c");
        t.schedule(10, "a");
        t.schedule(20, "b");
        t.schedule(10, "a2");
        assert_eq!(t.next_due(), Some(10));
        assert_eq!(t.pop_due(15), vec!["a", "a2"]);
        assert_eq!(t.pop_due(20), vec!["b"]);
        assert_eq!(t.len(), 1);
        assert!(t.pop_due(29).is_empty());
        assert_eq!(t.pop_due(i64::MAX), vec!["c"]);
        assert!(t.is_empty());
    }
}
