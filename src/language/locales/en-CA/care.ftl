## Appointments, form responses, and the calendar file.

appointments-title = Your appointments
appointments-heading = Your appointments
appointments-none-heading = No appointments yet
appointments-none = When your clinic books an appointment for you, it appears here and we email you.
appointments-upcoming = Upcoming
appointments-nothing-booked = Nothing booked. Your clinic will email you when there is.
appointments-past = Past
appointment-join = Join video visit
appointment-new-tab = (opens in a new tab)
appointment-with = Appointment with { $clinician }
appointment-all = ← All appointments
appointment-starts-soon = Your visit starts soon. Join when you are ready.
appointment-join-from = Join from 15 minutes before the start. You can open it now to check your camera and sound.
appointment-clinic-will-share = Your clinic will share how to join before the visit.
appointment-passed = This appointment has passed.
appointment-cancelled = This appointment was cancelled by the clinic. Contact the clinic if you need a new one.
appointment-cancelled-badge = Cancelled
appointment-add-to-calendar = Add to calendar
appointment-ics-file = (.ics file)
appointment-not-found = There is no such appointment in your account.
calendar-video-visit = Video visit
calendar-join = Join the video visit: { $url }
calendar-in-portal = In { $clinic }: { $url }
calendar-alarm = Your video visit opens now

form-back = ← Your appointments
form-submitted = Submitted { $when }

not-found-title = Page not found
not-found-heading = Page not found
not-found = The page you asked for does not exist or is not yours to see.
not-found-start = Go to the start page
form-answer-yes = Yes
form-answer-no = No
