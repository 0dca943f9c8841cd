//! Whether a password a patient chooses would be among the first guesses: the length rules, the
//! most common passwords, then Dropbox's zxcvbn estimator, told the patient's own name and
//! address so that "pat.morgan.1990" counts as the guess it is. A refusal says why, in words a
//! patient can act on (`rules::Weakness`).

use zxcvbn::{feedback::Warning, Score};

use super::{
    common,
    rules::{Password, PasswordError, Weakness},
};

/// zxcvbn's "safely unguessable": about 10^10 guesses, far past what rate limits allow online
/// and costly offline against argon2id.
const STRONG_ENOUGH: Score = Score::Three;

/// Only this much of a long password is judged: the estimator's time grows faster than the
/// length, and 64 characters that pass are strong whatever follows them.
const JUDGED_CHARS: usize = 64;

/// What a patient chose, if it would not be among the first guesses. `personal`: what the
/// patient's password must not be made of (their address, their name), whole and word by word.
pub fn choose(input: String, personal: &[&str]) -> Result<Password, PasswordError> {
    let password = Password::parse(input)?;
    if common::is_common(&password) {
        return Err(PasswordError::Common);
    }
    let judged: String = password.expose().chars().take(JUDGED_CHARS).collect();
    // Each detail whole, run together ("patmorgan"), and word by word ("pat", "morgan"); of an
    // address, its own part: "example.org" is not about the patient, and "org" is in "organic".
    let mut words: Vec<String> = Vec::new();
    for detail in personal {
        words.push(detail.to_lowercase());
        let own = detail.split('@').next().unwrap_or(detail);
        let is_separator = |c: char| !c.is_alphanumeric();
        words.push(own.replace(is_separator, "").to_lowercase());
        words.extend(own.split(is_separator).map(str::to_lowercase));
    }
    words.retain(|word| word.chars().count() >= 3);
    let mut inputs: Vec<&str> = words.iter().map(String::as_str).collect();
    inputs.push("carelink");
    let estimate = zxcvbn::zxcvbn(&judged, &inputs);
    // The patient's own details with a few characters around them ("patmorgan1990!") are a
    // first guess for anyone who knows whose account it is: what is left must be strong alone.
    let lowercase = judged.to_lowercase();
    let rest = words.iter().fold(lowercase.clone(), |rest, word| {
        rest.replace(word.as_str(), " ")
    });
    let rest = rest.trim();
    if rest != lowercase && (rest.is_empty() || zxcvbn::zxcvbn(rest, &[]).score() < STRONG_ENOUGH) {
        return Err(PasswordError::Weak(Weakness::PersonalDetails));
    }
    if estimate.score() >= STRONG_ENOUGH {
        return Ok(password);
    }
    let warning = estimate.feedback().and_then(|feedback| feedback.warning());
    Err(PasswordError::Weak(weakness(warning)))
}

fn weakness(warning: Option<Warning>) -> Weakness {
    match warning {
        Some(
            Warning::StraightRowsOfKeysAreEasyToGuess
            | Warning::ShortKeyboardPatternsAreEasyToGuess,
        ) => Weakness::KeyboardPattern,
        Some(
            Warning::RepeatsLikeAaaAreEasyToGuess
            | Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess,
        ) => Weakness::Repeats,
        Some(Warning::SequencesLikeAbcAreEasyToGuess) => Weakness::Sequence,
        Some(Warning::RecentYearsAreEasyToGuess | Warning::DatesAreOftenEasyToGuess) => {
            Weakness::Date
        }
        Some(
            Warning::ThisIsATop10Password
            | Warning::ThisIsATop100Password
            | Warning::ThisIsACommonPassword
            | Warning::ThisIsSimilarToACommonlyUsedPassword,
        ) => Weakness::CommonPassword,
        Some(
            Warning::AWordByItselfIsEasyToGuess
            | Warning::NamesAndSurnamesByThemselvesAreEasyToGuess
            | Warning::CommonNamesAndSurnamesAreEasyToGuess,
        ) => Weakness::SingleWord,
        None => Weakness::Predictable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choose_for_pat(password: &str) -> Result<Password, PasswordError> {
        choose(password.into(), &["pat.morgan@example.org", "Pat Morgan"])
    }

    #[test]
    fn passwords_that_only_meet_the_length_are_refused_with_a_reason() {
        for (weak, why) in [
            ("password1234", Weakness::CommonPassword),
            ("123456789012", Weakness::Sequence),
            ("aaaaaaaaaaaa", Weakness::Repeats),
            ("abcdefghijklmn", Weakness::Sequence),
            ("qwertyuiop[]", Weakness::KeyboardPattern),
            ("patmorgan1990", Weakness::PersonalDetails),
            ("Pat.Morgan@example.org", Weakness::PersonalDetails),
            ("pat.morgan@example", Weakness::PersonalDetails),
            ("morgan2031!!", Weakness::PersonalDetails),
        ] {
            assert_eq!(
                choose_for_pat(weak).err(),
                Some(PasswordError::Weak(why)),
                "{weak}"
            );
        }
    }

    #[test]
    fn a_few_unrelated_words_are_strong_enough() {
        for strong in [
            "correct horse battery staple",
            "a long and happy passphrase",
            "Maple syrup on the 401, twice",
            "Grüße aus Montréal, 7 fois",
            "pat likes maple syrup in winter",
            "example organic compost, twice",
        ] {
            assert!(choose_for_pat(strong).is_ok(), "{strong}");
        }
    }

    #[test]
    fn the_length_rules_and_the_common_list_come_first() {
        assert_eq!(
            choose_for_pat("short").unwrap_err(),
            PasswordError::TooShort
        );
        assert_eq!(
            choose_for_pat("qwerty123456").unwrap_err(),
            PasswordError::Common
        );
    }

    #[test]
    fn refusals_read_as_advice() {
        let told = PasswordError::Weak(Weakness::PersonalDetails).to_string();
        assert_eq!(
            told,
            "That password would be easy to guess: it contains your name or email address. \
             Choose another: three or four unrelated words make a strong one that is easy to \
             remember."
        );
    }
}
