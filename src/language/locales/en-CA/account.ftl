## /account: the patient's details, language, time zone, browsers and sign-in activity.

account-unknown-browser = Unknown browser
account-title = Your account
account-heading = Your account
account-profile = Profile
account-language = Language
account-language-lead = Pages on { $clinic } and our emails are in this language.
account-language-label = Your language
account-language-save = Save language
account-time-zone = Time zone
account-time-zone-lead = Times on { $clinic } and in our emails are shown in this time zone.
account-time-zone-label = Your time zone
account-time-zone-save = Save time zone
account-saving = Saving…
account-browsers = Your browsers
account-browsers-lead = A Secure Login Link opened in one of these browsers logs you in without a click. Forget any you no longer use.
account-this-browser = This browser
account-another-browser = Another browser
account-last-used = last used { $when }
account-forget = Forget
account-forgetting = Forgetting…
account-activity = Recent sign-in activity
account-change-password = Change password
account-current-password = Current password
account-changing = Changing…
account-sign-out-everywhere = Sign out everywhere
account-sign-out-everywhere-lead = Ends every session of your account, on this device and all others, and forgets every browser.

event-signed-in = Signed in with password
event-signed-in-with-link = Signed in with a Secure Login Link
event-signed-in-with-code = Signed in with the code from a login email
event-wrong-sign-in-code = Wrong sign-in code entered
event-sign-in-approved = Approved a sign-in on the browser that asked for a link
event-signed-in-by-approval = Signed in, approved from another device
event-wrong-approval-number = Wrong number typed to approve a sign-in: that link was cancelled
event-sign-in-failed = Failed sign-in attempt
event-signed-out = Signed out
event-signed-out-everywhere = Signed out on every device
event-password-changed = Password changed
event-password-set = Password created
event-browser-forgotten = A browser was forgotten
event-signed-in-by-testing-api = Signed in by the testing API (a test patient)

account-passkeys = Your passkeys
account-passkeys-lead = A passkey signs you in from the login page with your fingerprint, your face or your device's screen lock, with no email to wait for. Remove any you no longer use: removing one also ends the sessions it started.
account-passkeys-none = You have no passkeys yet.
account-passkey-added = added { $when }
account-passkey-last-used = last used { $when }
account-passkey-never-used = never used
account-passkey-synced = synced by its provider
account-passkey-new-name = New name for the passkey { $name }
account-passkey-rename = Rename
account-passkey-remove = Remove the passkey { $name }
account-remove = Remove
account-removing = Removing…
account-sign-out-everywhere-passkeys = Your passkeys keep working after this. If you lose a device that holds one, remove its passkey above.
event-signed-in-with-passkey = Signed in with a passkey
event-passkey-added = Passkey added
event-passkey-removed = Passkey removed

## Passkeys: the offer after a sign-in by link, and adding one on /account.

passkey-offer-title = Sign in faster next time
passkey-offer-text = Save a passkey on this device: next time, sign in with your fingerprint, your face or your screen lock instead of waiting for an email. Nobody can use it without your device, and there is nothing to remember.
passkey-offer-links-stay = Secure Login Links keep working whenever you need one.
passkey-offer-save = Save a passkey
passkey-offer-not-now = Not now
passkey-add = Add a passkey
passkey-add-failed = The passkey was not saved. Please try again.
passkey-already-here = This device already holds a passkey for your account.
passkey-saved = Passkey saved ({ $name }). Next time, choose "Sign in with a passkey" on the login page.
passkey-renamed = Passkey renamed to { $name }.
passkey-removed = Passkey removed. It no longer signs you in.
passkey-default-name = Passkey
