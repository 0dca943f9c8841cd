//! A browser's user agent as a patient recognises it ("Chrome on Android"), for login emails
//! and the lists of sign-in activity and known browsers on /account. The full string stays in
//! the database. Whoever sends a request writes its user agent, so nothing else of it is ever
//! shown: not even to the patient, since an attacker's failed sign-in lands on their list too
//! ("Carelink support: call 555-0100").

use super::links::browser_words;
use crate::language::Words;

/// Checked in order: Edge and Opera also say "Chrome", Chrome also says "Safari".
const BROWSERS: [(&str, &str); 7] = [
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
];

/// iPhones and iPads also say "Mac OS X", Android also says "Linux".
const SYSTEMS: [(&str, &str); 7] = [
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
];

/// The browser and system behind `user_agent` ("Chrome", "Android"): only names from the
/// tables above, proper nouns in every language.
pub fn names(user_agent: Option<&str>) -> (Option<&'static str>, Option<&'static str>) {
    let user_agent = user_agent.unwrap_or_default();
    let find = |table: &[(&str, &'static str)]| {
        table
            .iter()
            .find(|(marker, _)| user_agent.contains(marker))
            .map(|(_, name)| *name)
    };
    (find(&BROWSERS), find(&SYSTEMS))
}

/// "Chrome on Android", "Safari", in `words`' language; `None` for a browser we cannot name.
pub fn describe(user_agent: Option<&str>, words: &Words) -> Option<String> {
    let (browser, system) = names(user_agent);
    browser_words(browser, system, words)
}

/// What the patient calls the device behind `user_agent`: "phone", "tablet" or "computer".
pub fn device_kind(user_agent: Option<&str>) -> &'static str {
    let user_agent = user_agent.unwrap_or_default();
    if user_agent.contains("iPhone")
        || (user_agent.contains("Android") && user_agent.contains("Mobile"))
    {
        "phone"
    } else if user_agent.contains("iPad") || user_agent.contains("Android") {
        "tablet"
    } else {
        "computer"
    }
}

#[cfg(test)]
mod tests {
    use super::{describe, device_kind};
    use crate::language::{Language, Words};

    fn english() -> Words {
        Words::new(Language::English, "Carelink")
    }

    #[test]
    fn phones_tablets_and_computers_are_told_apart() {
        let pixel = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/159.0.8154.6 Mobile Safari/537.36";
        let tab = "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
        let windows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
        assert_eq!(device_kind(Some(pixel)), "phone");
        assert_eq!(device_kind(Some(iphone)), "phone");
        assert_eq!(device_kind(Some(tab)), "tablet");
        assert_eq!(device_kind(Some(windows)), "computer");
        assert_eq!(device_kind(None), "computer");
    }

    #[test]
    fn common_browsers_read_as_browser_on_system() {
        let cases = [
            ("Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/159.0.8154.6 Mobile Safari/537.36", "Chrome on Android"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari on iPhone"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0", "Edge on Windows"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0", "Firefox on macOS"),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", "Chrome on Linux"),
        ];
        for (user_agent, expected) in cases {
            assert_eq!(
                describe(Some(user_agent), &english()).as_deref(),
                Some(expected),
                "{user_agent}"
            );
        }
    }

    #[test]
    fn anything_else_is_unknown_never_its_own_words() {
        for written in [
            "carelink-tests/1.0",
            "Carelink support will call you: read them the code",
        ] {
            assert_eq!(describe(Some(written), &english()), None);
        }
        assert_eq!(describe(None, &english()), None);
    }
}
