//! "Add to calendar": an appointment as an iCalendar file (RFC 5545). Its times are wall-clock
//! times in the patient's zone, named by IANA name (which calendar apps look up themselves),
//! with that zone's offsets around the visit spelled out for the strict ones that do not.

use std::fmt::Write;

use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};
use url::Url;

use super::appointments::{Appointment, Status, JOINABLE_BEFORE};
use crate::{
    clock::{OffsetChange, Zone},
    language::Words,
};

/// The `.ics` file of `appointment`, whose page is `page`, as of `now`, in `words`' language
/// (which its texts say, `LANGUAGE=`, for calendars that read it).
pub fn ics(
    appointment: &Appointment,
    zone: &Zone,
    page: &Url,
    now: OffsetDateTime,
    words: &Words,
) -> String {
    let lang = words.language().tag();
    let summary = words.with(
        "appointment-with",
        &[("clinician", appointment.clinician.clone().into())],
    );
    let location = match &appointment.video_url {
        Some(url) => url.clone(),
        None => words.get("calendar-video-visit"),
    };
    let starts = OffsetDateTime::from(appointment.starts_at);
    let ends = appointment.ends();
    // A cancelled visit is still published, cancelled: the calendar that has it crosses it out.
    let status = match appointment.status {
        Status::Booked => "CONFIRMED",
        Status::Cancelled => "CANCELLED",
    };
    let tzid = zone.name();
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Carelink//Patient portal//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VTIMEZONE".to_owned(),
        format!("TZID:{tzid}"),
    ];
    lines.extend(
        zone.offset_changes(starts, ends)
            .iter()
            .flat_map(observance),
    );
    lines.extend([
        "END:VTIMEZONE".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        // Stable per appointment and portal, so downloading it again updates the same event.
        format!(
            "UID:appointment-{}@{}",
            appointment.id,
            page.host_str().unwrap_or("carelink")
        ),
        // Each change raises it, so a calendar takes the file as a newer version of the event.
        format!("SEQUENCE:{}", appointment.sequence),
        format!("STATUS:{status}"),
        format!("DTSTAMP:{}Z", local(Zone::utc().wall_clock(now))),
        format!("DTSTART;TZID={tzid}:{}", local(zone.wall_clock(starts))),
        format!("DTEND;TZID={tzid}:{}", local(zone.wall_clock(ends))),
        format!("SUMMARY;LANGUAGE={lang}:{}", text(&summary)),
        format!(
            "DESCRIPTION;LANGUAGE={lang}:{}",
            text(&description(appointment, page, words))
        ),
        format!("LOCATION;LANGUAGE={lang}:{}", text(&location)),
        format!("URL:{page}"),
        "BEGIN:VALARM".to_owned(),
        "ACTION:DISPLAY".to_owned(),
        format!("TRIGGER:-PT{}M", JOINABLE_BEFORE.whole_minutes()),
        format!(
            "DESCRIPTION;LANGUAGE={lang}:{}",
            text(&words.get("calendar-alarm"))
        ),
        "END:VALARM".to_owned(),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ]);
    lines.iter().fold(String::new(), |mut file, line| {
        fold(&mut file, line);
        file
    })
}

fn description(appointment: &Appointment, page: &Url, words: &Words) -> String {
    let mut description = String::new();
    if !appointment.reason.is_empty() {
        let _ = writeln!(description, "{}\n", appointment.reason);
    }
    if let Some(video) = &appointment.video_url {
        let join = words.with("calendar-join", &[("url", video.clone().into())]);
        let _ = writeln!(description, "{join}");
    }
    let in_portal = words.with("calendar-in-portal", &[("url", page.to_string().into())]);
    let _ = write!(description, "{in_portal}");
    description
}

/// One STANDARD or DAYLIGHT block: from when, and from which offset to which.
fn observance(change: &OffsetChange) -> [String; 6] {
    let kind = if change.daylight {
        "DAYLIGHT"
    } else {
        "STANDARD"
    };
    [
        format!("BEGIN:{kind}"),
        format!("DTSTART:{}", local(change.local)),
        format!("TZOFFSETFROM:{}", offset(change.from)),
        format!("TZOFFSETTO:{}", offset(change.to)),
        format!("TZNAME:{}", text(&change.abbreviation)),
        format!("END:{kind}"),
    ]
}

/// 20310304T100000
fn local(at: PrimitiveDateTime) -> String {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]");
    at.format(&format).unwrap_or_default()
}

/// -0500, +0530
fn offset(offset: UtcOffset) -> String {
    let (hours, minutes, _) = offset.as_hms();
    let sign = if offset.is_negative() { '-' } else { '+' };
    format!("{sign}{:02}{:02}", hours.abs(), minutes.abs())
}

/// A TEXT value: backslash, comma, semicolon and line breaks escaped (RFC 5545 3.3.11). Other
/// control characters cannot be in one, so they are dropped.
fn text(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' | ';' | ',' => {
                escaped.push('\\');
                escaped.push(c);
            }
            '\n' => escaped.push_str("\\n"),
            c if c.is_control() => {}
            c => escaped.push(c),
        }
    }
    escaped
}

/// Appends `line` ending in CRLF, folded so no line is over 75 bytes (RFC 5545 3.1), never
/// inside a character.
fn fold(file: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            file.push_str("\r\n ");
            width = 1;
        }
        file.push(c);
        width += c.len_utf8();
    }
    file.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Timestamp;

    fn appointment(starts_at: OffsetDateTime) -> Appointment {
        Appointment {
            id: 7,
            starts_at: Timestamp::from(starts_at),
            clinician: "Dr. Okafor, MD".into(),
            reason: "Blood pressure; follow-up".into(),
            video_url: Some("https://video.example/visit/7".into()),
            status: Status::Booked,
            sequence: 0,
            ends_at: None,
        }
    }

    fn english() -> Words {
        Words::english()
    }

    #[test]
    fn a_french_patients_calendar_reads_in_french_and_says_so() {
        let page = Url::parse("https://portal.example/appointments/7").unwrap();
        let starts = time::macros::datetime!(2031-03-04 15:00 UTC);
        let french = Words::new(crate::language::Language::French, "Clinique Rosemont");
        let file = ics(&appointment(starts), &Zone::utc(), &page, starts, &french);
        let unfolded = file.replace("\r\n ", "");
        assert!(unfolded.contains(r"SUMMARY;LANGUAGE=fr-CA:Rendez-vous avec Dr. Okafor\, MD"));
        assert!(
            unfolded.contains("Rejoindre la consultation vidéo"),
            "{unfolded}"
        );
        assert!(
            unfolded.contains("Dans le portail Clinique Rosemont"),
            "{unfolded}"
        );
        assert!(unfolded.contains(
            "DESCRIPTION;LANGUAGE=fr-CA:Vous pouvez maintenant rejoindre votre consultation vidéo"
        ));
    }

    fn lines(file: &str) -> Vec<&str> {
        file.split("\r\n").collect()
    }

    #[test]
    fn the_visit_is_at_the_wall_clock_time_of_the_patients_zone() {
        let toronto = Zone::parse("America/Toronto").unwrap();
        let page = Url::parse("https://portal.example/appointments/7").unwrap();
        let starts = time::macros::datetime!(2031-03-04 15:00 UTC);
        let file = ics(&appointment(starts), &toronto, &page, starts, &english());
        let lines = lines(&file);
        for expected in [
            "TZID:America/Toronto",
            "DTSTART;TZID=America/Toronto:20310304T100000",
            "DTEND;TZID=America/Toronto:20310304T110000",
            "DTSTART:20301103T020000",
            "TZOFFSETFROM:-0400",
            "TZOFFSETTO:-0500",
            "TZNAME:EST",
            "UID:appointment-7@portal.example",
            "DTSTAMP:20310304T150000Z",
            r"SUMMARY;LANGUAGE=en-CA:Appointment with Dr. Okafor\, MD",
            "URL:https://portal.example/appointments/7",
            "TRIGGER:-PT15M",
            "SEQUENCE:0",
            "STATUS:CONFIRMED",
        ] {
            assert!(lines.contains(&expected), "{expected} missing from\n{file}");
        }
        assert!(file.contains(r"Blood pressure\; follow-up\n"), "{file}");
        assert!(file.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn a_cancelled_visit_is_the_same_event_cancelled_at_a_higher_sequence() {
        let page = Url::parse("https://portal.example/appointments/7").unwrap();
        let starts = time::macros::datetime!(2031-03-04 15:00 UTC);
        let mut cancelled = appointment(starts);
        cancelled.status = Status::Cancelled;
        cancelled.sequence = 2;
        cancelled.ends_at = Some(Timestamp::from(starts + time::Duration::minutes(20)));
        let file = ics(&cancelled, &Zone::utc(), &page, starts, &english());
        let lines = lines(&file);
        for expected in [
            "UID:appointment-7@portal.example",
            "SEQUENCE:2",
            "STATUS:CANCELLED",
            "METHOD:PUBLISH",
            "DTEND;TZID=UTC:20310304T152000",
        ] {
            assert!(lines.contains(&expected), "{expected} missing from\n{file}");
        }
    }

    #[test]
    fn summer_visits_read_daylight_time() {
        let toronto = Zone::parse("America/Toronto").unwrap();
        let page = Url::parse("https://portal.example/appointments/7").unwrap();
        let starts = time::macros::datetime!(2031-07-01 14:00 UTC);
        let file = ics(&appointment(starts), &toronto, &page, starts, &english());
        let lines = lines(&file);
        assert!(lines.contains(&"DTSTART;TZID=America/Toronto:20310701T100000"));
        assert!(lines.contains(&"BEGIN:DAYLIGHT"));
        assert!(lines.contains(&"TZOFFSETTO:-0400"));
    }

    #[test]
    fn long_lines_are_folded_and_text_cannot_break_out() {
        let mut long = appointment(time::macros::datetime!(2031-03-04 15:00 UTC));
        long.clinician = "é".repeat(100);
        long.reason = "line one\r\nEND:VEVENT\u{7}".into();
        let page = Url::parse("https://portal.example/appointments/7").unwrap();
        let file = ics(
            &long,
            &Zone::utc(),
            &page,
            OffsetDateTime::UNIX_EPOCH,
            &english(),
        );
        assert!(lines(&file).iter().all(|line| line.len() <= 75), "{file}");
        let ends = lines(&file).iter().filter(|l| **l == "END:VEVENT").count();
        assert_eq!(ends, 1, "{file}");
        assert!(!file.contains('\u{7}'));
        let unfolded = file.replace("\r\n ", "");
        assert!(unfolded.contains(&format!(
            "SUMMARY;LANGUAGE=en-CA:Appointment with {}",
            "é".repeat(100)
        )));
    }
}
