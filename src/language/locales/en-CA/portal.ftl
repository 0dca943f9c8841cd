## The frame of every page: header, language switch, help, and notices after a form.

portal-skip-to-main = Skip to main content
portal-nav-label = Main
portal-nav-appointments = Appointments
portal-nav-account = Account
portal-sign-out = Sign out
portal-signing-out = Signing out…
portal-help-heading = Need a hand?
portal-help-lead = Your clinic can help you log in or answer questions about your account:
portal-help-ask-clinic = Contact your clinic: they can help you log in or answer questions about your account.
portal-loading = Loading…
portal-sign-in = Sign in

notice-password-link-sent = If an account uses that address, we have sent it a link.
notice-password-changed = Password changed. You have been signed out on every other device. Below, under "Your browsers", forget any browser you no longer use: a login link opened there still logs in without a click.
notice-time-zone-set = Times are now shown in { $zone }.
notice-browser-forgotten = Browser forgotten: a login link opened there will ask for a click.

idle-title = Are you still there?
idle-text = For your safety, you will be signed out in { $warn } minutes: { $minutes } minutes without activity is the limit. Choose “Stay signed in” to keep working.
idle-stay = Stay signed in
login-session-ended = For your safety, you were signed out after a while without activity. Log in again to return to the page you were on.
