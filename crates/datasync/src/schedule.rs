//! Task schedules: AWS's `rate(...)` and `cron(...)` expressions, in UTC,
//! no more often than hourly (DataSync's limit), and the loop that starts
//! executions when they fall due.
//!
//! `cron(Minutes Hours Day-of-month Month Day-of-week Year)` takes `*`,
//! lists, ranges, steps, month and day names, `?` in one of the day fields
//! and `L` (the month's last day) in day-of-month; `W` and `#` are refused.
//! Day-of-week counts 1 (Sunday) to 7 (Saturday), as AWS does.

use std::collections::BTreeSet;
use std::time::Duration;

use landbridge_api::datasync::{StartTaskExecutionRequest, TaskStatus};
use landbridge_api::{Protocol, RequestContext};
use time::{Date, OffsetDateTime, Weekday};

use crate::{DataSync, State, executions, new_id, now_ms, tasks};

/// A parsed schedule expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    /// Every this many milliseconds, counted from when the schedule was set.
    Rate(i64),
    Cron(Box<Cron>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cron {
    minutes: BTreeSet<u32>,
    hours: BTreeSet<u32>,
    /// `None`: `?`.
    days: Option<BTreeSet<u32>>,
    last_day: bool,
    months: BTreeSet<u32>,
    /// 1 = Sunday … 7 = Saturday; `None`: `?`.
    weekdays: Option<BTreeSet<u32>>,
    years: BTreeSet<i32>,
}

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
/// How far ahead an occurrence is looked for (a year field may rule out
/// every date before that).
const LOOKAHEAD_DAYS: i64 = 5 * 366;

impl Schedule {
    pub fn parse(expression: &str) -> Result<Self, String> {
        let e = expression.trim();
        if let Some(inner) = e.strip_prefix("rate(").and_then(|r| r.strip_suffix(')')) {
            return rate(inner);
        }
        if let Some(inner) = e.strip_prefix("cron(").and_then(|r| r.strip_suffix(')')) {
            return Ok(Schedule::Cron(Box::new(cron(inner)?)));
        }
        Err(format!(
            "Invalid schedule expression {expression:?}: use rate(value unit) or cron(fields)"
        ))
    }

    /// The first occurrence strictly after `after_ms`; `anchor_ms` is when
    /// a rate started counting.
    pub fn next_after(&self, anchor_ms: i64, after_ms: i64) -> Option<i64> {
        match self {
            Schedule::Rate(every) => {
                let n = if after_ms < anchor_ms {
                    1
                } else {
                    (after_ms - anchor_ms) / every + 1
                };
                Some(anchor_ms + n * every)
            }
            Schedule::Cron(c) => c.next_after(after_ms),
        }
    }
}

fn rate(inner: &str) -> Result<Schedule, String> {
    let bad = || format!("Invalid rate expression rate({inner}): use rate(value unit), e.g. rate(12 hours)");
    let (value, unit) = inner.trim().split_once(' ').ok_or_else(bad)?;
    let value: i64 = value.parse().ok().filter(|v| *v > 0).ok_or_else(bad)?;
    let unit_ms = match (unit.trim(), value) {
        ("minute", 1) | ("minutes", 2..) => MINUTE_MS,
        ("hour", 1) | ("hours", 2..) => HOUR_MS,
        ("day", 1) | ("days", 2..) => 24 * HOUR_MS,
        _ => return Err(bad()),
    };
    let every = value.checked_mul(unit_ms).ok_or_else(bad)?;
    if every < HOUR_MS {
        return Err(format!(
            "Invalid schedule rate({inner}): a task can run at most once an hour"
        ));
    }
    Ok(Schedule::Rate(every))
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// One field: `*`, or comma-separated values, ranges and steps.
fn field(text: &str, lo: u32, hi: u32, names: &[&str]) -> Result<BTreeSet<u32>, String> {
    let value = |v: &str| -> Result<u32, String> {
        let upper = v.to_ascii_uppercase();
        if let Some(i) = names.iter().position(|n| *n == upper) {
            return Ok(lo + i as u32);
        }
        v.parse::<u32>()
            .ok()
            .filter(|n| (lo..=hi).contains(n))
            .ok_or_else(|| format!("{v:?} is not between {lo} and {hi}"))
    };
    let mut out = BTreeSet::new();
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<u32>().ok().filter(|s| *s > 0).ok_or("a bad step")?),
            None => (part, 1),
        };
        let (from, to) = match range {
            "*" => (lo, hi),
            r => match r.split_once('-') {
                Some((a, b)) => (value(a)?, value(b)?),
                // `5/15` runs from 5 to the end.
                None if step > 1 => (value(r)?, hi),
                None => {
                    let v = value(r)?;
                    (v, v)
                }
            },
        };
        if from > to {
            return Err(format!("the range {range} runs backwards"));
        }
        out.extend((from..=to).step_by(step as usize));
    }
    Ok(out)
}

fn cron(inner: &str) -> Result<Cron, String> {
    let bad = |why: String| format!("Invalid cron expression cron({inner}): {why}");
    let fields: Vec<&str> = inner.split_whitespace().collect();
    let [minutes, hours, dom, month, dow, year] = fields[..] else {
        return Err(bad(
            "it needs six fields: minutes hours day-of-month month day-of-week year".into(),
        ));
    };
    if [dom, dow].iter().any(|f| f.contains('W') || f.contains('#')) || dow.contains('L') {
        return Err(bad("W, # and day-of-week L are not supported".into()));
    }
    if (dom == "?") == (dow == "?") {
        return Err(bad("exactly one of day-of-month and day-of-week must be ?".into()));
    }
    let minutes = field(minutes, 0, 59, &[]).map_err(bad)?;
    if minutes.len() != 1 {
        return Err(bad("a task can run at most once an hour: give one minute".into()));
    }
    let years = field(year, 1970, 2199, &[])
        .map_err(bad)?
        .into_iter()
        .map(|y| y as i32)
        .collect();
    Ok(Cron {
        minutes,
        hours: field(hours, 0, 23, &[]).map_err(bad)?,
        last_day: dom == "L",
        days: match dom {
            "?" | "L" => None,
            d => Some(field(d, 1, 31, &[]).map_err(bad)?),
        },
        months: field(month, 1, 12, &MONTHS).map_err(bad)?,
        weekdays: match dow {
            "?" => None,
            d => Some(field(d, 1, 7, &DAYS).map_err(bad)?),
        },
        years,
    })
}

impl Cron {
    fn date_matches(&self, d: Date) -> bool {
        let weekday = match d.weekday() {
            Weekday::Sunday => 1,
            Weekday::Monday => 2,
            Weekday::Tuesday => 3,
            Weekday::Wednesday => 4,
            Weekday::Thursday => 5,
            Weekday::Friday => 6,
            Weekday::Saturday => 7,
        };
        let last = d.day() == d.month().length(d.year());
        self.years.contains(&d.year())
            && self.months.contains(&u32::from(u8::from(d.month())))
            && (!self.last_day || last)
            && self.days.as_ref().is_none_or(|s| s.contains(&u32::from(d.day())))
            && self.weekdays.as_ref().is_none_or(|s| s.contains(&weekday))
    }

    fn next_after(&self, after_ms: i64) -> Option<i64> {
        let after = OffsetDateTime::from_unix_timestamp_nanos(i128::from(after_ms) * 1_000_000).ok()?;
        let mut day = after.date();
        for _ in 0..LOOKAHEAD_DAYS {
            if self.date_matches(day) {
                let midnight = day.midnight().assume_utc().unix_timestamp() * 1000;
                for h in &self.hours {
                    for m in &self.minutes {
                        let at = midnight + i64::from(*h) * HOUR_MS + i64::from(*m) * MINUTE_MS;
                        if at > after_ms {
                            return Some(at);
                        }
                    }
                }
            }
            day = day.next_day()?;
        }
        None
    }
}

/// How long the scheduler sleeps between looks: schedules have minute
/// resolution.
const TICK: Duration = Duration::from_secs(20);

/// Tasks whose enabled schedule has an occurrence in `(from_ms, to_ms]`.
pub(crate) fn due(state: &State, from_ms: i64, to_ms: i64) -> Vec<String> {
    state
        .tasks
        .values()
        .filter(|t| {
            t.schedule.as_ref().is_some_and(|s| {
                s.status == "ENABLED"
                    && Schedule::parse(&s.expression)
                        .ok()
                        .and_then(|p| p.next_after(s.status_updated_ms, from_ms))
                        .is_some_and(|next| next <= to_ms)
            })
        })
        .map(|t| t.arn.clone())
        .collect()
}

/// Starts scheduled executions as they fall due, for as long as the
/// process runs. An occurrence that finds the task still running is
/// skipped, as DataSync skips it; occurrences missed while Landbridge was
/// stopped are not made up.
pub(crate) async fn run(ds: DataSync) {
    let mut last = now_ms();
    loop {
        // Wakes early when a test moves the clock forward.
        landbridge_clock::sleep(TICK).await;
        let now = now_ms();
        let starts: Vec<(String, String, String)> = {
            let state = ds.state().read().await;
            due(&state, last, now)
                .into_iter()
                .filter_map(|arn| state.tasks.get(&arn))
                .filter(|t| tasks::status(&state, t) == TaskStatus::Available)
                .map(|t| (t.arn.clone(), t.account.clone(), t.region.clone()))
                .collect()
        };
        last = now;
        for (task_arn, account, region) in starts {
            let ctx = RequestContext {
                account_id: account,
                region,
                request_id: new_id("schedule"),
                access_key_id: None,
                protocol: Protocol::Json,
            };
            let input = StartTaskExecutionRequest {
                task_arn: task_arn.clone(),
                ..Default::default()
            };
            match executions::start(&ds, &ctx, input).await {
                Ok(started) => {
                    tracing::info!(task = %task_arn, execution = ?started.task_execution_arn, "scheduled execution started")
                }
                Err(e) => tracing::warn!(task = %task_arn, error = %e.message, "scheduled execution not started"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        let t = OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap();
        (t.unix_timestamp_nanos() / 1_000_000) as i64
    }

    #[test]
    fn rates_count_from_their_anchor() {
        let s = Schedule::parse("rate(2 hours)").unwrap();
        let anchor = ms("2026-11-26T10:00:00Z");
        assert_eq!(s.next_after(anchor, anchor), Some(ms("2026-11-26T12:00:00Z")));
        assert_eq!(
            s.next_after(anchor, ms("2026-11-26T13:59:00Z")),
            Some(ms("2026-11-26T14:00:00Z"))
        );
        assert!(Schedule::parse("rate(30 minutes)").is_err());
        assert!(Schedule::parse("rate(1 hours)").is_err());
        assert!(Schedule::parse("rate(0 days)").is_err());
        assert!(Schedule::parse("rate(60 minutes)").is_ok());
    }

    #[test]
    fn cron_finds_the_next_matching_minute() {
        let daily = Schedule::parse("cron(15 3 * * ? *)").unwrap();
        assert_eq!(
            daily.next_after(0, ms("2026-11-26T03:15:00Z")),
            Some(ms("2026-11-27T03:15:00Z"))
        );
        assert_eq!(
            daily.next_after(0, ms("2026-11-26T03:14:59Z")),
            Some(ms("2026-11-26T03:15:00Z"))
        );
        // Weekdays at 18:00: Friday 2026-11-27, then Monday 2026-11-30.
        let weekdays = Schedule::parse("cron(0 18 ? * MON-FRI *)").unwrap();
        assert_eq!(
            weekdays.next_after(0, ms("2026-11-27T18:00:00Z")),
            Some(ms("2026-11-30T18:00:00Z"))
        );
        // The month's last day, every six hours from midnight.
        let last = Schedule::parse("cron(0 0/6 L * ? *)").unwrap();
        assert_eq!(
            last.next_after(0, ms("2026-02-01T00:00:00Z")),
            Some(ms("2026-02-28T00:00:00Z"))
        );
        assert_eq!(
            last.next_after(0, ms("2026-02-28T00:00:00Z")),
            Some(ms("2026-02-28T06:00:00Z"))
        );
        // A year that has passed never comes.
        assert_eq!(
            Schedule::parse("cron(0 0 1 1 ? 2020)")
                .unwrap()
                .next_after(0, ms("2026-01-01T00:00:00Z")),
            None
        );
    }

    #[test]
    fn due_tasks_are_those_with_an_occurrence_in_the_window() {
        use crate::model::{OptionsRec, ScheduleRec, TaskRec};
        let task = |arn: &str, expression: &str, status: &str| TaskRec {
            arn: arn.into(),
            account: "000000000000".into(),
            region: "us-east-1".into(),
            created_ms: 0,
            name: None,
            source: "s".into(),
            destination: "d".into(),
            options: OptionsRec::default(),
            includes: vec![],
            excludes: vec![],
            tags: Default::default(),
            report: None,
            schedule: Some(ScheduleRec {
                expression: expression.into(),
                status: status.into(),
                status_updated_ms: ms("2026-11-26T10:00:00Z"),
                disabled_by: None,
                disabled_reason: None,
            }),
        };
        let mut state = State::default();
        for t in [
            task("hourly", "rate(1 hour)", "ENABLED"),
            task("nightly", "cron(0 2 * * ? *)", "ENABLED"),
            task("off", "rate(1 hour)", "DISABLED"),
        ] {
            state.tasks.insert(t.arn.clone(), t);
        }
        let window = |a: &str, b: &str| {
            let mut d = due(&state, ms(a), ms(b));
            d.sort();
            d
        };
        assert_eq!(
            window("2026-11-26T10:30:00Z", "2026-11-26T10:59:59Z"),
            Vec::<String>::new()
        );
        assert_eq!(window("2026-11-26T10:30:00Z", "2026-11-26T11:00:00Z"), ["hourly"]);
        assert_eq!(
            window("2026-11-27T01:59:30Z", "2026-11-27T02:00:10Z"),
            ["hourly", "nightly"]
        );
    }

    #[test]
    fn cron_refuses_what_aws_refuses() {
        for bad in [
            "cron(* 3 * * ? *)",
            "cron(0 3 * * * *)",
            "cron(0 3 ? * ? *)",
            "cron(0 3 * *)",
            "cron(0 24 * * ? *)",
            "cron(0 3 ? * MON#2 *)",
            "every day",
        ] {
            assert!(Schedule::parse(bad).is_err(), "{bad}");
        }
    }
}
