## Creating a password: asking for a set-password link, and using it.

password-reset-title = Create or reset your password
password-reset-heading = Create or reset your password
password-reset-lead = Enter the email address of your account and we will email you a link to choose a password.
password-reset-submit = Email me a link
password-reset-sent-heading = Check your email
password-reset-sent = If an account uses that address, we have sent it a link to choose a password. The link works once, for { $minutes } minutes.
password-back-to-login = Back to log in
password-new-title = Choose a password
password-new-heading = Choose a password
password-new-lead = At least { $min } characters. A few unrelated words make a strong password that is easy to remember.
password-new-submit = Save password and sign in
password-saving = Saving…
password-spent-heading = This link no longer works
password-spent = It has expired or was already used. You can ask for a new one.
password-email-new = Email me a new link
password-new-field = New password (at least { $min } characters)
password-confirm-field = Confirm the new password
password-reset-passkeys = A new password leaves your passkeys as they are. If you lost a device that holds one, remove its passkey on your account page.
