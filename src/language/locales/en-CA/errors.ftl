## Why something was refused, and what to do instead.

error-not-signed-in = Your session has ended. Please sign in again.
error-busy = { $clinic } is very busy right now. Please try again in a few seconds.
error-cannot-save = { $clinic } cannot save anything right now, so nothing was changed. Please try again later; if it keeps happening, tell your clinic.
error-internal = Something went wrong on our side. Please try again in a moment.
error-unreachable = We could not reach { $clinic }. Check your connection and try again.
error-garbled-form = This form arrived incomplete or garbled, so nothing was done. Reload the page and try again.
error-other-site = This request came from another website, so { $clinic } refused it. Open { $clinic } directly and try again.
error-passwords-differ = The passwords do not match.
error-new-passwords-differ = The new passwords do not match.
error-choose-time-zone = Choose a time zone from the list.
error-choose-language = Choose English or French.

error-incorrect-credentials = Incorrect email or password
error-wrong-current-password = Your current password is not correct.
error-link-spent = This login link has already been used or has expired. Ask for a new one.
error-link-invalid = This link is not valid. Enter your email on the login page to get a new one.
error-password-link-spent = This link has expired or was already used. Ask for a new one below.
error-code-refused = That code did not work. Use the code from the newest { $clinic } email, in the browser where you asked for the link, or ask for a new link.
error-wrong-approval-number = That was not the number on the other screen, so for your safety this link no longer works. If it was you who asked, ask for a new link there.
error-approval-unavailable = To keep your account safe, this link cannot log in another browser now. Log in here instead, or type the code from the email where you asked.
error-nothing-waiting = No log in is waiting on this screen any more: its link was used, cancelled or has expired. Ask for a new link to log in.
error-not-approved-yet = No approval has arrived yet. On your phone, open the email, tap "Log In", choose to log in the browser that asked, then type the number shown here.
error-unknown-browser = That browser is not on your list any more.
error-too-many-requests = Too many requests from your network. Please try again in { $minutes ->
        [one] 1 minute
       *[other] { $minutes } minutes
    }.
error-too-many-attempts = Too many wrong passwords. For your safety, please try again in { $minutes ->
        [one] 1 minute
       *[other] { $minutes } minutes
    }.

error-email-empty = Enter your email address.
error-email-too-long = That email address is too long.
error-email-invalid = Enter an email address like name@example.com.
error-not-a-code = Enter the 8-digit code from your email.
error-not-a-number = Type the two-digit number shown on the screen where you asked to log in.

error-password-too-short = Use at least { $min } characters.
error-password-too-long = Use at most { $max } characters.
error-password-common = That is one of the most common passwords, so it is easy to guess. Choose another: a few unrelated words make a strong one.
error-password-weak = That password would be easy to guess: { $why ->
        [personal] it contains your name or email address
        [keyboard] it follows a row or pattern of keys on the keyboard
        [repeats] it repeats the same characters
        [sequence] it is a sequence like abcd or 1234
        [date] it contains a date or a year
        [common] it is, or is close to, a commonly used password
        [word] it is a single word or name, which is among the first guesses
       *[predictable] it follows a pattern that guessing tools try early
    }. Choose another: three or four unrelated words make a strong one that is easy to remember.
error-passkeys-unavailable = Passkeys are not available on this portal. Use a Secure Login Link instead.
error-passkey-refused = Signing in with that passkey did not work. Try again, or use a Secure Login Link.
error-passkey-not-saved = Your passkey was not saved. Please try again.
error-passkey-already-saved = This passkey is already saved.
error-unknown-passkey = That passkey is not on your account any more.
error-passkey-name = Give the passkey a name of 1 to { $max } characters, on one line.
error-sign-in-again = To add a passkey, log in again first: it needs a sign-in from the last { $minutes } minutes.
error-too-many-passkeys = Your account already has { $most } passkeys, the most it can hold. Remove one you no longer use first.
