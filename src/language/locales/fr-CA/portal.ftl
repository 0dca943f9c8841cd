## The frame of every page: header, language switch, help, and notices after a form.

portal-skip-to-main = Aller au contenu principal
portal-nav-label = Menu principal
portal-nav-appointments = Rendez-vous
portal-nav-account = Compte
portal-sign-out = Se déconnecter
portal-signing-out = Déconnexion…
portal-help-heading = Besoin d'aide?
portal-help-lead = Votre clinique peut vous aider à vous connecter ou répondre à vos questions sur votre compte :
portal-help-ask-clinic = Communiquez avec votre clinique : elle peut vous aider à vous connecter ou répondre à vos questions sur votre compte.
portal-loading = Chargement…
portal-sign-in = Se connecter

notice-password-link-sent = Si un compte utilise cette adresse, nous lui avons envoyé un lien.
notice-password-changed = Mot de passe modifié. Vous avez été déconnecté de tous vos autres appareils. Ci-dessous, sous « Vos navigateurs », oubliez tout navigateur que vous n'utilisez plus : un lien de connexion ouvert là-bas connecte encore sans clic.
notice-time-zone-set = Les heures sont maintenant affichées selon le fuseau { $zone }.
notice-browser-forgotten = Navigateur oublié : un lien de connexion ouvert là-bas demandera un clic.
