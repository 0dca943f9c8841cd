//! What a patient comes to the portal for: appointments and form responses. Every read is
//! scoped to the patient, so another patient's record is simply not found.

pub mod appointments;
pub mod forms;
pub mod notify;
