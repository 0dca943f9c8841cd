## Why something was refused, and what to do instead.

error-not-signed-in = Votre session a pris fin. Veuillez vous reconnecter.
error-busy = Le portail { $clinic } est très sollicité en ce moment. Veuillez réessayer dans quelques secondes.
error-cannot-save = Le portail { $clinic } ne peut rien enregistrer pour le moment; aucune modification n'a été apportée. Veuillez réessayer plus tard. Si le problème persiste, communiquez avec votre clinique.
error-internal = Un problème est survenu de notre côté. Veuillez réessayer dans un instant.
error-unreachable = Impossible d'accéder au portail { $clinic }. Vérifiez votre connexion Internet et réessayez.
error-garbled-form = Ce formulaire est arrivé incomplet ou illisible; rien n'a donc été fait. Actualisez la page et réessayez.
error-other-site = Cette demande venait d'un autre site Web; le portail { $clinic } l'a donc refusée. Ouvrez directement le portail { $clinic } et réessayez.
error-passwords-differ = Les mots de passe ne correspondent pas.
error-new-passwords-differ = Les nouveaux mots de passe ne correspondent pas.
error-choose-time-zone = Choisissez un fuseau horaire dans la liste.
error-choose-language = Choisissez le français ou l'anglais.

error-incorrect-credentials = Courriel ou mot de passe incorrect
error-wrong-current-password = Votre mot de passe actuel n'est pas le bon.
error-link-spent = Ce lien de connexion a déjà été utilisé ou a expiré. Demandez-en un nouveau.
error-link-invalid = Ce lien n'est pas valide. Entrez votre courriel à la page de connexion pour en recevoir un nouveau.
error-password-link-spent = Ce lien a expiré ou a déjà été utilisé. Demandez-en un nouveau ci-dessous.
error-code-refused = Ce code n'a pas fonctionné. Utilisez le code du plus récent courriel du portail { $clinic }, dans le navigateur où vous avez demandé le lien, ou demandez un nouveau lien.
error-wrong-approval-number = Ce n'était pas le numéro affiché sur l'autre écran; pour votre sécurité, ce lien ne fonctionne donc plus. Si c'est bien vous qui avez fait la demande, demandez un nouveau lien à partir de l'autre écran.
error-approval-unavailable = Pour protéger votre compte, ce lien ne peut pas connecter un autre navigateur pour l'instant. Connectez-vous plutôt ici, ou tapez le code du courriel là où vous l'avez demandé.
error-nothing-waiting = Aucune connexion n'est plus en attente sur cet écran : son lien a été utilisé, annulé ou a expiré. Demandez un nouveau lien pour vous connecter.
error-not-approved-yet = Aucune approbation n'est encore arrivée. Sur votre téléphone, ouvrez le courriel, touchez « Se connecter », choisissez de connecter l'appareil qui a fait la demande, puis tapez le numéro affiché ici.
error-unknown-browser = Ce navigateur ne figure plus dans votre liste.
error-too-many-requests = Trop de demandes venant de votre réseau. Veuillez réessayer dans { $minutes ->
        [one] 1 minute
       *[other] { $minutes } minutes
    }.
error-too-many-attempts = Trop de mots de passe erronés. Pour votre sécurité, veuillez réessayer dans { $minutes ->
        [one] 1 minute
       *[other] { $minutes } minutes
    }.

error-email-empty = Entrez votre adresse courriel.
error-email-too-long = Cette adresse courriel est trop longue.
error-email-invalid = Entrez une adresse courriel comme nom@exemple.com.
error-not-a-code = Entrez le code à 8 chiffres reçu par courriel.
error-not-a-number = Tapez le numéro à deux chiffres affiché à l'écran où vous avez demandé à vous connecter.

error-password-too-short = Utilisez au moins { $min } caractères.
error-password-too-long = Utilisez au plus { $max } caractères.
error-password-common = C'est l'un des mots de passe les plus courants; il est donc facile à deviner. Choisissez-en un autre : quelques mots sans lien entre eux forment un mot de passe solide.
error-password-weak = Ce mot de passe serait facile à deviner : { $why ->
        [personal] il contient votre nom ou votre adresse courriel
        [keyboard] il suit une rangée ou un motif de touches du clavier
        [repeats] il répète les mêmes caractères
        [sequence] c'est une suite comme abcd ou 1234
        [date] il contient une date ou une année
        [common] c'est un mot de passe courant, ou presque
        [word] c'est un seul mot ou un seul nom, parmi les premiers essayés
       *[predictable] il suit un modèle que les outils de piratage essaient en premier
    }. Choisissez-en un autre : trois ou quatre mots sans lien entre eux forment un mot de passe solide et facile à retenir.
error-passkeys-unavailable = Les clés d'accès ne sont pas offertes sur ce portail. Utilisez plutôt un lien de connexion sécurisé.
error-passkey-refused = La connexion avec cette clé d'accès n'a pas fonctionné. Réessayez ou utilisez un lien de connexion sécurisé.
error-passkey-not-saved = Votre clé d'accès n'a pas été enregistrée. Veuillez réessayer.
error-passkey-already-saved = Cette clé d'accès est déjà enregistrée.
error-unknown-passkey = Cette clé d'accès ne figure plus dans votre compte.
error-passkey-name = Donnez à la clé d'accès un nom de 1 à { $max } caractères, sur une seule ligne.
error-sign-in-again = Pour ajouter une clé d'accès, reconnectez-vous d'abord : il faut une connexion datant de moins de { $minutes } minutes.
error-too-many-passkeys = Votre compte a déjà { $most } clés d'accès, le maximum permis. Retirez d'abord une clé que vous n'utilisez plus.
