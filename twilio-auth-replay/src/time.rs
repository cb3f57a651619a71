//! The two timestamp formats Twilio signs: RFC 2822 (`Timestamp` of call status callbacks,
//! `Tue, 02 Dec 2025 03:10:27 +0000`) and RFC 3339 (the CloudEvent `time`,
//! `2025-12-02T03:10:27.123Z`). Parsed by hand: a few lines, no date crate.

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn unix(year: i64, month: u32, day: u32, h: u32, mi: u32, s: u32, offset_secs: i64) -> Option<i64> {
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s) - offset_secs)
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `+hhmm`, `-hhmm`, `+hh:mm`, `Z`, `GMT`, `UT`, `UTC` → seconds east of UTC.
fn offset(s: &str) -> Option<i64> {
    match s {
        "Z" | "z" | "GMT" | "UT" | "UTC" => return Some(0),
        _ => {}
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = s[1..].chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 {
        return None;
    }
    let h = i64::from(num(&digits[..2])?);
    let m = i64::from(num(&digits[2..])?);
    Some(sign * (h * 3600 + m * 60))
}

fn hms(s: &str) -> Option<(u32, u32, u32)> {
    let mut parts = s.split(':');
    let h = num(parts.next()?)?;
    let m = num(parts.next()?)?;
    let sec = parts.next().map_or(Some(0), num)?;
    if parts.next().is_some() {
        return None;
    }
    Some((h, m, sec))
}

/// RFC 2822: `[Tue, ]02 Dec 2025 03:10:27 +0000` → unix seconds.
pub(crate) fn parse_rfc2822(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = match s.find(',') {
        Some(i) => &s[i + 1..],
        None => s,
    };
    let mut fields = s.split_whitespace();
    let day = num(fields.next()?)?;
    let month = match fields.next()?.to_ascii_lowercase().as_str() {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    };
    let year = i64::from(num(fields.next()?)?);
    let (h, m, sec) = hms(fields.next()?)?;
    let off = offset(fields.next()?)?;
    unix(year, month, day, h, m, sec, off)
}

/// RFC 3339: `2025-12-02T03:10:27[.fff](Z|±hh:mm)` → unix seconds.
pub(crate) fn parse_rfc3339(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() < 20 || !s.is_char_boundary(10) || !s.is_char_boundary(19) {
        return None;
    }
    let (date, rest) = s.split_at(10);
    let mut d = date.split('-');
    let year = i64::from(num(d.next()?)?);
    let month = num(d.next()?)?;
    let day = num(d.next()?)?;
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (time, zone) = rest.split_at(8);
    let (h, m, sec) = hms(time)?;
    let zone = match zone.strip_prefix('.') {
        Some(frac) => frac.trim_start_matches(|c: char| c.is_ascii_digit()),
        None => zone,
    };
    unix(year, month, day, h, m, sec, offset(zone)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2822() {
        assert_eq!(parse_rfc2822("Thu, 01 Jan 1970 00:00:00 +0000"), Some(0));
        assert_eq!(
            parse_rfc2822("Tue, 02 Dec 2025 03:10:27 +0000"),
            Some(1_764_645_027)
        );
        assert_eq!(
            parse_rfc2822("Tue, 02 Dec 2025 04:10:27 +0100"),
            Some(1_764_645_027)
        );
        assert_eq!(parse_rfc2822("yesterday"), None);
    }

    #[test]
    fn rfc3339() {
        assert_eq!(parse_rfc3339("2025-12-02T03:10:27Z"), Some(1_764_645_027));
        assert_eq!(
            parse_rfc3339("2025-12-02T03:10:27.123456Z"),
            Some(1_764_645_027)
        );
        assert_eq!(
            parse_rfc3339("2025-12-02T04:10:27+01:00"),
            Some(1_764_645_027)
        );
        assert_eq!(parse_rfc3339("2025-12-02"), None);
        assert_eq!(parse_rfc3339("2025-12-02T03:10:27é"), None);
    }
}
