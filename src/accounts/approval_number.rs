//! The two-digit number that ties a phone's approval to the screen that asked for the link.
//!
//! The asking browser's "Check your email" screen shows the number; the phone that opened the
//! link offers it among three and the patient taps the one they see. Someone who asked for a link
//! to a patient's address (an attacker) sees their own number, but the patient does not, so a tap
//! made without looking has two chances in three of being wrong, and a wrong tap voids the link.
//!
//! The number is derived from the asking browser's pending-request cookie, a new secret for each
//! request that only that browser holds (the server keeps its hash alone), so the screen needs
//! nothing stored to show it and nobody else can work it out. The three choices are drawn once,
//! when the link is issued, and stored with it, so reopening the phone's page shows the same
//! three in the same order (drawing afresh would give the right one away as the one that stays).

use sha2::{Digest, Sha256};

/// Two digits, 10 to 99: read at a glance, and never a leading zero to misread.
const LOWEST: u8 = 10;
const SPAN: u8 = 90;
const CHOICES: usize = 3;

/// A number that could be on a screen: 10 to 99.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApprovalNumber(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Tap one of the numbers shown.")]
pub struct NotANumber;

impl ApprovalNumber {
    /// The number shown by the browser holding `pending_cookie`.
    pub fn for_request(pending_cookie: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"carelink approval number\0");
        hasher.update(pending_cookie.as_bytes());
        let digest = hasher.finalize();
        let n = u16::from_be_bytes([digest[0], digest[1]]);
        Self(LOWEST + (n % u16::from(SPAN)) as u8)
    }

    /// What a phone's form posted: one of the numbers it showed, if it is a number at all.
    pub fn parse(input: &str) -> Result<Self, NotANumber> {
        match input.trim().parse::<u8>() {
            Ok(n) if (LOWEST..LOWEST + SPAN).contains(&n) => Ok(Self(n)),
            _ => Err(NotANumber),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// This number and two others, all different, in a random order: what the phone offers.
    pub fn among_decoys(self) -> Vec<u8> {
        let mut choices = vec![self.0];
        while choices.len() < CHOICES {
            let n = LOWEST + random_below(SPAN);
            if !choices.contains(&n) {
                choices.push(n);
            }
        }
        // Fisher-Yates, so the right number is as likely in any place.
        for i in (1..CHOICES).rev() {
            choices.swap(i, usize::from(random_below(i as u8 + 1)));
        }
        choices
    }
}

/// A uniform draw from `0..bound` from the OS random generator.
fn random_below(bound: u8) -> u8 {
    let limit = u8::MAX - u8::MAX % bound;
    loop {
        let mut byte = [0u8; 1];
        getrandom::fill(&mut byte).expect("the OS random generator works");
        if byte[0] < limit {
            return byte[0] % bound;
        }
    }
}

/// The choices as stored: "37 82 15".
pub fn store_choices(choices: &[u8]) -> String {
    let numbers: Vec<String> = choices.iter().map(u8::to_string).collect();
    numbers.join(" ")
}

/// The choices a stored text holds (anything unreadable in it is skipped).
pub fn read_choices(stored: &str) -> Vec<u8> {
    stored.split(' ').filter_map(|n| n.parse().ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_always_shows_the_same_two_digit_number() {
        let a = ApprovalNumber::for_request("pending-a");
        assert_eq!(a, ApprovalNumber::for_request("pending-a"));
        for n in 0..500 {
            let number = ApprovalNumber::for_request(&format!("pending-{n}")).get();
            assert!((10..=99).contains(&number), "{number}");
        }
    }

    #[test]
    fn the_choices_hold_the_number_and_two_other_distinct_ones_in_any_place() {
        let number = ApprovalNumber::parse("37").unwrap();
        let mut places = [0; 3];
        for _ in 0..300 {
            let choices = number.among_decoys();
            assert_eq!(choices.len(), 3);
            assert!(choices.iter().all(|n| (10..=99).contains(n)));
            let mut distinct = choices.clone();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(distinct.len(), 3, "{choices:?}");
            places[choices.iter().position(|&n| n == 37).unwrap()] += 1;
            assert_eq!(read_choices(&store_choices(&choices)), choices);
        }
        // Uniform would be 100 each: each place must at least be used often.
        assert!(places.iter().all(|&count| count > 50), "{places:?}");
    }

    #[test]
    fn only_two_digit_numbers_parse() {
        assert_eq!(ApprovalNumber::parse(" 42 ").unwrap().get(), 42);
        for bad in ["", "9", "100", "-5", "4 2", "forty", "255", "256"] {
            assert_eq!(ApprovalNumber::parse(bad), Err(NotANumber), "{bad}");
        }
    }
}
