//! Time, injected. Only this module reads the system clock.

/// Seconds since the Unix epoch, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(u64);

impl UnixTime {
    /// A time from seconds since the epoch.
    pub const fn from_secs(secs: u64) -> Self {
        UnixTime(secs)
    }

    /// Seconds since the epoch.
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// The current time from the system clock.
    pub fn now() -> Self {
        SystemClock.now()
    }

    /// RFC 3339 in UTC with whole seconds, the form ISO 18013-5 uses:
    ///
    /// ```
    /// assert_eq!(passerelle::UnixTime::from_secs(1_609_459_200).to_rfc3339(), "2021-01-01T00:00:00Z");
    /// ```
    pub fn to_rfc3339(self) -> String {
        format_rfc3339(self)
    }
}

/// A source of the current time.
pub trait Clock {
    /// The current time.
    fn now(&self) -> UnixTime;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> UnixTime {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        UnixTime(secs)
    }
}

/// A clock fixed at one instant, for tests and for `--at`.
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub UnixTime);

impl Clock for FixedClock {
    fn now(&self) -> UnixTime {
        self.0
    }
}

/// Parses an RFC 3339 / XML Schema `dateTimeStamp` (a time zone is required:
/// `Z` or `±HH:MM`; fractional seconds allowed and truncated) into a
/// [`UnixTime`]. Calendar dates are validated (no 30 February). Returns `None`
/// for anything else, including times before 1970.
pub(crate) fn parse_rfc3339(s: &str) -> Option<UnixTime> {
    let b = s.as_bytes();
    let num = |r: core::ops::Range<usize>| -> Option<u64> {
        let t = s.get(r)?;
        if t.bytes().all(|c| c.is_ascii_digit()) {
            t.parse().ok()
        } else {
            None
        }
    };
    if b.len() < 20
        || b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    if !matches!(b.get(10), Some(b'T' | b't')) {
        return None;
    }
    let (y, mo, d, h, mi, sec) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset: i64 = match b.get(i) {
        Some(b'Z' | b'z') if i + 1 == b.len() => 0,
        Some(c @ (b'+' | b'-')) if i + 6 == b.len() && b.get(i + 3) == Some(&b':') => {
            let oh = i64::try_from(num(i + 1..i + 3)?).ok()?;
            let om = i64::try_from(num(i + 4..i + 6)?).ok()?;
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if *c == b'+' {
                o
            } else {
                -o
            }
        }
        _ => return None,
    };
    if !(1..=12).contains(&mo)
        || d == 0
        || d > days_in_month(y, mo)
        || h > 23
        || mi > 59
        || sec > 60
    {
        return None;
    }
    let days = days_from_civil(y, mo, d)?;
    let secs = i64::try_from(days).ok()? * 86_400
        + i64::try_from(h * 3600 + mi * 60 + sec.min(59)).ok()?
        - offset;
    u64::try_from(secs).ok().map(UnixTime)
}

/// `(year, month, day, hour, minute, second)` of a Unix time, UTC.
#[cfg_attr(not(feature = "test-pki"), allow(dead_code))] // the certificate builder's writers
pub(crate) fn civil_from_unix(t: UnixTime) -> (u64, u64, u64, u64, u64, u64) {
    let rem = t.0 % 86_400;
    let (y, m, d) = civil_from_days(t.0 / 86_400);
    (y, m, d, rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Formats as RFC 3339 UTC (`YYYY-MM-DDTHH:MM:SSZ`).
pub(crate) fn format_rfc3339(t: UnixTime) -> String {
    let secs = t.0;
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    let mut out = String::with_capacity(20);
    push_padded(&mut out, y, 4);
    out.push('-');
    push_padded(&mut out, m, 2);
    out.push('-');
    push_padded(&mut out, d, 2);
    out.push('T');
    push_padded(&mut out, rem / 3600, 2);
    out.push(':');
    push_padded(&mut out, rem % 3600 / 60, 2);
    out.push(':');
    push_padded(&mut out, rem % 60, 2);
    out.push('Z');
    out
}

/// Appends `n` in decimal, zero-padded to at least `width` digits (as
/// `format!("{n:0width$}")`, without the formatting machinery: dates are
/// written on every issuance).
pub(crate) fn push_padded(out: &mut String, n: u64, width: usize) {
    let mut buf = [0u8; 20];
    let digits = crate::encoding::decimal(&mut buf, n);
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(digits);
}

pub(crate) fn days_in_month(y: u64, m: u64) -> u64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 (proleptic Gregorian); `None` before 1970.
pub(crate) fn days_from_civil(y: u64, m: u64, d: u64) -> Option<u64> {
    let (y, m) = if m <= 2 {
        (y.checked_sub(1)?, m + 9)
    } else {
        (y, m - 3)
    };
    let era = y / 400;
    let yoe = y % 400;
    let doy = (153 * m + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe).checked_sub(719_468)
}

/// A full-date `YYYY-MM-DD` (RFC 3339 / ISO 8601 calendar date), checked:
/// four-digit year, month 1–12, a day that exists in that month.
pub(crate) fn parse_full_date(s: &str) -> Option<(u64, u64, u64)> {
    let b = s.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let num = |r: core::ops::Range<usize>| -> Option<u64> {
        let t = s.get(r)?;
        if !t.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some((y, m, d))
}

/// Whole years from the date `birth` to the UTC calendar date of `now`.
pub(crate) fn age_at(birth: (u64, u64, u64), now: UnixTime) -> Option<u64> {
    let (y, m, d) = civil_from_days(now.as_secs() / 86_400);
    let years = y.checked_sub(birth.0)?;
    Some(if (m, d) < (birth.1, birth.2) {
        years.checked_sub(1)?
    } else {
        years
    })
}

fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(UnixTime(0)));
        assert_eq!(
            parse_rfc3339("2021-01-01T00:00:00Z"),
            Some(UnixTime(1_609_459_200))
        );
        assert_eq!(
            parse_rfc3339("2021-01-01T01:00:00+01:00"),
            Some(UnixTime(1_609_459_200))
        );
        assert_eq!(
            parse_rfc3339("2020-12-31T23:00:00.123-01:00"),
            Some(UnixTime(1_609_459_200))
        );
        assert_eq!(
            parse_rfc3339("2024-02-29T00:00:00Z"),
            Some(UnixTime(1_709_164_800))
        );
        for bad in [
            "2023-02-29T00:00:00Z",
            "2024-02-30T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:00",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00+0100",
            "1969-12-31T23:59:59Z",
            "２０２４-01-01T00:00:00Z",
            "",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        for t in [0, 1_609_459_200, 1_709_164_800, 4_102_444_799] {
            assert_eq!(
                parse_rfc3339(&format_rfc3339(UnixTime(t))),
                Some(UnixTime(t))
            );
        }
        assert_eq!(format_rfc3339(UnixTime(0)), "1970-01-01T00:00:00Z");
        assert_eq!(
            format_rfc3339(UnixTime(4_102_444_799)),
            "2099-12-31T23:59:59Z"
        );
    }

    #[test]
    fn push_padded_is_zero_padded_decimal() {
        for (n, w) in [
            (0, 4),
            (7, 2),
            (42, 2),
            (123, 2),
            (2024, 4),
            (999, 4),
            (u64::MAX, 4),
            (5, 0),
        ] {
            let mut s = String::from(">");
            push_padded(&mut s, n, w);
            assert_eq!(s, format!(">{n:0w$}"), "{n} {w}");
        }
    }
}
