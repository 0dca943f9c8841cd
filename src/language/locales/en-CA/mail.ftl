## Every email: its frame, and the emails of signing in.

mail-copy-address = If the button does not work, copy this address into your browser:
mail-footer = { $clinic } patient portal. This is an automated message; replies are not read.
mail-button-line = { $label }: { $url }
mail-hello = Hello { $name },
mail-unknown-browser = an unknown browser
browser-on-system = { $browser } on { $system }

mail-password-subject = Create your { $clinic } password
mail-password-preheader = Use this link within { $minutes } minutes to create your password.
mail-password-heading = Create your password
mail-password-invited = Your clinic has created a { $clinic } account for you. Choose a password with the button below; this also signs you in.
mail-password-for-link = You asked for a Secure Login Link. Those work once your account has a password, and yours does not have one yet. Create it with the button below; this also signs you in, and next time you can ask for a login link.
mail-password-requested = Someone asked to create or reset the password of your { $clinic } account. Choose a password with the button below; this also signs you in.
mail-password-button = Create password
mail-password-expires = This link works once and expires on { $when }.
mail-password-expires-after-arrival = This link works once, for { $minutes } minutes after this email arrives.
mail-password-ignore = If you didn't ask for this, you can ignore this email: your account stays as it is.

mail-link-subject = Your secure login link
mail-link-preheader = Log in to { $clinic } without a password. The link works for { $minutes } minutes.
mail-link-heading = Your secure login link
mail-link-intro = Click the button below to log in to { $clinic }. No password needed.
mail-link-button = Log In
mail-link-code-intro = Opening this email on another device? Enter this code on the screen where you asked for the link:
mail-link-expires = This link works once and expires in { $minutes } minutes, on { $when }.
mail-link-requested = It was requested on { $when } from { $browser }.
mail-link-requested-from = It was requested on { $when } from { $browser }, IP address { $ip }.
mail-link-staff = { $clinic } staff will never ask you for this code or this link. Do not share them.
mail-link-never-type = Never type a number that someone gives you by phone, text or email: only the number on your own screen, where you asked to log in.
mail-link-ignore = If you didn't ask for this, you can ignore this email.

mail-record-no-password = Your { $clinic } account has no password yet. The button below lets you create one, then takes you there.
mail-record-create-password = Create password and view

mail-appointment-subject = New appointment created
mail-appointment-heading = New appointment created
mail-appointment-booked = An appointment with { $clinician } has been booked for you on { $when }.
mail-appointment-button = View appointment

mail-appointment-moved-subject = Your appointment has changed
mail-appointment-moved = Your appointment with { $clinician } has been moved to { $when }. It was on { $from }.
mail-appointment-cancelled-subject = Your appointment was cancelled
mail-appointment-cancelled = Your appointment with { $clinician } was cancelled. It was on { $when }. Contact the clinic if you need a new one.

mail-form-subject = New form response
mail-form-heading = New form response
mail-form-preheader = Your answers to { $title }
mail-form-recorded = Your response to "{ $title }" has been recorded. You can read it in the portal.
mail-form-button = View form response

mail-passkey-added-heading = A passkey was added to your account
mail-passkey-added-text = The passkey { $name } was added to your { $clinic } account on { $when }. It signs in with a fingerprint, a face or a screen lock, without an email.
mail-passkey-added-not-you = Not you? Log in with a Secure Login Link, remove this passkey on your account page, then choose "Sign out everywhere".
mail-passkey-removed-heading = A passkey was removed from your account
mail-passkey-removed-text = The passkey { $name } was removed from your { $clinic } account on { $when }. It no longer signs in.
mail-passkey-removed-not-you = Not you? Log in with a Secure Login Link, choose "Sign out everywhere", then change your password.
mail-passkey-button = Review your passkeys
mail-passkey-link-stays = Secure Login Links always work, with or without passkeys.
