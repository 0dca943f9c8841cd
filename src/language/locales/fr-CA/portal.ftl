## The frame of every page: header, language switch, help, and notices after a form.

portal-skip-to-main = Aller au contenu principal
portal-nav-label = Menu principal
portal-nav-appointments = Rendez-vous
portal-nav-account = Compte
portal-sign-out = Se déconnecter
portal-signing-out = Déconnexion en cours…
portal-help-heading = Besoin d'aide?
portal-help-lead = Votre clinique peut vous aider à vous connecter ou répondre à vos questions sur votre compte :
portal-help-ask-clinic = Communiquez avec votre clinique : elle peut vous aider à vous connecter ou répondre à vos questions sur votre compte.
portal-loading = Chargement…
portal-sign-in = Se connecter

notice-password-link-sent = Si cette adresse correspond à un compte, nous y avons envoyé un lien.
notice-password-changed = Mot de passe modifié. Vos sessions ont été fermées sur tous vos autres appareils. Dans la section « Vos navigateurs » ci-dessous, oubliez tout navigateur que vous n'utilisez plus : un lien de connexion ouvert dans ce navigateur vous connecte encore sans aucun clic.
notice-time-zone-set = Les heures sont maintenant affichées selon le fuseau { $zone }.
notice-browser-forgotten = Navigateur oublié : un lien de connexion ouvert dans ce navigateur demandera un clic.

idle-title = Êtes-vous toujours là?
idle-text = Pour votre sécurité, votre session sera fermée dans { $warn } minutes : la limite est de { $minutes } minutes d'inactivité. Choisissez « Garder ma session ouverte » pour continuer.
idle-stay = Garder ma session ouverte
login-session-ended = Pour votre sécurité, votre session a été fermée après une période d'inactivité. Connectez-vous de nouveau pour revenir à la page où vous étiez.
