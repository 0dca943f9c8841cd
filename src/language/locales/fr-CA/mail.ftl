## Every email: its frame, and the emails of signing in.

mail-copy-address = Si le bouton ne fonctionne pas, copiez cette adresse dans votre navigateur :
mail-footer = Portail patient { $clinic }. Ce message est envoyé automatiquement; les réponses ne sont pas lues.
mail-button-line = { $label } : { $url }
mail-hello = Bonjour { $name },
mail-unknown-browser = un navigateur inconnu
browser-on-system = { $browser } sur { $system }

mail-password-subject = Créez votre mot de passe pour le portail { $clinic }
mail-password-preheader = Utilisez ce lien d'ici { $minutes } minutes pour créer votre mot de passe.
mail-password-heading = Créez votre mot de passe
mail-password-invited = Votre clinique vous a créé un compte dans le portail { $clinic }. Choisissez un mot de passe avec le bouton ci-dessous; ce bouton vous connecte aussi au portail.
mail-password-for-link = Vous avez demandé un lien de connexion sécurisé. Ces liens fonctionnent une fois que votre compte a un mot de passe, et le vôtre n'en a pas encore. Créez-le avec le bouton ci-dessous; ce bouton vous connecte aussi au portail, et la prochaine fois, vous pourrez demander un lien de connexion.
mail-password-requested = Quelqu'un a demandé de créer ou de réinitialiser le mot de passe de votre compte du portail { $clinic }. Choisissez un mot de passe avec le bouton ci-dessous; ce bouton vous connecte aussi au portail.
mail-password-button = Créer un mot de passe
mail-password-expires = Ce lien n'est utilisable qu'une fois et expire le { $when }.
mail-password-expires-after-arrival = Ce lien n'est utilisable qu'une fois, pendant les { $minutes } minutes qui suivent la réception de ce courriel.
mail-password-ignore = Si vous n'avez rien demandé, ignorez ce courriel : votre compte reste tel quel.

mail-link-subject = Votre lien de connexion sécurisé
mail-link-preheader = Connectez-vous au portail { $clinic } sans mot de passe. Le lien fonctionne pendant { $minutes } minutes.
mail-link-heading = Votre lien de connexion sécurisé
mail-link-intro = Cliquez sur le bouton ci-dessous pour vous connecter au portail { $clinic }, sans mot de passe.
mail-link-button = Se connecter
mail-link-code-intro = Vous ouvrez ce courriel sur un autre appareil? Entrez ce code à l'écran où vous avez demandé le lien :
mail-link-expires = Ce lien n'est utilisable qu'une fois et expire dans { $minutes } minutes, le { $when }.
mail-link-requested = Il a été demandé le { $when } depuis { $browser }.
mail-link-requested-from = Il a été demandé le { $when } depuis { $browser }, adresse IP { $ip }.
mail-link-staff = Le personnel de votre clinique ({ $clinic }) ne vous demandera jamais ce code ni ce lien. Ne les communiquez à personne.
mail-link-never-type = Ne tapez jamais un numéro que quelqu'un vous donne par téléphone, texto ou courriel : seulement celui affiché sur votre propre écran, là où vous avez demandé à vous connecter.
mail-link-ignore = Si vous n'avez rien demandé, ignorez ce courriel.

mail-record-no-password = Votre compte du portail { $clinic } n'a pas encore de mot de passe. Le bouton ci-dessous vous permet d'en créer un, puis vous amène à la page demandée.
mail-record-create-password = Créer un mot de passe et continuer

mail-appointment-subject = Nouveau rendez-vous
mail-appointment-heading = Nouveau rendez-vous
mail-appointment-booked = Un rendez-vous avec { $clinician } a été fixé pour vous le { $when }.
mail-appointment-button = Voir le rendez-vous

mail-appointment-moved-subject = Votre rendez-vous a été déplacé
mail-appointment-moved = Votre rendez-vous avec { $clinician } a été déplacé au { $when }. Il était prévu le { $from }.
mail-appointment-cancelled-subject = Votre rendez-vous a été annulé
mail-appointment-cancelled = Votre rendez-vous avec { $clinician } a été annulé. Il était prévu le { $when }. Communiquez avec la clinique si vous avez besoin d'un nouveau rendez-vous.

mail-form-subject = Nouvelle réponse à un formulaire
mail-form-heading = Nouvelle réponse à un formulaire
mail-form-preheader = Vos réponses au formulaire « { $title } »
mail-form-recorded = Votre réponse au formulaire « { $title } » a été enregistrée. Vous pouvez la consulter dans le portail.
mail-form-button = Voir la réponse

mail-passkey-added-heading = Une clé d'accès a été ajoutée à votre compte
mail-passkey-added-text = La clé d'accès { $name } a été ajoutée à votre compte du portail { $clinic } le { $when }. Elle permet de se connecter avec une empreinte digitale, un visage ou un verrouillage d'écran, sans passer par un courriel.
mail-passkey-added-not-you = Ce n'était pas vous? Connectez-vous avec un lien de connexion sécurisé, retirez cette clé d'accès dans la page de votre compte, puis choisissez « Se déconnecter de tous les appareils ».
mail-passkey-removed-heading = Une clé d'accès a été retirée de votre compte
mail-passkey-removed-text = La clé d'accès { $name } a été retirée de votre compte du portail { $clinic } le { $when }. Elle ne permet plus de se connecter.
mail-passkey-removed-not-you = Ce n'était pas vous? Connectez-vous avec un lien de connexion sécurisé, choisissez « Se déconnecter de tous les appareils », puis changez votre mot de passe.
mail-passkey-button = Vérifier vos clés d'accès
mail-passkey-link-stays = Les liens de connexion sécurisés fonctionnent toujours, avec ou sans clé d'accès.
