## Appointments, form responses, and the calendar file.

appointments-title = Vos rendez-vous
appointments-heading = Vos rendez-vous
appointments-none-heading = Aucun rendez-vous pour l'instant
appointments-none = Quand votre clinique vous fixe un rendez-vous, il s'affiche ici et nous vous envoyons un courriel.
appointments-upcoming = À venir
appointments-nothing-booked = Aucun rendez-vous prévu. Votre clinique vous enverra un courriel s'il y en a un.
appointments-past = Passés
appointment-join = Rejoindre la consultation vidéo
appointment-new-tab = (s'ouvre dans un nouvel onglet)
appointment-with = Rendez-vous avec { $clinician }
appointment-all = ← Tous les rendez-vous
appointment-starts-soon = Votre consultation commence bientôt. Rejoignez-la quand vous êtes prêt ou prête.
appointment-join-from = Vous pourrez la rejoindre 15 minutes avant le début. Vous pouvez l'ouvrir dès maintenant pour vérifier votre caméra et votre son.
appointment-clinic-will-share = Votre clinique vous indiquera comment vous joindre à la consultation avant celle-ci.
appointment-passed = Ce rendez-vous est passé.
appointment-add-to-calendar = Ajouter au calendrier
appointment-ics-file = (fichier .ics)
appointment-not-found = Ce rendez-vous ne figure pas dans votre compte.
calendar-video-visit = Consultation vidéo
calendar-join = Rejoindre la consultation vidéo : { $url }
calendar-in-portal = Dans le portail { $clinic } : { $url }
calendar-alarm = Votre consultation vidéo est maintenant ouverte

form-back = ← Vos rendez-vous
form-submitted = Soumis le { $when }

not-found-title = Page introuvable
not-found-heading = Page introuvable
not-found = La page demandée n'existe pas ou vous n'avez pas accès à son contenu.
not-found-start = Aller à la page d'accueil
