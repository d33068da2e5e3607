//! Landbridge's clock: the wall clock plus an offset that only grows.
//!
//! Everything AWS would stamp with the time (creation times, S3's
//! LastModified, execution start and end) and everything that happens at a
//! time (DataSync schedules) reads this clock, so a test that advances it
//! by an hour (`POST /_landbridge/clock`) sees what an hour brings without
//! waiting for it. Request signatures are still checked against the real
//! time: clients sign with theirs.
//!
//! The offset is process-wide, like the wall clock it stands for.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::Notify;

static OFFSET_MS: AtomicI64 = AtomicI64::new(0);

/// How far ahead the clock may run in all: dates stay well inside what
/// every timestamp format here can write.
pub const MAX_OFFSET: Duration = Duration::from_secs(100 * 365 * 86_400);
static ADVANCED: Notify = Notify::const_new();

/// Milliseconds since the Unix epoch, by Landbridge's clock.
pub fn now_ms() -> i64 {
    let real = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    real.saturating_add(OFFSET_MS.load(Ordering::Relaxed))
}

/// Landbridge's time.
pub fn now() -> SystemTime {
    let ms = now_ms();
    UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

/// How far ahead of the wall clock Landbridge's clock runs.
pub fn offset() -> Duration {
    Duration::from_millis(u64::try_from(OFFSET_MS.load(Ordering::Relaxed)).unwrap_or(0))
}

/// Moves the clock forward by `by` and wakes everyone in [`sleep`].
/// Returns the new offset, or `None` (and leaves the clock alone) when it
/// would run more than [`MAX_OFFSET`] ahead. Time never goes back: there
/// is no way to move the clock the other way.
pub fn advance(by: Duration) -> Option<Duration> {
    let ms = i64::try_from(by.as_millis()).ok()?;
    let max = i64::try_from(MAX_OFFSET.as_millis()).unwrap_or(i64::MAX);
    OFFSET_MS
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |now| {
            now.checked_add(ms).filter(|next| *next <= max)
        })
        .ok()?;
    ADVANCED.notify_waiters();
    Some(offset())
}

/// Waits `period` of real time, or less if the clock is advanced meanwhile:
/// loops that act at clock times look again as soon as time has jumped.
pub async fn sleep(period: Duration) {
    tokio::select! {
        () = tokio::time::sleep(period) => {}
        () = ADVANCED.notified() => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn advancing_moves_now_and_wakes_sleepers() {
        let before = now_ms();
        let sleeper = tokio::spawn(sleep(Duration::from_secs(3600)));
        // Let the sleeper register before the clock moves.
        tokio::task::yield_now().await;
        for _ in 0..1000 {
            if sleeper.is_finished() {
                break;
            }
            advance(Duration::from_secs(60));
            tokio::task::yield_now().await;
        }
        assert!(sleeper.is_finished());
        assert!(now_ms() - before >= 60_000);
        assert!(offset() >= Duration::from_secs(60));
        // Not past the limit, however it is asked.
        let at = offset();
        assert_eq!(advance(MAX_OFFSET), None);
        assert_eq!(offset(), at);
    }
}
