## /account: the patient's details, language, time zone, browsers and sign-in activity.

account-unknown-browser = Navigateur inconnu
account-title = Votre compte
account-heading = Votre compte
account-profile = Profil
account-language = Langue
account-language-lead = Cette langue est utilisée pour les pages du portail { $clinic } et pour nos courriels.
account-language-label = Votre langue
account-language-save = Enregistrer la langue
account-time-zone = Fuseau horaire
account-time-zone-lead = Les heures affichées dans le portail { $clinic } et dans nos courriels suivent ce fuseau horaire.
account-time-zone-label = Votre fuseau horaire
account-time-zone-save = Enregistrer le fuseau horaire
account-saving = Enregistrement en cours…
account-browsers = Vos navigateurs
account-browsers-lead = Un lien de connexion sécurisé ouvert dans l'un de ces navigateurs vous connecte sans aucun clic. Oubliez ceux que vous n'utilisez plus.
account-this-browser = Ce navigateur
account-another-browser = Un autre navigateur
account-last-used = dernière utilisation le { $when }
account-forget = Oublier
account-forgetting = Retrait en cours…
account-activity = Activité de connexion récente
account-change-password = Changer le mot de passe
account-current-password = Mot de passe actuel
account-changing = Modification en cours…
account-sign-out-everywhere = Se déconnecter de tous les appareils
account-sign-out-everywhere-lead = Met fin à toutes les sessions de votre compte, sur cet appareil et tous les autres, et oublie tous les navigateurs.

event-signed-in = Connexion avec mot de passe
event-signed-in-with-link = Connexion avec un lien de connexion sécurisé
event-signed-in-with-code = Connexion avec le code reçu par courriel
event-wrong-sign-in-code = Code de connexion erroné
event-sign-in-approved = Connexion approuvée pour le navigateur qui avait demandé un lien
event-signed-in-by-approval = Connexion approuvée à partir d'un autre appareil
event-wrong-approval-number = Numéro erroné tapé pour approuver une connexion : le lien a été annulé
event-sign-in-failed = Tentative de connexion échouée
event-signed-out = Déconnexion
event-signed-out-everywhere = Déconnexion sur tous les appareils
event-password-changed = Mot de passe modifié
event-password-set = Mot de passe créé
event-browser-forgotten = Navigateur oublié
event-signed-in-by-testing-api = Connexion par l'API de test (compte de test)

account-passkeys = Vos clés d'accès
account-passkeys-lead = Une clé d'accès vous connecte depuis la page de connexion avec votre empreinte digitale, votre visage ou le verrouillage d'écran de votre appareil, sans attendre de courriel. Retirez celles que vous n'utilisez plus : retirer une clé met aussi fin aux sessions ouvertes avec elle.
account-passkeys-none = Vous n'avez pas encore de clé d'accès.
account-passkey-added = ajoutée le { $when }
account-passkey-last-used = dernière utilisation le { $when }
account-passkey-never-used = jamais utilisée
account-passkey-synced = synchronisée par son fournisseur
account-passkey-new-name = Nouveau nom de la clé d'accès { $name }
account-passkey-rename = Renommer
account-passkey-remove = Retirer la clé d'accès { $name }
account-remove = Retirer
account-removing = Retrait en cours…
account-sign-out-everywhere-passkeys = Vos clés d'accès continuent de fonctionner après cette action. Si vous perdez un appareil qui en contient une, retirez sa clé d'accès ci-dessus.
event-signed-in-with-passkey = Connexion avec une clé d'accès
event-passkey-added = Clé d'accès ajoutée
event-passkey-removed = Clé d'accès retirée

## Passkeys: the offer after a sign-in by link, and adding one on /account.

passkey-offer-title = Connectez-vous plus vite la prochaine fois
passkey-offer-text = Enregistrez une clé d'accès sur cet appareil : la prochaine fois, vous pourrez vous connecter avec votre empreinte digitale, votre visage ou le verrouillage de votre écran au lieu d'attendre un courriel. Personne ne peut l'utiliser sans votre appareil, et vous n'avez rien à retenir.
passkey-offer-links-stay = Les liens de connexion sécurisés restent disponibles chaque fois que vous en avez besoin.
passkey-offer-save = Enregistrer une clé d'accès
passkey-offer-not-now = Pas maintenant
passkey-add = Ajouter une clé d'accès
passkey-add-failed = La clé d'accès n'a pas été enregistrée. Veuillez réessayer.
passkey-already-here = Cet appareil contient déjà une clé d'accès pour votre compte.
passkey-saved = Clé d'accès enregistrée ({ $name }). La prochaine fois, choisissez « Se connecter avec une clé d'accès » sur la page de connexion.
passkey-renamed = Clé d'accès renommée : { $name }.
passkey-removed = Clé d'accès retirée. Elle ne permet plus de vous connecter.
passkey-default-name = Clé d'accès
