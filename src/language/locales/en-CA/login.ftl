## /login, "Check your email", and the page a Secure Login Link opens.

login-title = Log in
login-heading = Log in to { $clinic }
login-lead = Enter your email and we will send you a Secure Login Link: no password needed.
login-email = Email address
login-send-link = Send Secure Login Link
login-send-link-phone = Sign in without password
login-sending = Sending…
login-with-password = Log in with your password instead
login-password = Password
login-log-in = Log in
login-logging-in = Logging in…
login-forgot-password = Forgot password?

check-title = Check your email
check-heading = Check your email
check-sent-new = We have sent a new Secure Login Link to { $address }.
check-sent-if = If { $address } belongs to a { $clinic } account, we have sent it a Secure Login Link.
check-sent-typed = We have sent a Secure Login Link to the address you typed.
check-wrong-address = Wrong address?
check-use-different = Use a different email
check-open-mailbox = Open { $mailbox }
check-step-open = Open the email from { $clinic } in your mail app.
check-step-tap = Tap the { $button } button. You will land on your appointments.
check-link-works = The link works once, for { $minutes } minutes.
check-once-a-minute = You asked several times within a minute. We send at most one email a minute to an address, so the first one is the one to look for; if nothing has arrived, check your spam folder.
check-spam = Nothing after a few minutes? Check your spam folder.
check-on-phone = Opening the email on your phone?
check-in-another-app = Opening the email in another app?
check-code-heading = Have a code? Enter it here
check-code-lead = Or type the 8-digit code from the email here, if you opened it on another device.
check-code-label = Sign-in code
check-code-placeholder = 8 digits
check-code-submit = Log In with code
check-send-again = Send again
check-send-again-in = Send again in { $seconds } s
check-waiting-by-itself = This screen will log you in by itself.
check-waiting-press = Then press “I approved it, continue” below.
check-how-on-phone = On your phone, open the email, tap { $button }, choose { $choice } and type { $number }.
check-how-in-email = In the email, tap { $button }, choose { $choice } and type { $number }.
check-your-number = Your number
check-number-works = It works for { $minutes } minutes. Type it only on your own device: never read it out or give it to anyone, even someone who says they are from your clinic.
check-too-late = Logging in from your phone works for { $minutes } minutes after asking. If you approved it in time:
check-otherwise = Otherwise use the code from the email below, or ask for a new link.
check-waiting-for-phone = Waiting for your phone…
check-approved-continue = I approved it, continue

link-log-in-as = Log in as { $account }
link-logging-you-in = Logging you in…
link-button = Log In
link-on-this-phone = Log in on this phone
link-on-this-tablet = Log in on this tablet
link-on-this-computer = Log in on this computer
link-on-the-computer = Log in on the computer that asked
link-on-the-browser = Log in on the browser that asked
link-or = or
link-approval-off = To keep your account safe, this link cannot log in another browser now: it was asked for more than a few minutes ago, a wrong number was typed today, or two devices asked. Log in here, or type the code from the email where you asked.
link-approved-heading = Approved
link-approved = Done. The browser that asked is logging in as { $account } and will show your page in a moment. You can close this one.
link-used-heading = This link has already been used
link-used = Each Secure Login Link works once. Ask for a new one to log in as { $account }.
link-expired-heading = This link has expired
link-expired = Secure Login Links work for a limited time. Ask for a new one to log in as { $account }.
link-cancelled-heading = Login cancelled
link-cancelled = Nothing was logged in. Logging in another browser from your phone is off until tomorrow; the email's other ways to log in still work with a new link.
link-go-to-login = Go to log in
link-invalid-heading = This link is not valid
link-invalid = It may be incomplete, or a newer link replaced it. You can ask for a new one.
link-email-new = Email me a new link
link-another-way = Log in another way
link-never-type-strong = Never type a number that someone gives you
link-never-type = by phone, text or email, even if they say they are from your clinic: it would let them into your account. { $clinic } staff never ask for it.
link-as-on = Log in as { $account } on { $asker }, only if you asked there yourself, just now.
link-number-on-computer = The number on the screen of the computer that asked
link-number-on-browser = The number on the screen of the browser that asked
link-wrong-number-warning = A wrong number cancels this link, and logging in another browser from your phone stays off until tomorrow.
link-log-in-there = Log in there
link-here-instead-phone = Log in on this phone instead
link-here-instead-tablet = Log in on this tablet instead
link-here-instead-computer = Log in on this computer instead

asker = { $browser }, { $minutes ->
        [0] just now
        [one] 1 minute ago
       *[other] { $minutes } minutes ago
    }
asker-near = { $browser }, near { $place }, { $minutes ->
        [0] just now
        [one] 1 minute ago
       *[other] { $minutes } minutes ago
    }
asker-a-browser = A browser

passkey-or = or
passkey-sign-in = Sign in with a passkey
passkey-sign-in-hint = With your fingerprint, your face or your screen lock, on this device or on your phone. You can save a passkey the next time you log in with a Secure Login Link.
passkey-sign-in-failed = Signing in with a passkey did not work. Try again, or use a Secure Login Link.
