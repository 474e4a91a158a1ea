//! The mechanics' three figures, per mechanic and per day, week (from Monday) or month of the
//! shop's own calendar (its UTC offset, `shop_calendar`): a mechanic's day is the shop's day, so
//! "today" on the mechanic's screen is one bucket.
//!
//! - **выработка** (output): the norm-hours of the labour lines whose work finished in the bucket
//!   (the latest finish, after a reopening), credited to the line's mechanic; the line's norm-hours
//!   are what its invoice bills;
//! - **efficiency**: that выработка ÷ the hours clocked on those same lines (by anyone, whenever):
//!   above 100 % the work took less than its norm;
//! - **productivity**: the hours clocked on jobs in the bucket ÷ the hours on shift in the bucket.
//!
//! The lines come from the reports' facts, from ClickHouse when it is configured and PostgreSQL
//! otherwise ([`ReportSource::finished_lines`], one query per dialect, the same rows). Clocked
//! time comes from the timesheets read model in both cases (`read.clocked_shifts`,
//! `read.clocked_jobs`, the rows of the domain's one definition `aggregates::timesheet::worked`): a
//! shop's clocks are a few thousand rows a month, and a correction replaces a shift there, which
//! append-only facts cannot. The seconds of a stretch are the domain's (`Interval::seconds_within`):
//! one still running counts up to `now`; one that crosses midnight counts in each day for its part.
//!
//! Everything divided is divided here, once, from seconds: the screens show these figures as they
//! are.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use aggregates::planning::UtcOffset;
use aggregates::timesheet::Interval;

use crate::error::QueryError;
use crate::reports::{FinishedLine, Granularity, Period, ReportSource};

/// Seconds in a tenth of a norm-hour.
const TENTH_SECONDS: i64 = 360;

/// One mechanic's figures in one day, week or month.
#[derive(Debug, Clone, PartialEq, Eq, async_graphql::SimpleObject)]
#[graphql(complex)]
pub struct MechanicFigures {
    /// The mechanic (none: lines finished with nobody assigned).
    pub mechanic_id: Option<Uuid>,
    /// The first day of the bucket.
    pub starts: NaiveDate,
    /// Labour lines whose work finished.
    pub finished_lines: i64,
    /// выработка: their norm-hours, in tenths.
    pub output_tenths: i64,
    /// Minutes clocked on those lines (whenever).
    pub output_clocked_minutes: i64,
    /// Minutes clocked on jobs in the bucket.
    pub job_minutes: i64,
    /// Minutes on shift in the bucket.
    pub shift_minutes: i64,
    /// Efficiency, выработка ÷ the time clocked on its lines, in basis points (100 % = 10 000),
    /// rounded half up; none when no time was clocked on them.
    pub efficiency_basis_points: Option<i64>,
    /// Productivity, time on jobs ÷ time on shift, in basis points; none without shift time.
    pub productivity_basis_points: Option<i64>,
}

/// Seconds summed per mechanic and bucket, before dividing.
#[derive(Debug, Default, Clone, Copy)]
struct Sums {
    finished_lines: i64,
    output_tenths: i64,
    output_clocked: i64,
    on_jobs: i64,
    on_shift: i64,
}

/// The first day of the bucket `date` falls in.
pub fn bucket_of(date: NaiveDate, granularity: Granularity) -> NaiveDate {
    match granularity {
        Granularity::Day => date,
        Granularity::Week => date - Days::new(u64::from(date.weekday().num_days_from_monday())),
        Granularity::Month => date.with_day(1).unwrap_or(date),
    }
}

/// A clocked interval's seconds inside the period, by the buckets of the shop's days they fall on:
/// the domain's `Interval::seconds_within` for each day it touches, an open one up to `now`.
pub fn split_by_bucket(
    stretch: Interval,
    period: Period,
    granularity: Granularity,
    offset: UtcOffset,
    now: DateTime<Utc>,
) -> Vec<(NaiveDate, i64)> {
    let mut pieces: Vec<(NaiveDate, i64)> = Vec::new();
    let end = stretch.to.unwrap_or(now).min(period.to);
    let mut day = offset.local_date(stretch.from.max(period.from));
    loop {
        let midnight = offset.instant(day, NaiveTime::MIN);
        if midnight >= end {
            break;
        }
        let Some(next) = day.succ_opt() else {
            break;
        };
        let next_midnight = offset.instant(next, NaiveTime::MIN);
        let seconds =
            stretch.seconds_within(midnight.max(period.from), next_midnight.min(period.to), now);
        let bucket = bucket_of(day, granularity);
        // A day the interval touches is listed even with no whole second in it: a mechanic who
        // clocked in a moment ago is on the screen, at 0 minutes.
        match pieces.last_mut() {
            Some((last, total)) if *last == bucket => *total += seconds,
            _ => pieces.push((bucket, seconds)),
        }
        day = next;
    }
    pieces
}

/// `numerator / denominator` in basis points, rounded half up; none when there is nothing to
/// divide by.
fn basis_points(numerator: i64, denominator: i64) -> Option<i64> {
    (denominator > 0).then(|| {
        aggregates::money::round_half_up(i128::from(numerator) * 10_000, i128::from(denominator))
    })
}

/// Seconds as whole minutes, rounded half up.
fn minutes(seconds: i64) -> i64 {
    aggregates::money::round_half_up(i128::from(seconds), 60)
}

/// The figures of every mechanic (or of `mechanic` alone) with anything in the period, by bucket
/// and then mechanic.
pub async fn mechanic_figures(
    source: &ReportSource,
    clocks: &PgPool,
    period: Period,
    granularity: Granularity,
    offset: UtcOffset,
    mechanic: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<Vec<MechanicFigures>, QueryError> {
    let finished: Vec<FinishedLine> = source.finished_lines(period, mechanic).await?;
    let mut sums: BTreeMap<(NaiveDate, Option<Uuid>), Sums> = BTreeMap::new();

    // выработка and the time clocked on its lines.
    let orders: Vec<Uuid> = finished.iter().map(|line| line.work_order_id).collect();
    let lines: Vec<Uuid> = finished.iter().map(|line| line.line_id).collect();
    let mut clocked: BTreeMap<(Uuid, Uuid), i64> = BTreeMap::new();
    let stretches = sqlx::query!(
        r#"SELECT j.work_order_id, j.line_id, j.started_at, j.ended_at
             FROM read.clocked_jobs j
             JOIN UNNEST($1::uuid[], $2::uuid[]) AS l(work_order_id, line_id)
               ON l.work_order_id = j.work_order_id AND l.line_id = j.line_id"#,
        &orders,
        &lines,
    )
    .fetch_all(clocks)
    .await?;
    for stretch in stretches {
        let interval = Interval {
            from: stretch.started_at,
            to: stretch.ended_at,
        };
        *clocked
            .entry((stretch.work_order_id, stretch.line_id))
            .or_default() +=
            interval.seconds_within(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC, now);
    }
    for line in &finished {
        let bucket = bucket_of(offset.local_date(line.finished_at), granularity);
        let sum = sums.entry((bucket, line.mechanic_id)).or_default();
        sum.finished_lines += 1;
        sum.output_tenths += line.tenths;
        sum.output_clocked += clocked
            .get(&(line.work_order_id, line.line_id))
            .copied()
            .unwrap_or(0);
    }

    // Time on jobs and on shift, by the day it was spent: both tables in one round trip.
    let clocked_time = sqlx::query!(
        r#"SELECT true AS "on_job!", employee_id AS "employee_id!",
                  started_at AS "started_at!", ended_at
             FROM read.clocked_jobs
            WHERE started_at < $2 AND COALESCE(ended_at, $3) > $1
              AND ($4::uuid IS NULL OR employee_id = $4)
           UNION ALL
           SELECT false, employee_id, started_at, ended_at
             FROM read.clocked_shifts
            WHERE started_at < $2 AND COALESCE(ended_at, $3) > $1
              AND ($4::uuid IS NULL OR employee_id = $4)"#,
        period.from,
        period.to,
        now,
        mechanic,
    )
    .fetch_all(clocks)
    .await?;
    for row in clocked_time {
        let stretch = Interval {
            from: row.started_at,
            to: row.ended_at,
        };
        for (bucket, seconds) in split_by_bucket(stretch, period, granularity, offset, now) {
            let sum = sums.entry((bucket, Some(row.employee_id))).or_default();
            if row.on_job {
                sum.on_jobs += seconds;
            } else {
                sum.on_shift += seconds;
            }
        }
    }

    Ok(sums
        .into_iter()
        .map(|((starts, mechanic_id), sum)| MechanicFigures {
            mechanic_id,
            starts,
            finished_lines: sum.finished_lines,
            output_tenths: sum.output_tenths,
            output_clocked_minutes: minutes(sum.output_clocked),
            job_minutes: minutes(sum.on_jobs),
            shift_minutes: minutes(sum.on_shift),
            efficiency_basis_points: basis_points(
                sum.output_tenths * TENTH_SECONDS,
                sum.output_clocked,
            ),
            productivity_basis_points: basis_points(sum.on_jobs, sum.on_shift),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc() -> UtcOffset {
        UtcOffset::minutes(0).unwrap()
    }

    fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, hour, minute, 0)
            .unwrap()
    }

    fn interval(from: DateTime<Utc>, to: Option<DateTime<Utc>>) -> Interval {
        Interval { from, to }
    }

    fn date(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, day).unwrap()
    }

    #[test]
    fn buckets_start_on_the_day_the_monday_and_the_first() {
        // 2026-12-03 is a Thursday; its week starts on Monday the 30th of November.
        assert_eq!(bucket_of(date(3), Granularity::Day), date(3));
        assert_eq!(
            bucket_of(date(3), Granularity::Week),
            date(1) - Days::new(1)
        );
        assert_eq!(bucket_of(date(7), Granularity::Week), date(7));
        assert_eq!(bucket_of(date(31), Granularity::Month), date(1));
    }

    #[test]
    fn an_interval_is_split_at_midnight_and_clipped_to_the_period() {
        let period = Period::new(at(1, 0, 0), at(3, 12, 0)).unwrap();
        let now = at(3, 10, 0);
        let split = |from, to, granularity| {
            split_by_bucket(interval(from, Some(to)), period, granularity, utc(), now)
        };
        // 22:00 on the 1st to 02:30 on the 2nd: two hours on the 1st, two and a half on the 2nd.
        assert_eq!(
            split(at(1, 22, 0), at(2, 2, 30), Granularity::Day),
            vec![(date(1), 7_200), (date(2), 9_000)]
        );
        // In one week it stays one piece.
        assert_eq!(
            split(at(1, 22, 0), at(2, 2, 30), Granularity::Week),
            vec![(date(1) - Days::new(1), 16_200)]
        );
        // Clipped at the period's end; nothing outside it; a stretch of no time is on its day.
        assert_eq!(
            split(at(3, 11, 0), at(3, 15, 0), Granularity::Day),
            vec![(date(3), 3_600)]
        );
        assert!(split(at(4, 9, 0), at(4, 10, 0), Granularity::Day).is_empty());
        assert_eq!(
            split(at(2, 9, 0), at(2, 9, 0), Granularity::Day),
            vec![(date(2), 0)]
        );
        // A stretch still running counts up to now.
        assert_eq!(
            split_by_bucket(
                interval(at(3, 9, 0), None),
                period,
                Granularity::Day,
                utc(),
                now
            ),
            vec![(date(3), 3_600)]
        );
        // In Moscow (UTC+3) 22:00 UTC on the 1st is 01:00 on the 2nd: it all falls on the 2nd.
        assert_eq!(
            split_by_bucket(
                interval(at(1, 22, 0), Some(at(2, 2, 30))),
                period,
                Granularity::Day,
                UtcOffset::MOSCOW,
                now
            ),
            vec![(date(2), 16_200)]
        );
        // And 20:00–22:00 UTC on the 1st is 23:00 on the 1st to 01:00 on the 2nd: split there.
        assert_eq!(
            split_by_bucket(
                interval(at(1, 20, 0), Some(at(1, 22, 0))),
                period,
                Granularity::Day,
                UtcOffset::MOSCOW,
                now
            ),
            vec![(date(1), 3_600), (date(2), 3_600)]
        );
    }

    #[test]
    fn ratios_are_basis_points_rounded_half_up_and_none_without_a_denominator() {
        // 1.5 norm-hours done in 1 h 20 min: 112.5 %.
        assert_eq!(basis_points(15 * TENTH_SECONDS, 80 * 60), Some(11_250));
        assert_eq!(basis_points(1, 3), Some(3_333));
        assert_eq!(basis_points(2, 3), Some(6_667));
        assert_eq!(basis_points(5, 0), None);
        assert_eq!(minutes(89), 1);
        assert_eq!(minutes(90), 2);
    }
}
