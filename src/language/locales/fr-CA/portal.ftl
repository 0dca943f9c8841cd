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

notice-password-link-sent = Si un compte utilise cette adresse, nous avons envoyé un lien à cette adresse.
notice-password-changed = Mot de passe modifié. Vos sessions ont été fermées sur tous vos autres appareils. Ci-dessous, sous « Vos navigateurs », oubliez tout navigateur que vous n'utilisez plus : un lien de connexion ouvert dans ce navigateur vous connecte encore sans aucun clic.
notice-time-zone-set = Les heures sont maintenant affichées selon le fuseau { $zone }.
notice-browser-forgotten = Navigateur oublié : un lien de connexion ouvert dans ce navigateur demandera un clic.

idle-title = Êtes-vous toujours là?
idle-text = Pour votre sécurité, votre session sera fermée dans { $warn } minutes : la limite est de { $minutes } minutes sans activité. Choisissez « Rester connecté » pour continuer.
idle-stay = Rester connecté
login-session-ended = Pour votre sécurité, votre session a été fermée après un moment sans activité. Connectez-vous de nouveau pour revenir à la page où vous étiez.
