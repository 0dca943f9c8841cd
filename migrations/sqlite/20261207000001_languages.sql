-- The language a patient reads the portal and its emails in: 'en' or 'fr'. NULL: not known
-- yet; the language of the page that asked applies, else the clinic's (CLINIC_LANGUAGE), until
-- the patient first signs in or chooses.
ALTER TABLE users ADD COLUMN language TEXT;
