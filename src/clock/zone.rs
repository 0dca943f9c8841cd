//! How times read to patients: in their own IANA time zone, from the database compiled into
//! the binary, which knows each zone's daylight-saving changes.

use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::language::Language;

/// A time zone patients read times in: an IANA name ("America/Toronto") known to the time-zone
/// database compiled into the binary, which knows each zone's daylight-saving changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    name: String,
    tz: jiff::tz::TimeZone,
}

impl Zone {
    /// The zone named `name` (as browsers and the IANA database spell it), if there is one.
    pub fn parse(name: &str) -> Option<Zone> {
        let name = name.trim();
        if name.is_empty() || name.len() > 64 {
            return None;
        }
        let tz = jiff::tz::TimeZone::get(name).ok()?;
        // jiff answers some non-zones ("Etc/Unknown", which browsers may say) with a nameless
        // zone: no name, no zone.
        let name = tz.iana_name()?.to_owned();
        Some(Zone { name, tz })
    }

    /// Whether a browser saying this zone tells where the patient is. Browsers that hide it
    /// (privacy modes) say UTC; the fixed-offset `Etc/` zones follow no place's clocks.
    pub fn is_a_place(&self) -> bool {
        !(self.name == "UTC" || self.name.starts_with("Etc/"))
    }

    pub fn utc() -> Zone {
        Zone {
            name: "UTC".to_owned(),
            tz: jiff::tz::TimeZone::UTC,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The wall-clock time `at` reads in this zone.
    pub fn wall_clock(&self, at: OffsetDateTime) -> PrimitiveDateTime {
        let local = at.to_offset(self.offset_at(instant(at)));
        PrimitiveDateTime::new(local.date(), local.time())
    }

    /// The offset changes that set this zone's clocks from `from` to `to`: the last one at or
    /// before `from`, then any until `to`. A zone that never changed gets one, in 1970, saying
    /// its offset.
    pub fn offset_changes(&self, from: OffsetDateTime, to: OffsetDateTime) -> Vec<OffsetChange> {
        let (from, to) = (instant(from), instant(to));
        let last = self
            .tz
            .preceding(from + jiff::SignedDuration::from_secs(1))
            .next();
        let later = self.tz.following(from).take_while(|t| t.timestamp() <= to);
        let mut changes: Vec<OffsetChange> = last
            .into_iter()
            .chain(later)
            .map(|t| {
                let before = self.offset_at(t.timestamp() - jiff::SignedDuration::from_secs(1));
                self.change(t.timestamp(), before)
            })
            .collect();
        if changes.is_empty() {
            let epoch = jiff::Timestamp::UNIX_EPOCH;
            changes.push(self.change(epoch, self.offset_at(epoch)));
        }
        changes
    }

    fn offset_at(&self, at: jiff::Timestamp) -> UtcOffset {
        let seconds = self.tz.to_offset(at).seconds();
        UtcOffset::from_whole_seconds(seconds).unwrap_or(UtcOffset::UTC)
    }

    /// The change at `at` from the offset `before` to the one from then on.
    fn change(&self, at: jiff::Timestamp, before: UtcOffset) -> OffsetChange {
        let after = self.tz.to_offset_info(at);
        let local = OffsetDateTime::from_unix_timestamp(at.as_second())
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
            .to_offset(before);
        OffsetChange {
            local: PrimitiveDateTime::new(local.date(), local.time()),
            from: before,
            to: self.offset_at(at),
            abbreviation: after.abbreviation().to_owned(),
            daylight: after.dst().is_dst(),
        }
    }

    /// The zones a patient chooses from, by name, in order: the "Region/City" ones and UTC,
    /// then `self` if it is an older alias ("Asia/Calcutta") a browser gave us.
    pub fn choices(&self) -> Vec<String> {
        const REGIONS: [&str; 10] = [
            "Africa/",
            "America/",
            "Antarctica/",
            "Arctic/",
            "Asia/",
            "Atlantic/",
            "Australia/",
            "Europe/",
            "Indian/",
            "Pacific/",
        ];
        let mut names: Vec<String> = jiff::tz::db()
            .available()
            .map(|name| name.as_str().to_owned())
            .filter(|name| name == "UTC" || REGIONS.iter().any(|r| name.starts_with(r)))
            .collect();
        if !names.contains(&self.name) {
            names.push(self.name.clone());
        }
        names.sort();
        names
    }
}

/// A change of a zone's offset from UTC, as calendar files describe zones.
#[derive(Debug, Clone, PartialEq)]
pub struct OffsetChange {
    /// The wall-clock time it happens at, read in the offset before it.
    pub local: PrimitiveDateTime,
    pub from: UtcOffset,
    pub to: UtcOffset,
    /// "EST", or "+04" where the zone has no letters.
    pub abbreviation: String,
    pub daylight: bool,
}

fn instant(at: OffsetDateTime) -> jiff::Timestamp {
    jiff::Timestamp::from_second(at.unix_timestamp()).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// How times read to patients, in their zone and saying which, as each language writes them:
/// "Tue 4 March 2031, 10:00 a.m. EST"; "mardi 4 mars 2031, 10 h 00 (HNE)" (the Office québécois
/// de la langue française's 24-hour "h" and "1er", and the French names of North America's zones).
pub fn human(at: impl Into<OffsetDateTime>, zone: &Zone, language: Language) -> String {
    let local = instant(at.into()).to_zoned(zone.tz.clone());
    match language {
        Language::English => local
            .strftime("%a %-d %B %Y, %-I:%M %P %Z")
            .to_string()
            .replace(" am ", " a.m. ")
            .replace(" pm ", " p.m. "),
        Language::French => {
            const DAYS: [&str; 7] = [
                "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
            ];
            const MONTHS: [&str; 12] = [
                "janvier",
                "février",
                "mars",
                "avril",
                "mai",
                "juin",
                "juillet",
                "août",
                "septembre",
                "octobre",
                "novembre",
                "décembre",
            ];
            let day = DAYS[usize::from(local.weekday().to_monday_zero_offset() as u8)];
            let month = MONTHS[usize::from(local.month().unsigned_abs()) - 1];
            let abbreviation = local.strftime("%Z").to_string();
            // The first of a month is "1er", as French writes it.
            let date = match local.day() {
                1 => "1er".to_owned(),
                n => n.to_string(),
            };
            format!(
                "{day} {date} {month} {}, {} h {:02} ({})",
                local.year(),
                local.hour(),
                local.minute(),
                french_zone(&abbreviation).unwrap_or(&abbreviation),
            )
        }
    }
}

/// The French abbreviations of Canada's zones ("heure normale de l'Est": HNE).
fn french_zone(english: &str) -> Option<&'static str> {
    Some(match english {
        "NST" => "HNT",
        "NDT" => "HAT",
        "AST" => "HNA",
        "ADT" => "HAA",
        "EST" => "HNE",
        "EDT" => "HAE",
        "CST" => "HNC",
        "CDT" => "HAC",
        "MST" => "HNR",
        "MDT" => "HAR",
        "PST" => "HNP",
        "PDT" => "HAP",
        _ => return None,
    })
}

/// The same time for machines: RFC 3339 in UTC, as `<time datetime>` and calendars want it.
pub fn iso(at: impl Into<OffsetDateTime>) -> String {
    let at = at.into().to_offset(time::UtcOffset::UTC);
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    at.format(&format).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::*;

    #[test]
    fn times_read_in_the_patients_zone_across_daylight_saving() {
        let toronto = Zone::parse("America/Toronto").unwrap();
        let winter = time::macros::datetime!(2031-03-04 15:00 UTC);
        assert_eq!(
            human(winter, &toronto, Language::English),
            "Tue 4 March 2031, 10:00 a.m. EST"
        );
        // Clocks go forward on 9 March 2031: the same 15:00 UTC is 11:00 a.m. there.
        let spring = time::macros::datetime!(2031-03-10 15:00 UTC);
        assert_eq!(
            human(spring, &toronto, Language::English),
            "Mon 10 March 2031, 11:00 a.m. EDT"
        );
        let evening = time::macros::datetime!(2031-07-01 22:05 UTC);
        assert_eq!(
            human(evening, &toronto, Language::English),
            "Tue 1 July 2031, 6:05 p.m. EDT"
        );
        assert_eq!(
            human(winter, &Zone::utc(), Language::English),
            "Tue 4 March 2031, 3:00 p.m. UTC"
        );
        let kolkata = Zone::parse("Asia/Kolkata").unwrap();
        assert_eq!(
            human(winter, &kolkata, Language::English),
            "Tue 4 March 2031, 8:30 p.m. IST"
        );
    }

    #[test]
    fn french_times_read_as_in_quebec() {
        let toronto = Zone::parse("America/Toronto").unwrap();
        let french = |at| human(at, &toronto, Language::French);
        let winter = time::macros::datetime!(2031-03-04 15:00 UTC);
        assert_eq!(french(winter), "mardi 4 mars 2031, 10 h 00 (HNE)");
        let evening = time::macros::datetime!(2031-08-01 22:05 UTC);
        assert_eq!(french(evening), "vendredi 1er août 2031, 18 h 05 (HAE)");
        let winnipeg = Zone::parse("America/Winnipeg").unwrap();
        // Midnight, in a year whose rules are history, not plans.
        let midnight = time::macros::datetime!(2024-12-08 06:00 UTC);
        assert_eq!(
            human(midnight, &winnipeg, Language::French),
            "dimanche 8 décembre 2024, 0 h 00 (HNC)"
        );
        let kolkata = Zone::parse("Asia/Kolkata").unwrap();
        assert_eq!(
            human(winter, &kolkata, Language::French),
            "mardi 4 mars 2031, 20 h 30 (IST)"
        );
    }

    #[test]
    fn offset_changes_are_the_ones_around_a_time() {
        let toronto = Zone::parse("America/Toronto").unwrap();
        let winter = time::macros::datetime!(2031-03-04 15:00 UTC);
        let changes = toronto.offset_changes(winter, winter + Duration::hours(1));
        // Clocks went back at 2 a.m. daylight time on 3 November 2030.
        assert_eq!(
            changes,
            [OffsetChange {
                local: time::macros::datetime!(2030-11-03 02:00),
                from: time::macros::offset!(-4),
                to: time::macros::offset!(-5),
                abbreviation: "EST".into(),
                daylight: false,
            }]
        );
        assert_eq!(
            toronto.wall_clock(winter),
            time::macros::datetime!(2031-03-04 10:00)
        );
        // A visit across the spring change sees both.
        let night = time::macros::datetime!(2031-03-09 06:30 UTC);
        let across = toronto.offset_changes(night, night + Duration::hours(1));
        assert_eq!(across.len(), 2);
        assert_eq!(across[1].local, time::macros::datetime!(2031-03-09 02:00));
        assert_eq!(
            (across[1].to, across[1].daylight),
            (time::macros::offset!(-4), true)
        );

        let utc = Zone::utc().offset_changes(winter, winter);
        assert_eq!(utc.len(), 1);
        assert_eq!((utc[0].from, utc[0].to), (UtcOffset::UTC, UtcOffset::UTC));
    }

    #[test]
    fn only_real_zones_are_zones() {
        assert_eq!(
            Zone::parse(" Europe/Paris ").unwrap().name(),
            "Europe/Paris"
        );
        for bad in [
            "",
            "Mars/Olympus",
            "EST5EDT,M3.2.0",
            "../../etc/passwd",
            "Etc/Unknown",
        ] {
            assert!(Zone::parse(bad).is_none(), "{bad}");
        }
        for hidden in ["UTC", "Etc/GMT+5", "Etc/UTC"] {
            assert!(!Zone::parse(hidden).unwrap().is_a_place(), "{hidden}");
        }
        assert!(Zone::parse("America/Toronto").unwrap().is_a_place());
        let choices = Zone::utc().choices();
        assert!(choices.len() > 300);
        for listed in ["UTC", "America/Toronto", "Asia/Kolkata"] {
            assert!(choices.contains(&listed.to_owned()), "{listed}");
        }
        for legacy in ["US/Eastern", "EST5EDT", "Etc/GMT+5"] {
            assert!(!choices.contains(&legacy.to_owned()), "{legacy}");
        }
        let alias = Zone::parse("US/Eastern").unwrap();
        assert!(alias.choices().contains(&"US/Eastern".to_owned()));
    }
}
