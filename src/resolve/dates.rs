//! The book's times, parsed once with jiff: when it was made
//! (`SOURCE_DATE_EPOCH`, else the book's date) and the book's own date.
//! Writers take these values and format them; none parses a date.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;

use crate::diag::{Diagnostic, Severity};
use crate::model::Document;

use super::BookTime;

impl BookTime {
    /// The time in UTC; a date's missing month or day is the first, at
    /// midnight.
    pub fn civil(self) -> DateTime {
        match self {
            BookTime::Exact(t) => t.to_zoned(TimeZone::UTC).datetime(),
            BookTime::Date { year, month, day } => {
                jiff::civil::Date::new(year, month.unwrap_or(1), day.unwrap_or(1))
                    .unwrap_or_default()
                    .to_datetime(jiff::civil::Time::midnight())
            }
        }
    }

    /// The moment: an exact time as it is, a date at midnight UTC.
    pub fn timestamp(self) -> jiff::Timestamp {
        match self {
            BookTime::Exact(t) => t,
            date => date
                .civil()
                .to_zoned(TimeZone::UTC)
                .map_or(jiff::Timestamp::UNIX_EPOCH, |z| z.timestamp()),
        }
    }

    /// The date as it is written in Chinese, to its precision:
    /// `2025年12月20日`, `2025年3月`, `2025年`.
    pub fn chinese(self) -> String {
        let c = self.civil();
        match self {
            BookTime::Date {
                month: None,
                day: None,
                ..
            } => format!("{:04}年", c.year()),
            BookTime::Date { day: None, .. } => format!("{:04}年{}月", c.year(), c.month()),
            _ => format!("{:04}年{}月{}日", c.year(), c.month(), c.day()),
        }
    }
}

/// When the book was made: `SOURCE_DATE_EPOCH` if it is a number of
/// seconds (a warning if it is set to anything else), else the book's
/// date.
pub fn created(doc: &Document, diagnostics: &mut Vec<Diagnostic>) -> Option<BookTime> {
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        match epoch
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|s| jiff::Timestamp::from_second(s).ok())
        {
            Some(time) => return Some(BookTime::Exact(time)),
            None => diagnostics.push(
                Diagnostic::new(
                    Severity::Warning,
                    None,
                    format!("SOURCE_DATE_EPOCH `{epoch}` is not a number of seconds; the book's date is used"),
                )
                .with_hint("set it to a Unix time such as `date +%s` prints"),
            ),
        }
    }
    book_date(doc)
}

/// The book's own date (`date`, else `year`, in book.toml), when it is
/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` and a real day.
pub fn book_date(doc: &Document) -> Option<BookTime> {
    doc.metadata.date.as_deref().and_then(BookTime::parse_date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_chinese() {
        let date = |s| BookTime::parse_date(s).map(BookTime::chinese);
        assert_eq!(date("2025-12-20").as_deref(), Some("2025年12月20日"));
        assert_eq!(date("2025-03").as_deref(), Some("2025年3月"));
        assert_eq!(date("2025").as_deref(), Some("2025年"));
        assert_eq!(date("0999-01-02").as_deref(), Some("0999年1月2日"));
    }

    #[test]
    fn book_dates_in_dc_date_forms() {
        let date = |s| BookTime::parse_date(s).map(|d| d.civil().date().to_string());
        assert_eq!(date("2025").as_deref(), Some("2025-01-01"));
        assert_eq!(date("2025-12").as_deref(), Some("2025-12-01"));
        assert_eq!(date("2025-12-20").as_deref(), Some("2025-12-20"));
        for bad in [
            "",
            "2025-1-5",
            "2025年",
            "2025-13-01",
            "2025-02-30",
            "25-12-20",
            " 2025-12-20",
        ] {
            assert_eq!(date(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_date_is_midnight_utc() {
        let time = BookTime::parse_date("2025-12").map(BookTime::timestamp);
        assert_eq!(time.map(|t| t.as_second()), Some(1_764_547_200));
    }
}
