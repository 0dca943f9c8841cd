## Creating a password: asking for a set-password link, and using it.

password-reset-title = Créer ou réinitialiser votre mot de passe
password-reset-heading = Créer ou réinitialiser votre mot de passe
password-reset-lead = Entrez l'adresse courriel de votre compte et nous vous enverrons un lien pour choisir un mot de passe.
password-reset-submit = M'envoyer un lien
password-reset-sent-heading = Consultez vos courriels
password-reset-sent = Si cette adresse correspond à un compte, nous y avons envoyé un lien pour choisir un mot de passe. Ce lien n'est utilisable qu'une fois, pendant { $minutes } minutes.
password-back-to-login = Retour à la connexion
password-new-title = Choisissez un mot de passe
password-new-heading = Choisissez un mot de passe
password-new-lead = Au moins { $min } caractères. Quelques mots sans lien entre eux forment un mot de passe solide et facile à retenir.
password-new-submit = Enregistrer le mot de passe et me connecter
password-saving = Enregistrement en cours…
password-spent-heading = Ce lien ne fonctionne plus
password-spent = Il a expiré ou a déjà été utilisé. Vous pouvez en demander un nouveau.
password-email-new = M'envoyer un nouveau lien
password-new-field = Nouveau mot de passe (au moins { $min } caractères)
password-confirm-field = Confirmation du nouveau mot de passe
password-reset-passkeys = Un nouveau mot de passe ne change rien à vos clés d'accès. Si vous avez perdu un appareil qui en contient une, retirez sa clé d'accès dans la page de votre compte.
