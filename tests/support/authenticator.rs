//! A device holding passkeys, for the tests: webauthn-authenticator-rs's software authenticator
//! (user verification claimed), answering the portal's JSON options with the JSON a browser's
//! script posts back.
//!
//! It cannot keep discoverable credentials, so it plays one as the browser would see it: it
//! remembers the credential and the patient's handle from the registration, answers a sign-in
//! with that credential, and returns the handle with the assertion, as a platform authenticator
//! does.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use url::Url;
use webauthn_authenticator_rs::{softpasskey::SoftPasskey, WebauthnAuthenticator};
use webauthn_rs_proto::{
    AllowCredentials, CreationChallengeResponse, PublicKeyCredential, RequestChallengeResponse,
    ResidentKeyRequirement,
};

pub struct TestAuthenticator {
    device: WebauthnAuthenticator<SoftPasskey>,
    /// The origin its browser is on.
    origin: Url,
    /// The passkey it saved: its credential id and the patient's handle.
    saved: Option<(Vec<u8>, Vec<u8>)>,
}

impl TestAuthenticator {
    /// A device whose browser is on `origin` (the portal's, or a phishing site's).
    pub fn on(origin: &str) -> Self {
        Self {
            device: WebauthnAuthenticator::new(SoftPasskey::new(true)),
            origin: Url::parse(origin).expect("an origin"),
            saved: None,
        }
    }

    /// Answers "Add a passkey" (the options as the server sent them): the credential to post.
    pub fn register(&mut self, options: &str) -> String {
        let mut options: CreationChallengeResponse =
            serde_json::from_str(options).expect("creation options");
        let asked = options.public_key.authenticator_selection.as_ref();
        assert_eq!(
            asked.and_then(|selection| selection.resident_key),
            Some(ResidentKeyRequirement::Required),
            "a passkey must be discoverable"
        );
        // Kept by the test instead (above).
        if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
            selection.resident_key = None;
            selection.require_resident_key = false;
        }
        let handle = options.public_key.user.id.to_vec();
        let answer = self
            .device
            .do_registration(self.origin.clone(), options)
            .expect("the authenticator registers");
        self.saved = Some((answer.raw_id.to_vec(), handle));
        serde_json::to_string(&answer).expect("serialises")
    }

    /// Answers "Sign in with a passkey" with the passkey it saved: the assertion to post.
    pub fn sign_in(&mut self, options: &str) -> String {
        serde_json::to_string(&self.assertion(options)).expect("serialises")
    }

    /// The assertion itself, for tests that alter it.
    pub fn assertion(&mut self, options: &str) -> PublicKeyCredential {
        let mut options: RequestChallengeResponse =
            serde_json::from_str(options).expect("request options");
        let (credential, handle) = self.saved.clone().expect("a passkey saved first");
        assert!(
            options.public_key.allow_credentials.is_empty(),
            "the login page names no account"
        );
        options.public_key.allow_credentials = vec![AllowCredentials {
            type_: "public-key".into(),
            id: credential.into(),
            transports: None,
        }];
        let mut assertion = self
            .device
            .do_authentication(self.origin.clone(), options)
            .expect("the authenticator signs");
        assertion.response.user_handle = Some(handle.into());
        assertion
    }

    /// The saved passkey's credential id, as the portal names it (base64url).
    pub fn credential_id(&self) -> String {
        let (credential, _) = self.saved.as_ref().expect("a passkey saved first");
        URL_SAFE_NO_PAD.encode(credential)
    }
}
