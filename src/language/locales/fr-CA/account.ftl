## /account: the patient's details, sign-in activity and browsers.

account-unknown-browser = Navigateur inconnu
