//! What a clinic's system may send for a record, parsed: by the CLI's arguments and by the
//! testing API's JSON alike, so both refuse the same things in the same words.

use time::OffsetDateTime;

use crate::clock::Zone;

/// An RFC 3339 time: an appointment's start, in a year a clinic books (2000 to 2199), so that
/// its end and its calendar file are times too.
pub fn time(value: &str) -> Result<OffsetDateTime, String> {
    let at = OffsetDateTime::parse(value.trim(), &time::format_description::well_known::Rfc3339)
        .map_err(|_| "expected an RFC 3339 time such as 2026-12-01T14:30:00Z".to_owned())?;
    if !(2000..2200).contains(&at.year()) {
        return Err("expected a time between the years 2000 and 2199".into());
    }
    Ok(at)
}

/// An IANA time zone: where a patient lives.
pub fn zone(value: &str) -> Result<Zone, String> {
    Zone::parse(value.trim())
        .ok_or_else(|| "expected an IANA time zone such as America/Toronto".to_owned())
}

/// A name or title: trimmed, 1 to 200 characters.
pub fn text(value: &str) -> Result<String, String> {
    let value = value.trim();
    match value.chars().count() {
        0 => Err("cannot be empty".into()),
        1..=200 => Ok(value.to_owned()),
        _ => Err("is longer than 200 characters".into()),
    }
}

/// Where the patient joins a video visit: https only.
pub fn video_url(value: &str) -> Result<String, String> {
    match url::Url::parse(value.trim()) {
        Ok(url) if url.scheme() == "https" => Ok(url.to_string()),
        _ => Err("expected an https:// URL".into()),
    }
}
