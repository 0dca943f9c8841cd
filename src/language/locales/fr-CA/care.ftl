## Appointments, form responses, and the calendar file.

appointments-title = Vos rendez-vous
appointments-heading = Vos rendez-vous
appointments-none-heading = Aucun rendez-vous pour l'instant
appointments-none = Quand votre clinique vous fixe un rendez-vous, il s'affiche ici et nous vous envoyons un courriel.
appointments-upcoming = À venir
appointments-nothing-booked = Aucun rendez-vous prévu. Votre clinique vous enverra un courriel lorsqu'un rendez-vous sera fixé.
appointments-past = Passés
appointment-join = Rejoindre la consultation vidéo
appointment-new-tab = (s'ouvre dans un nouvel onglet)
appointment-with = Rendez-vous avec { $clinician }
appointment-all = ← Tous les rendez-vous
appointment-starts-soon = Votre consultation commence bientôt. Rejoignez-la dès que vous êtes disponible.
appointment-join-from = Vous pourrez rejoindre la consultation vidéo dès 15 minutes avant le début. Vous pouvez déjà l'ouvrir pour vérifier votre caméra et votre micro.
appointment-clinic-will-share = Avant la consultation, votre clinique vous indiquera comment y participer.
appointment-passed = Ce rendez-vous est passé.
appointment-cancelled = Ce rendez-vous a été annulé par la clinique. Communiquez avec elle si vous avez besoin d'un nouveau rendez-vous.
appointment-cancelled-badge = Annulé
appointment-add-to-calendar = Ajouter au calendrier
appointment-ics-file = (fichier .ics)
appointment-not-found = Ce rendez-vous ne figure pas dans votre compte.
calendar-video-visit = Consultation vidéo
calendar-join = Rejoindre la consultation vidéo : { $url }
calendar-in-portal = Dans le portail { $clinic } : { $url }
calendar-alarm = Vous pouvez maintenant rejoindre votre consultation vidéo

form-back = ← Vos rendez-vous
form-submitted = Envoyé le { $when }

not-found-title = Page introuvable
not-found-heading = Page introuvable
not-found = La page demandée n'existe pas ou vous n'avez pas accès à son contenu.
not-found-start = Aller à la page d'accueil
form-answer-yes = Oui
form-answer-no = Non
