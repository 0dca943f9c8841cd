## /login, "Check your email", and the page a Secure Login Link opens.

login-title = Connexion
login-heading = Connexion au portail { $clinic }
login-lead = Entrez votre courriel et nous vous enverrons un lien de connexion sécurisé : aucun mot de passe requis.
login-email = Adresse courriel
login-send-link = Envoyer le lien de connexion sécurisé
login-send-link-phone = Se connecter sans mot de passe
login-sending = Envoi en cours…
login-with-password = Se connecter plutôt avec un mot de passe
login-password = Mot de passe
login-log-in = Se connecter
login-logging-in = Connexion en cours…
login-forgot-password = Mot de passe oublié?

check-title = Consultez vos courriels
check-heading = Consultez vos courriels
check-sent-new = Nous avons envoyé un nouveau lien de connexion sécurisé à { $address }.
check-sent-if = Si { $address } correspond à un compte du portail { $clinic }, nous avons envoyé un lien de connexion sécurisé à cette adresse.
check-sent-typed = Nous avons envoyé un lien de connexion sécurisé à l'adresse que vous avez entrée.
check-wrong-address = Mauvaise adresse?
check-use-different = Utiliser une autre adresse
check-open-mailbox = Ouvrir { $mailbox }
check-step-open = Ouvrez le courriel du portail { $clinic } dans votre application de courriel.
check-step-tap = Touchez le bouton { $button }. Vos rendez-vous s'afficheront.
check-link-works = Le lien n'est utilisable qu'une fois, pendant { $minutes } minutes.
check-once-a-minute = Comme nous n'envoyons pas plus d'un courriel par minute à une même adresse, c'est le premier qu'il faut chercher. Si vous n'avez rien reçu, vérifiez votre dossier de courrier indésirable.
check-spam = Rien après quelques minutes? Vérifiez votre dossier de courrier indésirable.
check-on-phone = Vous ouvrez le courriel sur votre téléphone?
check-in-another-app = Vous ouvrez le courriel dans une autre application?
check-code-heading = Vous avez un code? Entrez-le ici
check-code-lead = Ou tapez ici le code à 8 chiffres du courriel, si vous l'avez ouvert sur un autre appareil.
check-code-label = Code de connexion
check-code-placeholder = 8 chiffres
check-code-submit = Se connecter avec le code
check-send-again = Renvoyer
check-send-again-in = Renvoyer dans { $seconds } s
check-waiting-by-itself = La connexion se fera automatiquement sur cet écran.
check-waiting-press = Appuyez ensuite sur « J'ai approuvé la connexion, continuer » ci-dessous.
check-how-on-phone = Sur votre téléphone, ouvrez le courriel, touchez { $button }, choisissez { $choice } et tapez { $number }.
check-how-in-email = Dans le courriel, touchez { $button }, choisissez { $choice } et tapez { $number }.
check-your-number = Votre numéro
check-number-works = Il est valide pendant { $minutes } minutes. Tapez-le seulement sur votre propre appareil : ne le lisez jamais à voix haute et ne le donnez à personne, même à quelqu'un qui prétend faire partie du personnel de votre clinique.
check-too-late = La connexion à partir de votre téléphone fonctionne pendant { $minutes } minutes après la demande. Si vous l'avez approuvée à temps :
check-otherwise = Sinon, utilisez le code du courriel ci-dessous, ou demandez un nouveau lien.
check-waiting-for-phone = En attente de votre téléphone…
check-approved-continue = J'ai approuvé la connexion, continuer

link-log-in-as = Se connecter en tant que { $account }
link-logging-you-in = Connexion en cours…
link-button = Se connecter
link-on-this-phone = Se connecter sur ce téléphone
link-on-this-tablet = Se connecter sur cette tablette
link-on-this-computer = Se connecter sur cet ordinateur
link-on-the-computer = Connecter l'ordinateur qui a fait la demande
link-on-the-browser = Connecter le navigateur qui a fait la demande
link-or = ou
link-approval-off = Pour protéger votre compte, ce lien ne peut pas connecter un autre navigateur pour l'instant : il a été demandé il y a plus de quelques minutes, un mauvais numéro a été tapé aujourd'hui, ou deux appareils l'ont demandé. Connectez-vous ici, ou tapez le code du courriel là où vous l'avez demandé.
link-approved-heading = Approuvé
link-approved = C'est fait. Le navigateur qui a fait la demande se connecte en tant que { $account } et affichera votre page dans un instant. Vous pouvez fermer cette page.
link-used-heading = Ce lien a déjà été utilisé
link-used = Chaque lien de connexion sécurisé n'est utilisable qu'une fois. Demandez-en un nouveau pour vous connecter en tant que { $account }.
link-expired-heading = Ce lien a expiré
link-expired = Les liens de connexion sécurisés fonctionnent pendant un temps limité. Demandez-en un nouveau pour vous connecter en tant que { $account }.
link-cancelled-heading = Connexion annulée
link-cancelled = Aucune connexion n'a eu lieu. La connexion d'un autre navigateur à partir de votre téléphone est désactivée jusqu'à demain; les autres options de connexion offertes dans le courriel restent possibles avec un nouveau lien.
link-go-to-login = Aller à la connexion
link-invalid-heading = Ce lien n'est pas valide
link-invalid = Il est peut-être incomplet, ou un lien plus récent l'a remplacé. Vous pouvez en demander un nouveau.
link-email-new = M'envoyer un nouveau lien
link-another-way = Se connecter autrement
link-never-type-strong = Ne tapez jamais un numéro que quelqu'un vous donne
link-never-type = par téléphone, texto ou courriel, même si la personne prétend faire partie du personnel de votre clinique : elle pourrait ainsi accéder à votre compte. Le personnel de votre clinique ({ $clinic }) ne le demande jamais.
link-as-on = Connectez-vous en tant que { $account } sur { $asker }, seulement si vous venez vous-même d'en faire la demande là-bas.
link-number-on-computer = Le numéro affiché à l'écran de l'ordinateur qui a fait la demande
link-number-on-browser = Le numéro affiché à l'écran du navigateur qui a fait la demande
link-wrong-number-warning = Un mauvais numéro annule ce lien, et la connexion d'un autre navigateur à partir de votre téléphone reste désactivée jusqu'à demain.
link-log-in-there = Connecter l'autre appareil
link-here-instead-phone = Se connecter plutôt sur ce téléphone
link-here-instead-tablet = Se connecter plutôt sur cette tablette
link-here-instead-computer = Se connecter plutôt sur cet ordinateur

asker = { $browser }, { $minutes ->
        [0] à l'instant
       *[other] il y a { $minutes } min
    }
asker-near = { $browser }, près de { $place }, { $minutes ->
        [0] à l'instant
       *[other] il y a { $minutes } min
    }
asker-a-browser = Un navigateur

passkey-or = ou
passkey-sign-in = Se connecter avec une clé d'accès
passkey-sign-in-hint = Avec votre empreinte digitale, votre visage ou le verrouillage de votre écran, sur cet appareil ou sur votre téléphone. Vous pourrez enregistrer une clé d'accès la prochaine fois que vous vous connecterez avec un lien de connexion sécurisé.
passkey-sign-in-failed = La connexion avec une clé d'accès n'a pas fonctionné. Réessayez ou utilisez un lien de connexion sécurisé.
