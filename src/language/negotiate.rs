//! Which of our languages a browser asks for, from its `Accept-Language` header.

use super::Language;

/// The first of our languages in the browser's order of preference (`q` weights honoured, `*`
/// and languages we do not speak skipped), if it names one. The header is hostile input: it is
/// read in bounded pieces, and a malformed piece is skipped.
pub fn from_accept_language(header: &str) -> Option<Language> {
    let mut best: Option<(Language, u16)> = None;
    for range in header.split(',').take(32) {
        let mut parts = range.split(';');
        let Some(language) = parts.next().and_then(Language::parse) else {
            continue;
        };
        let weight = parts
            .find_map(|param| param.trim().strip_prefix("q="))
            .map_or(Some(1000), quality)
            .unwrap_or(0);
        if weight > 0 && best.is_none_or(|(_, top)| weight > top) {
            best = Some((language, weight));
        }
    }
    best.map(|(language, _)| language)
}

/// A `q` value in thousandths (`0.8` is 800); `None` when it is not one.
fn quality(text: &str) -> Option<u16> {
    let value: f32 = text.trim().parse().ok()?;
    (0.0..=1.0)
        .contains(&value)
        .then(|| (value * 1000.0).round() as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Language::*;

    #[test]
    fn the_browsers_first_language_of_ours_wins() {
        assert_eq!(
            from_accept_language("fr-CA,fr;q=0.9,en;q=0.8"),
            Some(French)
        );
        assert_eq!(
            from_accept_language("en-US,en;q=0.9,fr;q=0.8"),
            Some(English)
        );
        // A language we do not speak is passed over for the next one.
        assert_eq!(from_accept_language("es-MX, fr;q=0.5"), Some(French));
        assert_eq!(from_accept_language("en;q=0.2, fr;q=0.7"), Some(French));
        assert_eq!(from_accept_language("FR"), Some(French));
    }

    #[test]
    fn nothing_of_ours_or_nonsense_picks_nothing() {
        for header in [
            "", "*", "de-DE", "es;q=1", "fr;q=0", "fr;q=2", ";;;,,,", "é",
        ] {
            assert_eq!(from_accept_language(header), None, "{header:?}");
        }
        // A garbled weight is read as no wish for that language, not as the strongest one.
        assert_eq!(from_accept_language("fr;q=abc, en;q=0.1"), Some(English));
    }
}
